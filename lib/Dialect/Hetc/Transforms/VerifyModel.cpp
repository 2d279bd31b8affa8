//===- VerifyModel.cpp - check the hetc model contract ----------*- C++ -*-===//
//
// Autodiff, the runtime and the Python API all read a model's argument roles
// and its loss result; this pass rejects models they could not handle, with
// a diagnostic at the offending argument or op.
//
//===----------------------------------------------------------------------===//

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
  if (fn->hasAttr(kGeneratedAttrName))
    return false;
  for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i)
    if (fn.getArgAttr(i, HetcDialect::kParamAttrName))
      return true;
  return false;
}

LogicalResult mlir::hetc::verifyModelContract(func::FuncOp fn) {
  if (fn.isExternal())
    return fn.emitOpError() << "model '" << fn.getSymName() << "' has no body";
  bool ok = true;
  bool hasParam = false;
  for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i) {
    bool param =
        static_cast<bool>(fn.getArgAttr(i, HetcDialect::kParamAttrName));
    bool input =
        static_cast<bool>(fn.getArgAttr(i, HetcDialect::kInputAttrName));
    bool label =
        static_cast<bool>(fn.getArgAttr(i, HetcDialect::kLabelAttrName));
    hasParam |= param;
    if (!param && !input && !label) {
      emitError(fn.getArgument(i).getLoc())
          << "argument #" << i << " of model '" << fn.getSymName()
          << "' has no role: mark it hetc.param, hetc.input or hetc.label";
      ok = false;
    }
  }
  if (!hasParam) {
    fn.emitOpError() << "model '" << fn.getSymName()
                     << "' has no hetc.param argument to train";
    ok = false;
  }
  ArrayRef<Type> results = fn.getResultTypes();
  auto loss = results.empty() ? RankedTensorType()
                              : dyn_cast<RankedTensorType>(results.front());
  if (!loss || loss.getRank() != 0 ||
      !isa<Float32Type, Float16Type, BFloat16Type>(loss.getElementType())) {
    fn.emitOpError() << "model '" << fn.getSymName()
                     << "' must return its loss as the first result, a 0-d "
                        "f32, f16 or bf16 tensor";
    ok = false;
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
    for (func::FuncOp fn : *models)
      failedAny |= failed(verifyModelContract(fn));
    if (failedAny)
      signalPassFailure();
    markAllAnalysesPreserved();
  }
};
} // namespace
