//===- SplitReductions.cpp - two-stage reductions for GPUs ----------------===//

#include "hetc/Target/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCGPUSPLITREDUCTIONS
#include "hetc/Target/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {

/// The divisor of `size` closest to `target`, or 1.
int64_t nearestDivisor(int64_t size, int64_t target) {
  int64_t best = 1;
  for (int64_t d = 2; d * d <= size; ++d) {
    if (size % d)
      continue;
    for (int64_t candidate : {d, size / d})
      if (std::abs(candidate - target) < std::abs(best - target))
        best = candidate;
  }
  return best;
}

struct HetcGPUSplitReductionsPass
    : mlir::hetc::impl::HetcGPUSplitReductionsBase<
          HetcGPUSplitReductionsPass> {
  using Base::Base;

  /// The number of partial reductions for `op`, or 0 to leave it alone.
  int64_t chooseRatio(linalg::LinalgOp op) const {
    if (op.getNumReductionLoops() != 1 || op.getNumDpsInits() != 1 ||
        !op.hasPureTensorSemantics())
      return 0;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t reduced = 1, outputs = 1;
    for (auto [range, iterator] :
         llvm::zip(ranges, op.getIteratorTypesArray())) {
      if (ShapedType::isDynamic(range))
        return 0;
      ((iterator == utils::IteratorType::reduction) ? reduced : outputs) *= range;
    }
    if (reduced < minSize || outputs > maxOutputs)
      return 0;
    int64_t ratio = nearestDivisor(reduced, std::max<int64_t>(
                                                reduced / chunk, 2));
    return ratio >= 4 ? ratio : 0;
  }

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (chooseRatio(op))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : candidates) {
      rewriter.setInsertionPoint(op);
      int64_t ratio = chooseRatio(op);
      auto control = [&](linalg::LinalgOp) {
        // The new parallel dimension goes first: partial i covers chunk i.
        return linalg::SplitReductionOptions{ratio, /*index=*/0,
                                             /*innerParallel=*/false};
      };
      // Ops whose combiner splitReduction cannot identify stay whole: they
      // are still correct, only less parallel.
      (void)linalg::splitReduction(rewriter, op, control);
    }
  }
};

} // namespace
