//===- VerifyModel.cpp - check the hetc model contract ----------*- C++ -*-===//
//
// Autodiff, the runtime and the Python API all read a model's argument roles
// and its loss result; this pass rejects models they could not handle, with
// a diagnostic at the offending argument or op.
//
//===----------------------------------------------------------------------===//

#include "../OpInference.h"
#include "hetc/Dialect/Hetc/HetcOps.h"
#include "hetc/Dialect/Hetc/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCVERIFYMODEL
#include "hetc/Dialect/Hetc/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

bool mlir::hetc::isModelFunction(func::FuncOp fn) {
  if (fn->hasAttr(HetcDialect::kGeneratedAttrName) ||
      fn->hasAttr(HetcDialect::kEvalOfAttrName))
    return false;
  for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i)
    if (fn.getArgAttr(i, HetcDialect::kParamAttrName))
      return true;
  return false;
}

StringRef mlir::hetc::getArgumentRole(func::FuncOp fn, unsigned index) {
  for (StringRef role :
       {HetcDialect::kParamAttrName, HetcDialect::kBufferAttrName,
        HetcDialect::kInputAttrName, HetcDialect::kLabelAttrName})
    if (fn.getArgAttr(index, role))
      return role;
  return StringRef();
}

std::string mlir::hetc::getArgumentName(func::FuncOp fn, unsigned index) {
  if (auto name =
          fn.getArgAttrOfType<StringAttr>(index, HetcDialect::kNameAttrName))
    return name.getValue().str();
  // The manifest's default: the role without "hetc.", numbered per role.
  StringRef role = getArgumentRole(fn, index);
  if (role.empty())
    return ("arg" + Twine(index)).str();
  unsigned position = 0;
  for (unsigned i = 0; i < index; ++i)
    position += getArgumentRole(fn, i) == role ? 1 : 0;
  return (role.drop_front(5) + Twine(position)).str();
}

/// False for a tensor whose element count or byte size overflows int64:
/// every later size computation would be undefined.
static bool isSizedTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return !tensor || !tensor.hasStaticShape() ||
         checkedElementCount(tensor.getShape(),
                             elementBytes(tensor.getElementType()));
}

/// Checks what a model and its eval-mode function share: roles on every
/// argument, unique names, the loss first and the buffer updates after it.
static bool verifyArgumentsAndResults(func::FuncOp fn, StringRef what) {
  bool ok = true;
  llvm::StringMap<unsigned> seen;
  for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i) {
    if (getArgumentRole(fn, i).empty()) {
      emitError(fn.getArgument(i).getLoc())
          << "argument #" << i << " of " << what << " '" << fn.getSymName()
          << "' has no role: mark it hetc.param, hetc.buffer, hetc.input or "
             "hetc.label";
      ok = false;
      continue;
    }
    // Two arguments of one name would silently become one session tensor.
    std::string name = getArgumentName(fn, i);
    if (!isSizedTensor(fn.getArgumentTypes()[i])) {
      emitError(fn.getArgument(i).getLoc())
          << "argument #" << i << " '" << name << "' of " << what << " '"
          << fn.getSymName() << "' has type " << fn.getArgumentTypes()[i]
          << ", whose element count or byte size overflows 64 bits";
      ok = false;
      continue;
    }
    auto [it, inserted] = seen.try_emplace(name, i);
    if (!inserted) {
      emitError(fn.getArgument(i).getLoc())
          << "argument #" << i << " of " << what << " '" << fn.getSymName()
          << "' is named '" << name << "' like argument #" << it->second;
      ok = false;
    }
  }
  ArrayRef<Type> results = fn.getResultTypes();
  for (auto [i, type] : llvm::enumerate(results)) {
    if (isSizedTensor(type))
      continue;
    fn.emitOpError() << "result #" << i << " of " << what << " '"
                     << fn.getSymName() << "' has type " << type
                     << ", whose element count or byte size overflows 64 bits";
    ok = false;
  }
  auto loss = results.empty() ? RankedTensorType()
                              : dyn_cast<RankedTensorType>(results.front());
  if (!loss || loss.getRank() != 0 ||
      !isa<Float32Type, Float16Type, BFloat16Type>(loss.getElementType())) {
    fn.emitOpError() << what << " '" << fn.getSymName()
                     << "' must return its loss as the first result, a 0-d "
                        "f32, f16 or bf16 tensor";
    ok = false;
  }
  llvm::DenseMap<int64_t, unsigned> updated;
  for (unsigned r = 0, e = fn.getNumResults(); r < e; ++r) {
    Attribute attr = fn.getResultAttr(r, HetcDialect::kBufferUpdateAttrName);
    if (!attr)
      continue;
    auto index = dyn_cast<IntegerAttr>(attr);
    int64_t arg = index ? index.getInt() : -1;
    auto fail = [&]() -> InFlightDiagnostic {
      ok = false;
      return fn.emitOpError() << "result #" << r << " of " << what << " '"
                              << fn.getSymName() << "': ";
    };
    if (!index) {
      fail() << "'hetc.buffer_update' must be an integer argument index";
      continue;
    }
    if (r == 0) {
      fail() << "the loss cannot be a buffer update; buffer updates come "
                "after the loss";
      continue;
    }
    if (arg < 0 || arg >= static_cast<int64_t>(fn.getNumArguments()) ||
        !fn.getArgAttr(arg, HetcDialect::kBufferAttrName)) {
      fail() << "hetc.buffer_update = " << arg
             << " does not name a hetc.buffer argument";
      continue;
    }
    if (fn.getArgumentTypes()[arg] != results[r]) {
      fail() << "has type " << results[r]
             << " but the buffer it updates (argument #" << arg << ") has type "
             << fn.getArgumentTypes()[arg];
      continue;
    }
    auto [it, inserted] = updated.try_emplace(arg, r);
    if (!inserted)
      fail() << "updates buffer argument #" << arg << " again (result #"
             << it->second << " already does)";
  }
  fn.walk([&](Operation *op) {
    // Unregistered ops have no dialect.
    if (op == fn.getOperation() ||
        isa_and_present<HetcDialect>(op->getDialect()) ||
        isa<arith::ConstantOp, func::ReturnOp>(op))
      return;
    op->emitOpError() << "is not supported in a hetc model (only hetc ops, "
                         "arith.constant and func.return are)";
    ok = false;
  });
  return ok;
}

LogicalResult mlir::hetc::verifyModelContract(func::FuncOp fn) {
  if (fn.isExternal())
    return fn.emitOpError() << "model '" << fn.getSymName() << "' has no body";
  bool ok = verifyArgumentsAndResults(fn, "model");
  bool hasParam = false;
  for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i)
    hasParam |=
        static_cast<bool>(fn.getArgAttr(i, HetcDialect::kParamAttrName));
  if (!hasParam) {
    fn.emitOpError() << "model '" << fn.getSymName()
                     << "' has no hetc.param argument to train";
    ok = false;
  }
  return success(ok);
}

FailureOr<func::FuncOp> mlir::hetc::findEvalFunction(func::FuncOp model) {
  auto module = model->getParentOfType<ModuleOp>();
  func::FuncOp found;
  for (auto fn : module.getOps<func::FuncOp>()) {
    auto of = fn->getAttrOfType<StringAttr>(HetcDialect::kEvalOfAttrName);
    if (!of || of.getValue() != model.getSymName())
      continue;
    if (found)
      return fn.emitOpError() << "is a second eval-mode function of model '"
                              << model.getSymName() << "' ('"
                              << found.getSymName() << "' is the first)";
    found = fn;
  }
  return found;
}

LogicalResult mlir::hetc::verifyEvalFunction(func::FuncOp eval,
                                             func::FuncOp model) {
  if (eval.isExternal())
    return eval.emitOpError()
           << "eval-mode function '" << eval.getSymName() << "' has no body";
  bool ok = verifyArgumentsAndResults(eval, "eval-mode function");
  llvm::StringMap<unsigned> modelArgs;
  for (unsigned i = 0, e = model.getNumArguments(); i < e; ++i)
    modelArgs.try_emplace(getArgumentName(model, i), i);
  for (unsigned i = 0, e = eval.getNumArguments(); i < e; ++i) {
    StringRef role = getArgumentRole(eval, i);
    if (role.empty())
      continue;
    std::string name = getArgumentName(eval, i);
    auto it = modelArgs.find(name);
    if (it == modelArgs.end()) {
      emitError(eval.getArgument(i).getLoc())
          << "argument #" << i << " of eval-mode function '"
          << eval.getSymName() << "' is named '" << name
          << "', which no argument of model '" << model.getSymName() << "' is";
      ok = false;
      continue;
    }
    unsigned m = it->second;
    if (getArgumentRole(model, m) != role) {
      emitError(eval.getArgument(i).getLoc())
          << "argument #" << i << " ('" << name << "') of eval-mode function '"
          << eval.getSymName() << "' is " << role << " but it is "
          << getArgumentRole(model, m) << " in model '" << model.getSymName()
          << "'";
      ok = false;
      continue;
    }
    if (eval.getArgumentTypes()[i] != model.getArgumentTypes()[m] ||
        eval.getArgAttr(i, role) != model.getArgAttr(m, role)) {
      emitError(eval.getArgument(i).getLoc())
          << "argument #" << i << " ('" << name << "') of eval-mode function '"
          << eval.getSymName() << "' is " << eval.getArgumentTypes()[i] << " {"
          << role << " = " << eval.getArgAttr(i, role) << "} but model '"
          << model.getSymName() << "' has " << model.getArgumentTypes()[m]
          << " {" << role << " = " << model.getArgAttr(m, role) << "}";
      ok = false;
    }
  }
  return success(ok);
}

FailureOr<SmallVector<func::FuncOp>>
mlir::hetc::collectModels(ModuleOp module, llvm::StringRef entry,
                          bool allowNone) {
  SmallVector<func::FuncOp> models;
  if (!entry.empty()) {
    auto fn = module.lookupSymbol<func::FuncOp>(entry);
    if (!fn)
      return module.emitError()
             << "no function named '" << entry << "' in the module";
    models.push_back(fn);
    return models;
  }
  for (auto fn : module.getOps<func::FuncOp>())
    if (isModelFunction(fn))
      models.push_back(fn);
  if (models.empty() && !allowNone)
    return module.emitError()
           << "module has no model: no function has a hetc.param argument";
  return models;
}

namespace {
struct HetcVerifyModelPass
    : mlir::hetc::impl::HetcVerifyModelBase<HetcVerifyModelPass> {
  using Base::Base;

  void runOnOperation() override {
    FailureOr<SmallVector<func::FuncOp>> models =
        collectModels(getOperation(), entry, /*allowNone=*/false);
    if (failed(models))
      return signalPassFailure();
    bool failedAny = false;
    for (func::FuncOp fn : *models) {
      failedAny |= failed(verifyModelContract(fn));
      FailureOr<func::FuncOp> eval = findEvalFunction(fn);
      failedAny |=
          failed(eval) || (*eval && failed(verifyEvalFunction(*eval, fn)));
    }
    // An eval-mode function must belong to a model of this module.
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      auto of = fn->getAttrOfType<StringAttr>(HetcDialect::kEvalOfAttrName);
      if (!fn->hasAttr(HetcDialect::kEvalOfAttrName))
        continue;
      auto model = of ? getOperation().lookupSymbol<func::FuncOp>(of.getValue())
                      : func::FuncOp();
      if (!model || !isModelFunction(model)) {
        fn.emitOpError() << "'" << HetcDialect::kEvalOfAttrName
                         << "' must name a model function of the module";
        failedAny = true;
      }
    }
    if (failedAny)
      signalPassFailure();
    markAllAnalysesPreserved();
  }
};
} // namespace
