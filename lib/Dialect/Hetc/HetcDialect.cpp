//===- HetcDialect.cpp - hetc dialect ---------------------------*- C++ -*-===//
//
// Registers the hetc dialect, verifies its attributes and the argument roles
// that make up the model contract (see docs/architecture.md).
//
//===----------------------------------------------------------------------===//

#include "hetc/Dialect/Hetc/HetcDialect.h"
#include "hetc/Dialect/Hetc/HetcOps.h"
#include "hetc/Dialect/Hetc/Rebatch.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::hetc;

#include "hetc/Dialect/Hetc/HetcDialect.cpp.inc"
#include "hetc/Dialect/Hetc/HetcEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "hetc/Dialect/Hetc/HetcAttrs.cpp.inc"

void HetcDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "hetc/Dialect/Hetc/HetcOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "hetc/Dialect/Hetc/HetcAttrs.cpp.inc"
      >();
  attachRebatchInterfaces(*getContext());
}

Operation *HetcDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  return arith::ConstantOp::materialize(builder, value, type, loc);
}

std::string HetcDialect::getHyperParameterName(StringRef name, int64_t group) {
  if (group == 0)
    return ("hyper:" + name).str();
  return ("hyper:group" + Twine(group) + ":" + name).str();
}

// #hetc.init<kind> or #hetc.init<kind, value>. A custom form keeps the value
// a bare float literal instead of a typed FloatAttr.
Attribute InitAttr::parse(AsmParser &parser, Type) {
  StringRef keyword;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess() || parser.parseKeyword(&keyword))
    return {};
  std::optional<InitKind> kind = symbolizeInitKind(keyword);
  if (!kind) {
    parser.emitError(loc) << "unknown initializer '" << keyword
                          << "' (expected zeros, ones, constant, uniform or "
                             "normal)";
    return {};
  }
  double value = 0.0;
  if (succeeded(parser.parseOptionalComma()) && parser.parseFloat(value))
    return {};
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); }, parser.getContext(),
                    *kind, APFloat(value));
}

void InitAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyInitKind(getKind());
  if (getKind() != InitKind::Zeros && getKind() != InitKind::Ones)
    printer << ", " << getValue();
  printer << ">";
}

LogicalResult InitAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               InitKind kind, APFloat valueFloat) {
  double value = valueFloat.convertToDouble();
  // Values reach the manifest (JSON has no inf or nan) and f32 tensors.
  if (!std::isfinite(value) || std::fabs(value) > 3.4028234663852886e38)
    return emitError() << "#hetc.init<" << stringifyInitKind(kind)
                       << "> needs a finite value within the f32 range, got "
                       << value;
  switch (kind) {
  case InitKind::Uniform:
  case InitKind::Normal:
    if (!(value > 0.0))
      return emitError() << "#hetc.init<" << stringifyInitKind(kind)
                         << "> needs a positive scale, got " << value;
    return success();
  case InitKind::Zeros:
  case InitKind::Ones:
    if (value != 0.0)
      return emitError() << "#hetc.init<" << stringifyInitKind(kind)
                         << "> takes no value";
    return success();
  case InitKind::Constant:
    return success();
  }
  llvm_unreachable("unknown init kind");
}

static bool isFloatTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() &&
         isa<Float32Type, Float16Type, BFloat16Type>(tensor.getElementType());
}

static LogicalResult verifyOptStateOwner(Operation *op, FunctionOpInterface fn,
                                         unsigned argIndex,
                                         DictionaryAttr state);

static bool isStaticTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape();
}

LogicalResult HetcDialect::verifyRegionArgAttribute(Operation *op,
                                                    unsigned regionIndex,
                                                    unsigned argIndex,
                                                    NamedAttribute attr) {
  auto fn = dyn_cast<FunctionOpInterface>(op);
  if (!fn)
    return op->emitOpError()
           << "'" << attr.getName() << "' is only valid on function arguments";
  Type argType = fn.getArgumentTypes()[argIndex];
  StringRef name = attr.getName().getValue();
  auto countRoles = [&]() {
    int roles = 0;
    for (StringRef role : {kParamAttrName, kBufferAttrName, kInputAttrName,
                           kLabelAttrName, kOptStateAttrName, kHyperAttrName})
      roles += fn.getArgAttr(argIndex, role) ? 1 : 0;
    return roles;
  };
  if (countRoles() > 1)
    return op->emitOpError()
           << "argument #" << argIndex
           << " has more than one of hetc.param, hetc.buffer, hetc.input, "
              "hetc.label, hetc.opt_state and hetc.hyper";
  if (name == kParamAttrName || name == kBufferAttrName) {
    if (!isa<InitAttr>(attr.getValue()))
      return op->emitOpError()
             << "argument #" << argIndex << ": '" << name
             << "' must be a #hetc.init attribute, got " << attr.getValue();
    if (!isFloatTensor(argType))
      return op->emitOpError()
             << "argument #" << argIndex << ": a "
             << (name == kParamAttrName ? "parameter" : "buffer")
             << " must be a statically shaped f32, f16 or bf16 tensor, got "
             << argType;
    return success();
  }
  if (name == kInputAttrName || name == kLabelAttrName) {
    if (!isa<UnitAttr>(attr.getValue()))
      return op->emitOpError() << "argument #" << argIndex << ": '" << name
                               << "' is a unit attribute and takes no value";
    if (!isStaticTensor(argType))
      return op->emitOpError()
             << "argument #" << argIndex << ": '" << name
             << "' must be a statically shaped tensor, got " << argType;
    return success();
  }
  if (name == kNameAttrName) {
    if (!isa<StringAttr>(attr.getValue()))
      return op->emitOpError()
             << "argument #" << argIndex << ": 'hetc.name' must be a string";
    return success();
  }
  if (name == kOptStateAttrName) {
    auto dict = dyn_cast<DictionaryAttr>(attr.getValue());
    if (!dict || !dict.getAs<StringAttr>("kind") ||
        !dict.getAs<InitAttr>("init") ||
        (dict.get("param") && !dict.getAs<IntegerAttr>("param")))
      return op->emitOpError()
             << "argument #" << argIndex
             << ": 'hetc.opt_state' must be {kind = \"...\", init = "
                "#hetc.init<...>} with an optional integer param";
    if (!isFloatTensor(argType))
      return op->emitOpError() << "argument #" << argIndex
                               << ": optimizer state must be a float tensor, "
                                  "got "
                               << argType;
    return verifyOptStateOwner(op, fn, argIndex, dict);
  }
  if (name == kHyperAttrName) {
    auto dict = dyn_cast<DictionaryAttr>(attr.getValue());
    auto group = dict ? dict.getAs<IntegerAttr>("group") : IntegerAttr();
    auto init = dict ? dict.getAs<InitAttr>("init") : InitAttr();
    if (!dict || !dict.getAs<StringAttr>("name") || !group ||
        group.getInt() < 0 || !init || init.getKind() != InitKind::Constant)
      return op->emitOpError()
             << "argument #" << argIndex
             << ": 'hetc.hyper' must be {name = \"...\", group = <n >= 0>, "
                "init = #hetc.init<constant, ...>}";
    auto tensor = dyn_cast<RankedTensorType>(argType);
    if (!tensor || tensor.getRank() != 0 || !tensor.getElementType().isF32())
      return op->emitOpError() << "argument #" << argIndex
                               << ": a hyper-parameter must be tensor<f32>, "
                                  "got "
                               << argType;
    return success();
  }
  return op->emitOpError() << "argument #" << argIndex
                           << ": unknown hetc argument attribute '" << name
                           << "' (expected hetc.param, hetc.buffer, "
                              "hetc.input, hetc.label, hetc.opt_state, "
                              "hetc.hyper or hetc.name)";
}

/// Checks the kind of a hetc.opt_state and the argument it belongs to:
/// per-parameter state names (by index) an argument of its own type, which
/// train_step makes its hetc.param; the optimizer-wide step counter is a 0-d
/// tensor that names none.
static LogicalResult verifyOptStateOwner(Operation *op, FunctionOpInterface fn,
                                         unsigned argIndex,
                                         DictionaryAttr state) {
  StringRef kind = state.getAs<StringAttr>("kind").getValue();
  auto param = state.getAs<IntegerAttr>("param");
  Type type = fn.getArgumentTypes()[argIndex];
  std::optional<OptStateKind> known = symbolizeOptStateKind(kind);
  if (!known)
    return op->emitOpError()
           << "argument #" << argIndex << ": unknown optimizer state kind '"
           << kind << "' (expected "
           << getEnumCaseNames<OptStateKind>(getMaxEnumValForOptStateKind(),
                                             stringifyOptStateKind,
                                             symbolizeOptStateKind)
           << ")";
  if (isOptimizerWide(*known)) {
    if (param || cast<RankedTensorType>(type).getRank() != 0)
      return op->emitOpError()
             << "argument #" << argIndex << ": the '" << kind
             << "' optimizer state is a 0-d tensor without a param";
    return success();
  }
  int64_t owner = param ? param.getInt() : -1;
  if (owner < 0 || owner >= static_cast<int64_t>(fn.getNumArguments()))
    return op->emitOpError()
           << "argument #" << argIndex << ": '" << kind
           << "' optimizer state needs param = <index of its parameter's "
              "argument>";
  if (fn.getArgumentTypes()[owner] != type)
    return op->emitOpError()
           << "argument #" << argIndex << ": '" << kind << "' state has type "
           << type << " but its param (argument #" << owner << ") has type "
           << fn.getArgumentTypes()[owner];
  return success();
}
