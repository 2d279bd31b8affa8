//===- DistinctResults.cpp - one buffer per returned tensor ---------------===//
//
// Copies a tensor a function returns more than once, so that bufferization
// gives each result a buffer of its own.
//
//===----------------------------------------------------------------------===//

#include "hetc/Codegen/Common/Passes.h"

#include "llvm/ADT/DenseSet.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCDISTINCTRESULTS
#include "hetc/Codegen/Common/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;

namespace {

struct HetcDistinctResultsPass
    : mlir::hetc::impl::HetcDistinctResultsBase<HetcDistinctResultsPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      llvm::DenseSet<Value> seen;
      OpBuilder b(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        Value value = operand.get();
        auto type = dyn_cast<RankedTensorType>(value.getType());
        if (!type || seen.insert(value).second)
          continue;
        operand.set(bufferization::AllocTensorOp::create(b, ret.getLoc(), type,
                                                         ValueRange(), value));
      }
    });
  }
};

} // namespace
