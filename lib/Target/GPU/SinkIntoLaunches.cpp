//===- SinkIntoLaunches.cpp - kernels take whole buffers ------------------===//

#include "hetc/Target/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCGPUSINKINTOLAUNCHES
#include "hetc/Target/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {

bool isSinkable(Operation *op) {
  return op && op->getNumRegions() == 0 && op->getNumResults() == 1 &&
         isa<arith::ConstantOp, ViewLikeOpInterface>(op);
}

/// Clones `value`'s sinkable producer chain into `launch`'s body (once) and
/// returns the value to use inside.
Value sink(Value value, OpBuilder &builder, IRMapping &mapping) {
  if (Value mapped = mapping.lookupOrNull(value))
    return mapped;
  Operation *op = value.getDefiningOp();
  if (!isSinkable(op))
    return value;
  for (Value operand : op->getOperands())
    sink(operand, builder, mapping);
  Operation *clone = builder.clone(*op, mapping);
  return clone->getResult(0);
}

struct HetcGPUSinkIntoLaunchesPass
    : mlir::hetc::impl::HetcGPUSinkIntoLaunchesBase<
          HetcGPUSinkIntoLaunchesPass> {
  void runOnOperation() override {
    getOperation().walk([&](gpu::LaunchOp launch) {
      SetVector<Value> usedAbove;
      getUsedValuesDefinedAbove(launch.getBody(), usedAbove);
      OpBuilder builder(&launch.getBody().front(),
                        launch.getBody().front().begin());
      IRMapping mapping;
      for (Value value : usedAbove) {
        if (!isSinkable(value.getDefiningOp()))
          continue;
        Value inside = sink(value, builder, mapping);
        replaceAllUsesInRegionWith(value, inside, launch.getBody());
      }
    });
  }
};
} // namespace
