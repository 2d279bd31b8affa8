//===- SerializeSmallLoops.cpp - small scf.parallel to scf.for ------------===//

#include "hetc/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCCPUSERIALIZESMALLLOOPS
#include "hetc/Codegen/CPU/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

/// The loop's static trip count, or nothing when a bound is dynamic.
static std::optional<int64_t> tripCount(scf::ParallelOp loop) {
  int64_t total = 1;
  for (auto [lb, ub, step] :
       llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    std::optional<int64_t> l = getConstantIntValue(lb),
                           u = getConstantIntValue(ub),
                           s = getConstantIntValue(step);
    if (!l || !u || !s || *s <= 0)
      return std::nullopt;
    total *= std::max<int64_t>(0, (*u - *l + *s - 1) / *s);
  }
  return total;
}

namespace {
struct HetcCPUSerializeSmallLoopsPass
    : mlir::hetc::impl::HetcCPUSerializeSmallLoopsBase<
          HetcCPUSerializeSmallLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<scf::ParallelOp> small;
    getOperation().walk([&](scf::ParallelOp loop) {
      std::optional<int64_t> trips = tripCount(loop);
      // A call (the GEMM ukernel) is a large amount of work per iteration.
      bool calls =
          loop.getBody()
              ->walk([](func::CallOp) { return WalkResult::interrupt(); })
              .wasInterrupted();
      if (loop.getInitVals().empty() && trips && *trips < minIterations &&
          !calls)
        small.push_back(loop);
    });
    for (scf::ParallelOp loop : small) {
      OpBuilder b(loop);
      IRMapping mapping;
      // One scf.for per dimension, innermost last; the body moves inside.
      SmallVector<scf::ForOp> nest;
      for (auto [iv, lb, ub, step] :
           llvm::zip(loop.getInductionVars(), loop.getLowerBound(),
                     loop.getUpperBound(), loop.getStep())) {
        auto forOp = scf::ForOp::create(b, loop.getLoc(), lb, ub, step);
        mapping.map(iv, forOp.getInductionVar());
        b.setInsertionPoint(forOp.getBody()->getTerminator());
        nest.push_back(forOp);
      }
      for (Operation &op : loop.getBody()->without_terminator())
        b.clone(op, mapping);
      loop.erase();
    }
  }
};
} // namespace
