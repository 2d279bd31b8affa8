//===- SplitReductions.cpp - two-stage reductions for GPUs ----------------===//

#include "hetc/Codegen/GPU/Passes.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCGPUSPLITREDUCTIONS
#include "hetc/Codegen/GPU/Passes.h.inc"
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

/// Splits a reduction over several dimensions at `dim`, one of them: the
/// first stage reduces the others into partials indexed by `dim` (now
/// parallel), the second combines the partials. linalg::splitReduction
/// handles one reduced dimension only; batch-norm statistics reduce three.
LogicalResult splitAtDimension(RewriterBase &b, linalg::GenericOp op,
                               unsigned dim) {
  SmallVector<Operation *> combiners;
  if (!matchReduction(op.getRegionOutputArgs(), 0, combiners) ||
      combiners.size() != 1)
    return failure();
  Operation *combiner = combiners.front();
  std::optional<TypedAttr> neutral = arith::getNeutralElement(combiner);
  if (!neutral || combiner->getNumOperands() != 2)
    return failure();
  Location loc = op.getLoc();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  Value init = op.getDpsInits()[0];
  auto initType = cast<RankedTensorType>(init.getType());
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap outMap = maps.back();

  // Stage 1: partials[dim, out...], `dim` parallel, from the neutral value.
  SmallVector<int64_t> partialShape = {ranges[dim]};
  llvm::append_range(partialShape, initType.getShape());
  Value empty =
      tensor::EmptyOp::create(b, loc, partialShape, initType.getElementType());
  Value identity = arith::ConstantOp::create(b, loc, *neutral);
  Value partialInit =
      linalg::FillOp::create(b, loc, identity, empty).getResult(0);
  SmallVector<AffineExpr> partialResults = {b.getAffineDimExpr(dim)};
  llvm::append_range(partialResults, outMap.getResults());
  maps.back() =
      AffineMap::get(op.getNumLoops(), 0, partialResults, b.getContext());
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  iterators[dim] = utils::IteratorType::parallel;
  auto partial = linalg::GenericOp::create(
      b, loc, TypeRange{partialInit.getType()}, op.getDpsInputs(),
      ValueRange{partialInit}, maps, iterators);
  b.cloneRegionBefore(op.getRegion(), partial.getRegion(),
                      partial.getRegion().end());

  // Stage 2: out = combine over the partials.
  unsigned rank = initType.getRank();
  MLIRContext *ctx = b.getContext();
  AffineMap all = AffineMap::getMultiDimIdentityMap(rank + 1, ctx);
  SmallVector<AffineExpr> outDims;
  for (unsigned i = 1; i <= rank; ++i)
    outDims.push_back(getAffineDimExpr(i, ctx));
  SmallVector<utils::IteratorType> finalIterators(
      rank + 1, utils::IteratorType::parallel);
  finalIterators[0] = utils::IteratorType::reduction;
  auto combine = linalg::GenericOp::create(
      b, loc, TypeRange{initType}, partial.getResult(0), ValueRange{init},
      ArrayRef<AffineMap>{all, AffineMap::get(rank + 1, 0, outDims, ctx)},
      finalIterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Operation *c = nb.clone(*combiner);
        c->setOperands({args[1], args[0]});
        linalg::YieldOp::create(nb, nloc, c->getResult(0));
      });
  b.replaceOp(op, combine.getResults());
  return success();
}

struct HetcGPUSplitReductionsPass
    : mlir::hetc::impl::HetcGPUSplitReductionsBase<HetcGPUSplitReductionsPass> {
  using Base::Base;

  /// Whether `op` is a reduction worth splitting: long, with few outputs.
  bool isCandidate(linalg::LinalgOp op) const {
    if (op.getNumReductionLoops() == 0 || op.getNumDpsInits() != 1 ||
        !op.hasPureTensorSemantics())
      return false;
    int64_t reduced = 1, outputs = 1;
    for (auto [range, iterator] :
         llvm::zip(op.getStaticLoopRanges(), op.getIteratorTypesArray())) {
      if (ShapedType::isDynamic(range))
        return false;
      (iterator == utils::IteratorType::reduction ? reduced : outputs) *= range;
    }
    return reduced >= minSize && outputs <= maxOutputs;
  }

  /// The number of partial reductions for a one-dimensional reduction, or
  /// 0 to leave it alone.
  int64_t chooseRatio(linalg::LinalgOp op) const {
    if (op.getNumReductionLoops() != 1 || !isCandidate(op))
      return 0;
    // splitReduction reshapes the reduced loop into two, and would leave a
    // linalg.index of it naming the inner one only (gather-form gradients,
    // cumsum): such ops stay whole.
    if (!op.getBlock()->getOps<linalg::IndexOp>().empty())
      return 0;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t reduced = 1, outputs = 1;
    for (auto [range, iterator] :
         llvm::zip(ranges, op.getIteratorTypesArray())) {
      if (ShapedType::isDynamic(range))
        return 0;
      ((iterator == utils::IteratorType::reduction) ? reduced : outputs) *=
          range;
    }
    if (reduced < minSize || outputs > maxOutputs)
      return 0;
    int64_t ratio =
        nearestDivisor(reduced, std::max<int64_t>(reduced / chunk, 2));
    return ratio >= 4 ? ratio : 0;
  }

  /// Splits `op` once; false where it cannot be split.
  bool split(RewriterBase &rewriter, linalg::LinalgOp op) {
    rewriter.setInsertionPoint(op);
    if (op.getNumReductionLoops() > 1) {
      // Partials over the longest reduced dimension.
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic)
        return false;
      SmallVector<unsigned> reductionDims;
      generic.getReductionDims(reductionDims);
      SmallVector<int64_t> ranges = generic.getStaticLoopRanges();
      unsigned longest =
          *llvm::max_element(reductionDims, [&](unsigned a, unsigned b) {
            return ranges[a] < ranges[b];
          });
      return succeeded(splitAtDimension(rewriter, generic, longest));
    }
    int64_t ratio = chooseRatio(op);
    if (!ratio)
      return false;
    auto control = [&](linalg::LinalgOp) {
      // The new parallel dimension goes first: partial i covers chunk i.
      return linalg::SplitReductionOptions{ratio, /*index=*/0,
                                           /*innerParallel=*/false};
    };
    // Ops whose combiner splitReduction cannot identify stay whole: they
    // are still correct, only less parallel.
    return succeeded(linalg::splitReduction(rewriter, op, control));
  }

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // The final combination of a long reduction's partials can itself be
    // long (a sum of a million elements leaves ~30000 partials): split the
    // new reductions too, a few levels deep.
    llvm::SmallPtrSet<Operation *, 8> unsplittable;
    for (int level = 0; level < 3; ++level) {
      SmallVector<linalg::LinalgOp> candidates;
      getOperation().walk([&](linalg::LinalgOp op) {
        if (isCandidate(op) && !unsplittable.contains(op))
          candidates.push_back(op);
      });
      if (candidates.empty())
        return;
      for (linalg::LinalgOp op : candidates)
        if (!split(rewriter, op))
          unsplittable.insert(op);
    }
  }
};

} // namespace
