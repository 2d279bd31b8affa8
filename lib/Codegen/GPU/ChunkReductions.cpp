//===- ChunkReductions.cpp - long sequential reductions in several launches
//===//
//
// Splits the reduction range of a linalg op on buffers into consecutive
// chunks, one op (so one kernel) per chunk. Each chunk continues from the
// output the previous one wrote, so every output is still summed in index
// order from its initial value.
//
//===----------------------------------------------------------------------===//

#include "hetc/Codegen/GPU/Passes.h"

#include "llvm/Support/CheckedArithmetic.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCGPUCHUNKREDUCTIONS
#include "hetc/Codegen/GPU/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {

/// The most chunks one op is split into: beyond, compilation fails rather
/// than emitting thousands of kernels.
constexpr int64_t kMaxChunks = 4096;

/// How to split one op: the tile size of each loop (0: whole range).
struct ChunkPlan {
  SmallVector<int64_t> ranges;
  SmallVector<int64_t> tiles;
  int64_t chunks = 1;
};

/// The plan for `op`, or nothing when its reduction has at most
/// `maxIterations` iterations (or is not static). Reduction loops are
/// tiled by 1 from the outermost until the remaining inner ones fit, and
/// the next one by as much as fits, so the chunks are consecutive ranges
/// of the reduction's index order.
std::optional<ChunkPlan> planChunks(linalg::LinalgOp op,
                                    int64_t maxIterations) {
  ChunkPlan plan;
  plan.ranges = op.getStaticLoopRanges();
  SmallVector<unsigned> reductions;
  op.getReductionDims(reductions);
  std::optional<int64_t> total = 1;
  for (unsigned d : reductions) {
    if (ShapedType::isDynamic(plan.ranges[d]))
      return std::nullopt;
    total = llvm::checkedMul(*total, plan.ranges[d]);
    if (!total)
      return std::nullopt;
  }
  if (*total <= maxIterations)
    return std::nullopt;
  plan.tiles.assign(plan.ranges.size(), 0);
  int64_t inner = *total;
  for (unsigned d : reductions) {
    inner /= plan.ranges[d];
    int64_t tile = inner <= maxIterations ? maxIterations / inner : 1;
    plan.tiles[d] = tile;
    plan.chunks *= llvm::divideCeil(plan.ranges[d], tile);
    if (inner <= maxIterations)
      break;
  }
  return plan;
}

/// Whether every operand is indexed by a projected permutation, so that an
/// iteration box maps to a box of each operand.
bool hasBoxOperands(linalg::LinalgOp op) {
  return llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
    return map.isProjectedPermutation(/*allowZeroInResults=*/false);
  });
}

/// Emits one copy of `op` over the iteration box `offsets`/`sizes`: each
/// shaped operand replaced by its subview of the box.
void emitChunk(OpBuilder &b, linalg::LinalgOp op, ArrayRef<int64_t> offsets,
               ArrayRef<int64_t> sizes) {
  Location loc = op.getLoc();
  SmallVector<Value> operands;
  for (OpOperand &operand : op->getOpOperands()) {
    Value value = operand.get();
    auto type = dyn_cast<MemRefType>(value.getType());
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (!type || type.getRank() == 0) {
      operands.push_back(value);
      continue;
    }
    SmallVector<int64_t> subOffsets, subSizes, strides(type.getRank(), 1);
    for (AffineExpr expr : map.getResults()) {
      unsigned d = cast<AffineDimExpr>(expr).getPosition();
      subOffsets.push_back(offsets[d]);
      subSizes.push_back(sizes[d]);
    }
    // Operands the chunk reads whole (the outputs) are used as they are.
    if (llvm::all_of(subOffsets, [](int64_t o) { return o == 0; }) &&
        ArrayRef<int64_t>(subSizes) == type.getShape()) {
      operands.push_back(value);
      continue;
    }
    operands.push_back(memref::SubViewOp::create(b, loc, value, subOffsets,
                                                 subSizes, strides));
  }
  Operation *copy = b.clone(*op.getOperation());
  copy->setOperands(operands);
  if (op.getNumParallelLoops())
    return;
  // Without parallel loops the chunk would run in the same single-thread
  // kernel as its neighbours; a one-iteration parallel loop makes it a
  // kernel of its own.
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ParallelOp::create(b, loc, ValueRange{zero}, ValueRange{one},
                                      ValueRange{one});
  copy->moveBefore(loop.getBody()->getTerminator());
}

/// Replaces `op` by its chunks, in the reduction's index order.
void chunk(RewriterBase &rewriter, linalg::LinalgOp op, const ChunkPlan &plan) {
  rewriter.setInsertionPoint(op);
  unsigned rank = plan.ranges.size();
  SmallVector<int64_t> offsets(rank, 0);
  // Odometer over the tiled loops, the last one fastest.
  while (true) {
    SmallVector<int64_t> sizes(plan.ranges);
    for (unsigned d = 0; d < rank; ++d)
      if (plan.tiles[d])
        sizes[d] = std::min(plan.tiles[d], plan.ranges[d] - offsets[d]);
    emitChunk(rewriter, op, offsets, sizes);
    int d = rank - 1;
    for (; d >= 0; --d) {
      if (!plan.tiles[d])
        continue;
      offsets[d] += plan.tiles[d];
      if (offsets[d] < plan.ranges[d])
        break;
      offsets[d] = 0;
    }
    if (d < 0)
      break;
  }
  rewriter.eraseOp(op);
}

struct HetcGPUChunkReductionsPass
    : mlir::hetc::impl::HetcGPUChunkReductionsBase<HetcGPUChunkReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (maxIterations < 1) {
      getOperation().emitError("hetc-gpu-chunk-reductions: max-iterations "
                               "must be positive");
      return signalPassFailure();
    }
    SmallVector<std::pair<linalg::LinalgOp, ChunkPlan>> work;
    WalkResult walk = getOperation().walk([&](linalg::LinalgOp op) {
      if (!op.hasPureBufferSemantics() || !hasBoxOperands(op))
        return WalkResult::advance();
      std::optional<ChunkPlan> plan = planChunks(op, maxIterations);
      if (!plan)
        return WalkResult::advance();
      if (plan->chunks > kMaxChunks) {
        op.emitOpError() << "reduces over more than " << kMaxChunks << " x "
                         << maxIterations.getValue()
                         << " elements per output, more than the "
                            "reproducible mode computes on a GPU";
        return WalkResult::interrupt();
      }
      work.emplace_back(op, std::move(*plan));
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    IRRewriter rewriter(&getContext());
    for (auto &[op, plan] : work)
      chunk(rewriter, op, plan);
  }
};

} // namespace
