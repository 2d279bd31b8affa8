//===- Autodiff.cpp - the hetc-autodiff pass ------------------------------===//

#include "hetc/Dialect/Hetc/Autodiff.h"
#include "hetc/Dialect/Hetc/HetcOps.h"
#include "hetc/Dialect/Hetc/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCAUTODIFF
#include "hetc/Dialect/Hetc/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {
struct HetcAutodiffPass : mlir::hetc::impl::HetcAutodiffBase<HetcAutodiffPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<SmallVector<func::FuncOp>> models =
        collectModels(module, entry, /*allowNone=*/true);
    if (failed(models))
      return signalPassFailure();
    SymbolTable symbols(module);
    for (func::FuncOp model : *models) {
      if (failed(verifyModelContract(model)))
        return signalPassFailure();
      std::string name = (model.getSymName() + "_grad").str();
      if (Operation *existing = symbols.lookup(name)) {
        existing->emitError()
            << "the module already defines '" << name << "', the gradient of '"
            << model.getSymName() << "'";
        return signalPassFailure();
      }
      OpBuilder b(model);
      b.setInsertionPointAfter(model);
      auto grad = cast<func::FuncOp>(b.clone(*model.getOperation()));
      grad.setSymName(name);
      symbols.insert(grad);
      grad->setAttr(HetcDialect::kGeneratedAttrName, b.getUnitAttr());
      grad->setAttr(HetcDialect::kGradOfAttrName,
                    FlatSymbolRefAttr::get(model));

      SmallVector<Value> params;
      for (unsigned i = 0, e = grad.getNumArguments(); i < e; ++i)
        if (grad.getArgAttr(i, HetcDialect::kParamAttrName))
          params.push_back(grad.getArgument(i));
      AutodiffOptions options;
      options.rematerialize = rematerialize;
      FailureOr<SmallVector<Value>> grads =
          buildGradients(grad, params, options);
      if (failed(grads))
        return signalPassFailure();

      auto ret = cast<func::ReturnOp>(grad.getBody().front().getTerminator());
      SmallVector<Value> results = {ret.getOperand(0)};
      results.append(grads->begin(), grads->end());
      b.setInsertionPoint(ret);
      func::ReturnOp::create(b, ret.getLoc(), results);
      ret.erase();
      grad.setFunctionType(b.getFunctionType(grad.getArgumentTypes(),
                                             ValueRange(results).getTypes()));
      // Gradients are new results: drop the model's result attributes.
      grad.removeResAttrsAttr();
    }
  }
};
} // namespace
