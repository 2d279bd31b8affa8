//===- GraphBuilder.cpp - build hetc models without MLIR types ------------===//
//
// Each op method creates one hetc op: a provisional operation takes the
// operands and attributes, the op's own InferTypeOpInterface computes the
// result types (emitting its located errors), and the final op is created
// with them and verified. Nothing here knows a shape rule.
//
//===----------------------------------------------------------------------===//

#include "hetc/Frontend/GraphBuilder.h"

#include "hetc/Dialect/Hetc/HetcOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::hetc;
using namespace mlir::hetc::graph;
using graph::ElementType;
using graph::Tensor;

namespace mlir::hetc::graph {

/// One argument of the function being built, before the function exists.
struct PendingArgument {
  Type type;
  NamedAttrList attrs;
  Location loc;
};

class GraphBuilderImpl {
public:
  GraphBuilderImpl()
      : loc(UnknownLoc::get(&context)), module(ModuleOp::create(loc)),
        builder(&context) {
    context.loadDialect<HetcDialect, func::FuncDialect, arith::ArithDialect>();
    handler.emplace(&context, [this](Diagnostic &diag) {
      if (diag.getSeverity() == DiagnosticSeverity::Error)
        recordDiagnostic(diag);
      return success();
    });
  }
  ~GraphBuilderImpl() {
    handler.reset();
    if (function)
      function->erase();
    module->erase();
  }

  void recordDiagnostic(Diagnostic &diag);
  Tensor fail(const llvm::Twine &message);
  Value value(Tensor t);
  Tensor track(Value v);
  Type elementType(ElementType type);
  Tensor argument(llvm::StringRef role, Attribute roleValue,
                  const std::string &name, const std::vector<int64_t> &shape,
                  ElementType type);
  Tensor create(llvm::StringRef name, ArrayRef<Tensor> operands,
                ArrayRef<NamedAttribute> attrs = {});
  /// For ops whose result type is chosen, not inferred (cast).
  Tensor createTyped(llvm::StringRef name, ArrayRef<Tensor> operands,
                     Type resultType);
  bool collectOperands(llvm::StringRef name, ArrayRef<Tensor> operands,
                       SmallVectorImpl<Value> &values);
  InitAttr init(graph::InitKind kind, double value);

  MLIRContext context;
  Location loc;
  ModuleOp module;
  OpBuilder builder;
  std::optional<ScopedDiagnosticHandler> handler;
  std::string error;

  // The function being built: arguments are collected first and the
  // function is created by endFunction; ops go into `body` meanwhile.
  std::string functionName, evalOf;
  func::FuncOp function;
  Block *body = nullptr;
  SmallVector<PendingArgument> arguments;
  SmallVector<std::pair<unsigned, Value>> bufferUpdates;
  SmallVector<Value> values;
};

} // namespace mlir::hetc::graph

namespace {

/// The innermost file location of `loc`, if any.
std::optional<FileLineColLoc> fileLocation(Location loc) {
  std::optional<FileLineColLoc> found;
  loc->walk([&](Location inner) {
    if (auto file = dyn_cast<FileLineColLoc>(inner)) {
      found = file;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return found;
}

std::optional<std::string> scopeOf(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  return std::nullopt;
}

} // namespace

void GraphBuilderImpl::recordDiagnostic(Diagnostic &diag) {
  if (!error.empty())
    return; // the first error is the cause; later ones follow from it
  llvm::raw_string_ostream os(error);
  if (std::optional<FileLineColLoc> file = fileLocation(diag.getLocation())) {
    // Python call sites have no column: print file:line: then.
    os << file->getFilename().getValue() << ":" << file->getLine() << ":";
    if (file->getColumn())
      os << file->getColumn() << ":";
    os << " ";
  }
  os << "error: " << diag.str();
  if (std::optional<std::string> scope = scopeOf(diag.getLocation()))
    os << " (in '" << *scope << "')";
}

Tensor GraphBuilderImpl::fail(const llvm::Twine &message) {
  emitError(loc) << message;
  return Tensor();
}

Value GraphBuilderImpl::value(Tensor t) {
  if (t.id < 0 || static_cast<size_t>(t.id) >= values.size())
    return Value();
  return values[t.id];
}

Tensor GraphBuilderImpl::track(Value v) {
  values.push_back(v);
  return Tensor{static_cast<int64_t>(values.size() - 1)};
}

Type GraphBuilderImpl::elementType(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return builder.getF32Type();
  case ElementType::F16:
    return builder.getF16Type();
  case ElementType::BF16:
    return builder.getBF16Type();
  case ElementType::I1:
    return builder.getI1Type();
  case ElementType::I32:
    return builder.getI32Type();
  case ElementType::I64:
    return builder.getI64Type();
  }
  return Type();
}

InitAttr GraphBuilderImpl::init(graph::InitKind kind, double value) {
  static constexpr hetc::InitKind kinds[] = {
      hetc::InitKind::Zeros, hetc::InitKind::Ones, hetc::InitKind::Constant,
      hetc::InitKind::Uniform, hetc::InitKind::Normal};
  return InitAttr::get(&context, kinds[static_cast<int>(kind)], value);
}

Tensor GraphBuilderImpl::argument(llvm::StringRef role, Attribute roleValue,
                                  const std::string &name,
                                  const std::vector<int64_t> &shape,
                                  ElementType type) {
  if (!body)
    return fail("an argument is declared outside a function");
  for (int64_t dim : shape)
    if (dim < 0)
      return fail("argument '" + name + "' has a negative dimension");
  auto tensorType = RankedTensorType::get(shape, elementType(type));
  NamedAttrList attrs;
  attrs.set(role, roleValue);
  attrs.set(HetcDialect::kNameAttrName, builder.getStringAttr(name));
  arguments.push_back({tensorType, std::move(attrs), loc});
  return track(body->addArgument(tensorType, loc));
}

bool GraphBuilderImpl::collectOperands(llvm::StringRef name,
                                       ArrayRef<Tensor> operands,
                                       SmallVectorImpl<Value> &values) {
  if (!body) {
    fail("'" + name + "' is built outside a function");
    return false;
  }
  for (auto [i, t] : llvm::enumerate(operands)) {
    Value v = value(t);
    if (!v) {
      fail("operand #" + llvm::Twine(i) + " of '" + name +
           "' is not a value of this graph");
      return false;
    }
    values.push_back(v);
  }
  return true;
}

Tensor GraphBuilderImpl::createTyped(llvm::StringRef name,
                                     ArrayRef<Tensor> operands,
                                     Type resultType) {
  SmallVector<Value> operandValues;
  if (!collectOperands(name, operands, operandValues))
    return Tensor();
  OperationState state(loc, OperationName(name, &context));
  state.addOperands(operandValues);
  state.addTypes(resultType);
  Operation *op = builder.create(state);
  if (failed(mlir::verify(op))) {
    op->erase();
    return Tensor();
  }
  return track(op->getResult(0));
}

Tensor GraphBuilderImpl::create(llvm::StringRef name, ArrayRef<Tensor> operands,
                                ArrayRef<NamedAttribute> attrs) {
  SmallVector<Value> operandValues;
  if (!collectOperands(name, operands, operandValues))
    return Tensor();
  OperationName opName(name, &context);
  // The provisional op carries operands and attributes (inherent ones move
  // into properties) so that the op's own inference can read them.
  OperationState provisional(loc, opName);
  provisional.addOperands(operandValues);
  provisional.addAttributes(attrs);
  Operation *probe = Operation::create(provisional);
  SmallVector<Type> types;
  LogicalResult inferred = failure();
  if (auto infer = dyn_cast<InferTypeOpInterface>(probe))
    inferred = infer.inferReturnTypes(
        &context, loc, probe->getOperands(), probe->getRawDictionaryAttrs(),
        probe->getPropertiesStorage(), probe->getRegions(), types);
  else
    emitError(loc) << "'" << name << "' does not infer its result type";
  probe->destroy();
  if (failed(inferred))
    return Tensor();

  OperationState state(loc, opName);
  state.addOperands(operandValues);
  state.addAttributes(attrs);
  state.addTypes(types);
  Operation *op = builder.create(state);
  if (failed(mlir::verify(op))) {
    op->erase();
    return Tensor();
  }
  return track(op->getResult(0));
}

//===----------------------------------------------------------------------===//
// GraphBuilder
//===----------------------------------------------------------------------===//

GraphBuilder::GraphBuilder() : impl(std::make_unique<GraphBuilderImpl>()) {}
GraphBuilder::~GraphBuilder() = default;

const std::string &GraphBuilder::error() const { return impl->error; }

void GraphBuilder::clearError() { impl->error.clear(); }

void GraphBuilder::setLocation(const std::string &file, unsigned line,
                               unsigned column, const std::string &scope) {
  Location loc = FileLineColLoc::get(&impl->context, file, line, column);
  if (!scope.empty())
    loc = NameLoc::get(StringAttr::get(&impl->context, scope), loc);
  impl->loc = loc;
}

bool GraphBuilder::beginFunction(const std::string &name,
                                 const std::string &evalOf) {
  if (impl->body) {
    impl->fail("function '" + name + "' begins inside function '" +
               impl->functionName + "'");
    return false;
  }
  if (impl->module.lookupSymbol(name)) {
    impl->fail("the module already has a function named '" + name + "'");
    return false;
  }
  impl->functionName = name;
  impl->evalOf = evalOf;
  impl->body = new Block();
  impl->arguments.clear();
  impl->bufferUpdates.clear();
  impl->values.clear();
  impl->builder.setInsertionPointToEnd(impl->body);
  return true;
}

bool GraphBuilder::endFunction(const std::vector<Tensor> &results) {
  if (!impl->body) {
    impl->fail("endFunction without beginFunction");
    return false;
  }
  SmallVector<Value> resultValues;
  for (auto [i, t] : llvm::enumerate(results)) {
    Value v = impl->value(t);
    if (!v) {
      impl->fail("result #" + llvm::Twine(i) + " is not a value of this graph");
      return false;
    }
    resultValues.push_back(v);
  }
  unsigned firstUpdate = resultValues.size();
  for (auto &[argIndex, v] : impl->bufferUpdates)
    resultValues.push_back(v);
  func::ReturnOp::create(impl->builder, impl->loc, resultValues);

  SmallVector<Type> argTypes;
  for (const PendingArgument &arg : impl->arguments)
    argTypes.push_back(arg.type);
  OpBuilder moduleBuilder(impl->module.getBodyRegion());
  moduleBuilder.setInsertionPointToEnd(impl->module.getBody());
  auto fn =
      func::FuncOp::create(moduleBuilder, impl->loc, impl->functionName,
                           moduleBuilder.getFunctionType(
                               argTypes, ValueRange(resultValues).getTypes()));
  fn.getBody().push_back(impl->body);
  for (auto [i, arg] : llvm::enumerate(impl->arguments))
    fn.setArgAttrs(i, arg.attrs.getDictionary(&impl->context));
  for (auto [k, update] : llvm::enumerate(impl->bufferUpdates))
    fn.setResultAttr(firstUpdate + k, HetcDialect::kBufferUpdateAttrName,
                     moduleBuilder.getI64IntegerAttr(update.first));
  if (!impl->evalOf.empty())
    fn->setAttr(HetcDialect::kEvalOfAttrName,
                moduleBuilder.getStringAttr(impl->evalOf));
  impl->body = nullptr;
  impl->values.clear();
  if (failed(mlir::verify(fn))) {
    fn.erase();
    return false;
  }
  return true;
}

Tensor GraphBuilder::param(const std::string &name,
                           const std::vector<int64_t> &shape, ElementType type,
                           graph::InitKind init, double initValue) {
  return impl->argument(HetcDialect::kParamAttrName,
                        impl->init(init, initValue), name, shape, type);
}

Tensor GraphBuilder::buffer(const std::string &name,
                            const std::vector<int64_t> &shape, ElementType type,
                            graph::InitKind init, double initValue) {
  return impl->argument(HetcDialect::kBufferAttrName,
                        impl->init(init, initValue), name, shape, type);
}

Tensor GraphBuilder::input(const std::string &name,
                           const std::vector<int64_t> &shape,
                           ElementType type) {
  return impl->argument(HetcDialect::kInputAttrName,
                        UnitAttr::get(&impl->context), name, shape, type);
}

Tensor GraphBuilder::label(const std::string &name,
                           const std::vector<int64_t> &shape,
                           ElementType type) {
  return impl->argument(HetcDialect::kLabelAttrName,
                        UnitAttr::get(&impl->context), name, shape, type);
}

bool GraphBuilder::updateBuffer(Tensor buffer, Tensor value) {
  Value b = impl->value(buffer), v = impl->value(value);
  auto arg = dyn_cast_or_null<BlockArgument>(b);
  if (!arg || !impl->arguments[arg.getArgNumber()].attrs.get(
                  HetcDialect::kBufferAttrName)) {
    impl->fail("updateBuffer: the first operand is not a buffer argument");
    return false;
  }
  if (!v || v.getType() != b.getType()) {
    impl->fail("updateBuffer: the new value's type does not match the "
               "buffer's");
    return false;
  }
  for (auto &update : impl->bufferUpdates)
    if (update.first == arg.getArgNumber()) {
      impl->fail("updateBuffer: the buffer is already updated");
      return false;
    }
  impl->bufferUpdates.push_back({arg.getArgNumber(), v});
  return true;
}

Tensor GraphBuilder::constant(ElementType type,
                              const std::vector<int64_t> &shape,
                              const void *data, size_t bytes) {
  if (!impl->body)
    return impl->fail("a constant is built outside a function");
  auto tensorType = RankedTensorType::get(shape, impl->elementType(type));
  int64_t count = 1;
  for (int64_t dim : shape)
    if (dim < 0 || __builtin_mul_overflow(count, dim, &count))
      return impl->fail("constant shape is negative or too large");
  size_t width = type == ElementType::I1
                     ? 1
                     : (tensorType.getElementTypeBitWidth() + 7) / 8;
  if (bytes != static_cast<size_t>(count) * width)
    return impl->fail("constant of " + llvm::Twine(count) + " elements needs " +
                      llvm::Twine(count * width) + " bytes, got " +
                      llvm::Twine(bytes));
  DenseElementsAttr attr;
  if (type == ElementType::I1) {
    SmallVector<bool> bits;
    for (int64_t i = 0; i < count; ++i)
      bits.push_back(static_cast<const uint8_t *>(data)[i] != 0);
    attr = DenseElementsAttr::get(tensorType, bits);
  } else {
    attr = DenseElementsAttr::getFromRawBuffer(
        tensorType, ArrayRef<char>(static_cast<const char *>(data), bytes));
  }
  auto op = arith::ConstantOp::create(impl->builder, impl->loc, attr);
  return impl->track(op);
}

Tensor GraphBuilder::scalar(double value, ElementType type) {
  if (!impl->body)
    return impl->fail("a constant is built outside a function");
  Type element = impl->elementType(type);
  auto tensorType = RankedTensorType::get({}, element);
  Attribute attr;
  if (isa<FloatType>(element))
    attr = DenseElementsAttr::get(tensorType,
                                  impl->builder.getFloatAttr(element, value));
  else
    attr = DenseElementsAttr::get(
        tensorType,
        impl->builder.getIntegerAttr(element, static_cast<int64_t>(value)));
  auto op = arith::ConstantOp::create(impl->builder, impl->loc,
                                      llvm::cast<TypedAttr>(attr));
  return impl->track(op);
}

std::vector<int64_t> GraphBuilder::shape(Tensor t) const {
  Value v = impl->value(t);
  if (!v)
    return {};
  auto type = llvm::cast<RankedTensorType>(v.getType());
  return std::vector<int64_t>(type.getShape().begin(), type.getShape().end());
}

ElementType GraphBuilder::elementType(Tensor t) const {
  Value v = impl->value(t);
  Type element =
      v ? llvm::cast<RankedTensorType>(v.getType()).getElementType() : Type();
  if (element && element.isF16())
    return ElementType::F16;
  if (element && element.isBF16())
    return ElementType::BF16;
  if (element && element.isInteger(1))
    return ElementType::I1;
  if (element && element.isInteger(32))
    return ElementType::I32;
  if (element && element.isInteger(64))
    return ElementType::I64;
  return ElementType::F32;
}

std::string GraphBuilder::print(bool locations) const {
  std::string text;
  llvm::raw_string_ostream os(text);
  OpPrintingFlags flags;
  if (locations)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  impl->module.print(os, flags);
  return text;
}

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

namespace {
NamedAttribute named(OpBuilder &b, llvm::StringRef name, Attribute value) {
  return b.getNamedAttr(name, value);
}
} // namespace

#define HETC_BINARY(method, OpClass)                                           \
  Tensor GraphBuilder::method(Tensor lhs, Tensor rhs) {                        \
    return impl->create(OpClass::getOperationName(), {lhs, rhs});              \
  }
HETC_BINARY(add, AddOp)
HETC_BINARY(sub, SubOp)
HETC_BINARY(mul, MulOp)
HETC_BINARY(div, DivOp)
HETC_BINARY(maximum, MaximumOp)
HETC_BINARY(minimum, MinimumOp)
#undef HETC_BINARY

#define HETC_UNARY(method, OpClass)                                            \
  Tensor GraphBuilder::method(Tensor x) {                                      \
    return impl->create(OpClass::getOperationName(), {x});                     \
  }
HETC_UNARY(neg, NegOp)
HETC_UNARY(exp, ExpOp)
HETC_UNARY(log, LogOp)
HETC_UNARY(sqrt, SqrtOp)
HETC_UNARY(rsqrt, RsqrtOp)
HETC_UNARY(tanh, TanhOp)
HETC_UNARY(sigmoid, SigmoidOp)
HETC_UNARY(relu, ReluOp)
HETC_UNARY(abs, AbsOp)
HETC_UNARY(erf, ErfOp)
HETC_UNARY(sign, SignOp)
#undef HETC_UNARY

Tensor GraphBuilder::compare(const std::string &predicate, Tensor lhs,
                             Tensor rhs) {
  std::optional<ComparePredicate> p = symbolizeComparePredicate(predicate);
  if (!p)
    return impl->fail("unknown comparison '" + predicate +
                      "' (eq, ne, lt, le, gt or ge)");
  OpBuilder &b = impl->builder;
  return impl->create(
      CompareOp::getOperationName(), {lhs, rhs},
      {named(b, "predicate", ComparePredicateAttr::get(&impl->context, *p))});
}

Tensor GraphBuilder::where(Tensor condition, Tensor lhs, Tensor rhs) {
  return impl->create(WhereOp::getOperationName(), {condition, lhs, rhs});
}

Tensor GraphBuilder::clamp(Tensor x, std::optional<double> min,
                           std::optional<double> max) {
  OpBuilder &b = impl->builder;
  SmallVector<NamedAttribute> attrs;
  if (min)
    attrs.push_back(named(b, "min", b.getF64FloatAttr(*min)));
  if (max)
    attrs.push_back(named(b, "max", b.getF64FloatAttr(*max)));
  return impl->create(ClampOp::getOperationName(), {x}, attrs);
}

Tensor GraphBuilder::cast(Tensor x, ElementType type) {
  Value v = impl->value(x);
  if (!v)
    return impl->fail("operand of 'hetc.cast' is not a value of this graph");
  auto from = llvm::cast<RankedTensorType>(v.getType());
  return impl->createTyped(CastOp::getOperationName(), {x},
                           from.clone(impl->elementType(type)));
}

Tensor GraphBuilder::gather(Tensor x, Tensor indices, int64_t axis) {
  OpBuilder &b = impl->builder;
  return impl->create(GatherOp::getOperationName(), {x, indices},
                      {named(b, "axis", b.getI64IntegerAttr(axis))});
}

Tensor GraphBuilder::cumsum(Tensor x, int64_t axis, bool exclusive,
                            bool reverse) {
  OpBuilder &b = impl->builder;
  SmallVector<NamedAttribute> attrs = {
      named(b, "axis", b.getI64IntegerAttr(axis))};
  if (exclusive)
    attrs.push_back(named(b, "exclusive", b.getUnitAttr()));
  if (reverse)
    attrs.push_back(named(b, "reverse", b.getUnitAttr()));
  return impl->create(CumsumOp::getOperationName(), {x}, attrs);
}

Tensor GraphBuilder::gelu(Tensor x, bool tanhApproximation) {
  SmallVector<NamedAttribute> attrs;
  if (tanhApproximation)
    attrs.push_back(named(
        impl->builder, "approximate",
        GeluApproximationAttr::get(&impl->context, GeluApproximation::Tanh)));
  return impl->create(GeluOp::getOperationName(), {x}, attrs);
}

Tensor GraphBuilder::pow(Tensor x, double exponent) {
  OpBuilder &b = impl->builder;
  return impl->create(PowOp::getOperationName(), {x},
                      {named(b, "exponent", b.getF64FloatAttr(exponent))});
}

Tensor GraphBuilder::reduce(const std::string &kind, Tensor x,
                            const std::vector<int64_t> &axes, bool keepdims) {
  if (kind != "sum" && kind != "mean" && kind != "max" && kind != "min")
    return impl->fail("unknown reduction '" + kind +
                      "' (sum, mean, max or min)");
  OpBuilder &b = impl->builder;
  SmallVector<NamedAttribute> attrs = {
      named(b, "axes", b.getDenseI64ArrayAttr(axes))};
  if (keepdims)
    attrs.push_back(named(b, "keepdims", b.getUnitAttr()));
  llvm::StringRef name = kind == "sum"    ? ReduceSumOp::getOperationName()
                         : kind == "mean" ? ReduceMeanOp::getOperationName()
                         : kind == "max"  ? ReduceMaxOp::getOperationName()
                                          : ReduceMinOp::getOperationName();
  return impl->create(name, {x}, attrs);
}

Tensor GraphBuilder::softmax(Tensor x, int64_t axis) {
  OpBuilder &b = impl->builder;
  return impl->create(SoftmaxOp::getOperationName(), {x},
                      {named(b, "axis", b.getI64IntegerAttr(axis))});
}

Tensor GraphBuilder::logSoftmax(Tensor x, int64_t axis) {
  OpBuilder &b = impl->builder;
  return impl->create(LogSoftmaxOp::getOperationName(), {x},
                      {named(b, "axis", b.getI64IntegerAttr(axis))});
}

Tensor GraphBuilder::reshape(Tensor x, const std::vector<int64_t> &shape) {
  OpBuilder &b = impl->builder;
  return impl->create(ReshapeOp::getOperationName(), {x},
                      {named(b, "shape", b.getDenseI64ArrayAttr(shape))});
}

Tensor GraphBuilder::transpose(Tensor x,
                               const std::vector<int64_t> &permutation) {
  OpBuilder &b = impl->builder;
  return impl->create(
      TransposeOp::getOperationName(), {x},
      {named(b, "permutation", b.getDenseI64ArrayAttr(permutation))});
}

Tensor GraphBuilder::broadcastTo(Tensor x, const std::vector<int64_t> &shape) {
  OpBuilder &b = impl->builder;
  return impl->create(BroadcastToOp::getOperationName(), {x},
                      {named(b, "shape", b.getDenseI64ArrayAttr(shape))});
}

Tensor GraphBuilder::concat(const std::vector<Tensor> &inputs, int64_t axis) {
  OpBuilder &b = impl->builder;
  return impl->create(ConcatOp::getOperationName(), inputs,
                      {named(b, "axis", b.getI64IntegerAttr(axis))});
}

Tensor GraphBuilder::slice(Tensor x, const std::vector<int64_t> &offsets,
                           const std::vector<int64_t> &sizes,
                           const std::vector<int64_t> &strides) {
  OpBuilder &b = impl->builder;
  return impl->create(SliceOp::getOperationName(), {x},
                      {named(b, "offsets", b.getDenseI64ArrayAttr(offsets)),
                       named(b, "sizes", b.getDenseI64ArrayAttr(sizes)),
                       named(b, "strides", b.getDenseI64ArrayAttr(strides))});
}

Tensor GraphBuilder::matmul(Tensor lhs, Tensor rhs, bool transposeLhs,
                            bool transposeRhs) {
  OpBuilder &b = impl->builder;
  SmallVector<NamedAttribute> attrs;
  if (transposeLhs)
    attrs.push_back(named(b, "transpose_lhs", b.getUnitAttr()));
  if (transposeRhs)
    attrs.push_back(named(b, "transpose_rhs", b.getUnitAttr()));
  return impl->create(MatmulOp::getOperationName(), {lhs, rhs}, attrs);
}

Tensor GraphBuilder::conv2d(Tensor input, Tensor weight, Tensor bias,
                            const std::vector<int64_t> &strides,
                            const std::vector<int64_t> &padding,
                            const std::vector<int64_t> &dilation,
                            int64_t groups) {
  OpBuilder &b = impl->builder;
  SmallVector<Tensor> operands = {input, weight};
  if (bias.valid())
    operands.push_back(bias);
  return impl->create(Conv2DOp::getOperationName(), operands,
                      {named(b, "strides", b.getDenseI64ArrayAttr(strides)),
                       named(b, "padding", b.getDenseI64ArrayAttr(padding)),
                       named(b, "dilation", b.getDenseI64ArrayAttr(dilation)),
                       named(b, "groups", b.getI64IntegerAttr(groups))});
}

Tensor GraphBuilder::convTranspose2d(Tensor input, Tensor weight, Tensor bias,
                                     const std::vector<int64_t> &strides,
                                     const std::vector<int64_t> &padding,
                                     const std::vector<int64_t> &outputPadding,
                                     const std::vector<int64_t> &dilation,
                                     int64_t groups) {
  OpBuilder &b = impl->builder;
  SmallVector<Tensor> operands = {input, weight};
  if (bias.valid())
    operands.push_back(bias);
  return impl->create(
      ConvTranspose2DOp::getOperationName(), operands,
      {named(b, "strides", b.getDenseI64ArrayAttr(strides)),
       named(b, "padding", b.getDenseI64ArrayAttr(padding)),
       named(b, "output_padding", b.getDenseI64ArrayAttr(outputPadding)),
       named(b, "dilation", b.getDenseI64ArrayAttr(dilation)),
       named(b, "groups", b.getI64IntegerAttr(groups))});
}

Tensor GraphBuilder::maxPool2d(Tensor input, const std::vector<int64_t> &kernel,
                               const std::vector<int64_t> &strides,
                               const std::vector<int64_t> &padding,
                               const std::vector<int64_t> &dilation,
                               bool ceilMode) {
  OpBuilder &b = impl->builder;
  SmallVector<NamedAttribute> attrs = {
      named(b, "kernel_size", b.getDenseI64ArrayAttr(kernel)),
      named(b, "strides", b.getDenseI64ArrayAttr(strides)),
      named(b, "padding", b.getDenseI64ArrayAttr(padding)),
      named(b, "dilation", b.getDenseI64ArrayAttr(dilation))};
  if (ceilMode)
    attrs.push_back(named(b, "ceil_mode", b.getUnitAttr()));
  return impl->create(MaxPool2DOp::getOperationName(), {input}, attrs);
}

Tensor GraphBuilder::avgPool2d(Tensor input, const std::vector<int64_t> &kernel,
                               const std::vector<int64_t> &strides,
                               const std::vector<int64_t> &padding,
                               bool countIncludePad, bool ceilMode) {
  OpBuilder &b = impl->builder;
  SmallVector<NamedAttribute> attrs = {
      named(b, "kernel_size", b.getDenseI64ArrayAttr(kernel)),
      named(b, "strides", b.getDenseI64ArrayAttr(strides)),
      named(b, "padding", b.getDenseI64ArrayAttr(padding)),
      named(b, "count_include_pad", b.getBoolAttr(countIncludePad))};
  if (ceilMode)
    attrs.push_back(named(b, "ceil_mode", b.getUnitAttr()));
  return impl->create(AvgPool2DOp::getOperationName(), {input}, attrs);
}

Tensor GraphBuilder::adaptiveAvgPool2d(Tensor input,
                                       const std::vector<int64_t> &outputSize) {
  OpBuilder &b = impl->builder;
  return impl->create(
      AdaptiveAvgPool2DOp::getOperationName(), {input},
      {named(b, "output_size", b.getDenseI64ArrayAttr(outputSize))});
}

Tensor GraphBuilder::upsample(Tensor input, const std::vector<int64_t> &size,
                              const std::string &mode, bool alignCorners) {
  std::optional<UpsampleMode> kind = symbolizeUpsampleMode(mode);
  if (!kind)
    return impl->fail("unknown upsampling mode '" + mode +
                      "' (nearest or bilinear)");
  OpBuilder &b = impl->builder;
  SmallVector<NamedAttribute> attrs = {
      named(b, "size", b.getDenseI64ArrayAttr(size)),
      named(b, "mode", UpsampleModeAttr::get(&impl->context, *kind))};
  if (alignCorners)
    attrs.push_back(named(b, "align_corners", b.getUnitAttr()));
  return impl->create(UpsampleOp::getOperationName(), {input}, attrs);
}

Tensor GraphBuilder::pad(Tensor input, const std::vector<int64_t> &padding,
                         const std::string &mode, double value) {
  std::optional<PadMode> kind = symbolizePadMode(mode);
  if (!kind)
    return impl->fail("unknown padding mode '" + mode +
                      "' (constant, reflect or edge)");
  OpBuilder &b = impl->builder;
  return impl->create(
      PadOp::getOperationName(), {input},
      {named(b, "padding", b.getDenseI64ArrayAttr(padding)),
       named(b, "mode", PadModeAttr::get(&impl->context, *kind)),
       named(b, "value", b.getF64FloatAttr(value))});
}

Tensor GraphBuilder::batchNorm(Tensor input, Tensor scale, Tensor bias,
                               double epsilon) {
  OpBuilder &b = impl->builder;
  return impl->create(BatchNormOp::getOperationName(), {input, scale, bias},
                      {named(b, "epsilon", b.getF64FloatAttr(epsilon))});
}

namespace {
/// The shape [C, 1, ...] that broadcasts a per-channel vector against an
/// [N, C, ...] input.
std::vector<int64_t> channelShape(const std::vector<int64_t> &inputShape) {
  std::vector<int64_t> shape(inputShape.size() - 1, 1);
  shape[0] = inputShape[1];
  return shape;
}
} // namespace

Tensor GraphBuilder::batchNormInference(Tensor input, Tensor scale, Tensor bias,
                                        Tensor mean, Tensor variance,
                                        double epsilon) {
  std::vector<int64_t> inputShape = shape(input);
  if (inputShape.size() < 2)
    return impl->fail("batch normalization needs an [N, C, ...] input");
  std::vector<int64_t> perChannel = channelShape(inputShape);
  // y = (x - mean) * (scale * rsqrt(var + eps)) + bias, per channel.
  Tensor eps = scalar(epsilon);
  Tensor shifted = add(variance, eps);
  Tensor inverse = rsqrt(shifted);
  Tensor factor = mul(scale, inverse);
  Tensor factorC = reshape(factor, perChannel);
  Tensor meanC = reshape(mean, perChannel);
  Tensor biasC = reshape(bias, perChannel);
  Tensor centered = sub(input, meanC);
  Tensor scaled = mul(centered, factorC);
  return add(scaled, biasC);
}

std::vector<Tensor> GraphBuilder::batchNormRunningStats(Tensor input,
                                                        Tensor runningMean,
                                                        Tensor runningVariance,
                                                        double momentum) {
  std::vector<int64_t> inputShape = shape(input);
  if (inputShape.size() < 2) {
    impl->fail("batch normalization needs an [N, C, ...] input");
    return {};
  }
  std::vector<int64_t> axes = {0};
  int64_t count = inputShape[0];
  for (size_t d = 2; d < inputShape.size(); ++d) {
    axes.push_back(d);
    count *= inputShape[d];
  }
  if (count < 2) {
    impl->fail("batch normalization in training mode needs more than one "
               "value per channel (torch raises the same)");
    return {};
  }
  // torch: running = (1 - m) * running + m * batch, with the unbiased
  // variance sum((x - mean)^2) / (count - 1).
  Tensor mean = reduce("mean", input, axes, /*keepdims=*/true);
  Tensor centered = sub(input, mean);
  Tensor squared = mul(centered, centered);
  Tensor sum = reduce("sum", squared, axes);
  Tensor variance = mul(sum, scalar(1.0 / static_cast<double>(count - 1)));
  Tensor meanFlat = reduce("mean", input, axes);
  Tensor keep = scalar(1.0 - momentum);
  Tensor take = scalar(momentum);
  // One op per statement: argument evaluation order is unspecified.
  Tensor keptMean = mul(runningMean, keep);
  Tensor newMean = add(keptMean, mul(meanFlat, take));
  Tensor keptVariance = mul(runningVariance, keep);
  Tensor newVariance = add(keptVariance, mul(variance, take));
  if (!impl->error.empty())
    return {};
  return {newMean, newVariance};
}

Tensor GraphBuilder::layerNorm(Tensor input, Tensor scale, Tensor bias,
                               double epsilon) {
  OpBuilder &b = impl->builder;
  return impl->create(LayerNormOp::getOperationName(), {input, scale, bias},
                      {named(b, "epsilon", b.getF64FloatAttr(epsilon))});
}

Tensor GraphBuilder::embedding(Tensor table, Tensor indices) {
  return impl->create(EmbeddingOp::getOperationName(), {table, indices});
}

Tensor GraphBuilder::dropout(Tensor input, Tensor seed, double p) {
  OpBuilder &b = impl->builder;
  return impl->create(DropoutOp::getOperationName(), {input, seed},
                      {named(b, "p", b.getF64FloatAttr(p))});
}

Tensor GraphBuilder::crossEntropy(Tensor logits, Tensor labels) {
  return impl->create(CrossEntropyOp::getOperationName(), {logits, labels});
}

Tensor GraphBuilder::mse(Tensor input, Tensor target) {
  return impl->create(MseOp::getOperationName(), {input, target});
}
