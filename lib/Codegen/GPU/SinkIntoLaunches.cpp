//===- SinkIntoLaunches.cpp - kernels take whole buffers ------------------===//

#include "Utils.h"
#include "hetc/Codegen/GPU/Passes.h"

#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCGPUSINKINTOLAUNCHES
#include "hetc/Codegen/GPU/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;
using namespace mlir::hetc::gpu_lowering;

namespace {

bool isSinkable(Operation *op) {
  return op && op->getNumRegions() == 0 && op->getNumResults() == 1 &&
         isa<arith::ConstantOp, ViewLikeOpInterface>(op);
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
        Value inside = cloneProducers(value, builder, mapping, isSinkable);
        replaceAllUsesInRegionWith(value, inside, launch.getBody());
      }
    });
  }
};
} // namespace
