//===- DropTiedResults.cpp - drop results aliasing their argument ---------===//

#include "hetc/Codegen/Common/Passes.h"
#include "hetc/Dialect/Hetc/HetcDialect.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/BitVector.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCDROPTIEDRESULTS
#include "hetc/Codegen/Common/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {
struct HetcDropTiedResultsPass
    : mlir::hetc::impl::HetcDropTiedResultsBase<HetcDropTiedResultsPass> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    auto tied = fn->getAttrOfType<DenseI64ArrayAttr>(HetcDialect::kTiedResultsAttrName);
    if (!tied || fn.isExternal())
      return;
    if (static_cast<int64_t>(tied.size()) != fn.getNumResults()) {
      fn.emitOpError() << "hetc.tied_results lists " << tied.size()
                       << " results but the function has "
                       << fn.getNumResults();
      return signalPassFailure();
    }
    llvm::BitVector drop(fn.getNumResults());
    OpBuilder b(fn.getContext());
    fn.walk([&](func::ReturnOp ret) {
      b.setInsertionPoint(ret);
      for (auto [i, arg] : llvm::enumerate(tied.asArrayRef())) {
        if (arg < 0)
          continue;
        drop.set(i);
        Value value = ret.getOperand(i);
        Value dest = fn.getArgument(arg);
        if (value != dest)
          memref::CopyOp::create(b, ret.getLoc(), value, dest);
      }
    });
    fn.walk([&](func::ReturnOp ret) { ret->eraseOperands(drop); });
    if (failed(fn.eraseResults(drop))) {
      fn.emitOpError() << "could not drop the tied results";
      return signalPassFailure();
    }
    fn->removeAttr(HetcDialect::kTiedResultsAttrName);
  }
};
} // namespace
