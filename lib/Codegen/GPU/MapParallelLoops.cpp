//===- MapParallelLoops.cpp - loop nests onto blocks and threads ----------===//

#include "Utils.h"
#include "hetc/Codegen/GPU/Passes.h"

#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCGPUMAPPARALLELLOOPS
#include "hetc/Codegen/GPU/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;
using namespace mlir::hetc::gpu_lowering;

namespace {

LogicalResult mapTo(scf::ParallelOp loop, gpu::Processor processor) {
  MLIRContext *ctx = loop.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(1, ctx);
  return gpu::setMappingAttr(loop, {gpu::ParallelLoopDimMappingAttr::get(
                                       ctx, processor, identity, identity)});
}

/// Rewrites `loop` (no reductions) into a nest of scf.for, one per dim.
void sequentialize(RewriterBase &rewriter, scf::ParallelOp loop) {
  Location loc = loop.getLoc();
  rewriter.setInsertionPoint(loop);
  SmallVector<Value> ivs;
  scf::ForOp innermost;
  for (auto [lb, ub, step] :
       llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    innermost = scf::ForOp::create(rewriter, loc, lb, ub, step);
    ivs.push_back(innermost.getInductionVar());
    rewriter.setInsertionPointToStart(innermost.getBody());
  }
  Block &body = loop.getRegion().front();
  rewriter.eraseOp(body.getTerminator());
  rewriter.inlineBlockBefore(&body, innermost.getBody()->getTerminator(), ivs);
  rewriter.eraseOp(loop);
}

/// Ops that stay on the host: buffer management, views and constants.
bool isHostOp(Operation *op) {
  return isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp,
             memref::GetGlobalOp, arith::ConstantOp, func::ReturnOp,
             scf::ParallelOp, gpu::LaunchOp, ViewLikeOpInterface>(op);
}

/// A one-iteration block loop holding a one-iteration thread loop.
std::pair<scf::ParallelOp, scf::ParallelOp>
createSingleThreadNest(RewriterBase &rewriter, Location loc) {
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  auto outer = scf::ParallelOp::create(rewriter, loc, ValueRange{zero},
                                       ValueRange{one}, ValueRange{one});
  rewriter.setInsertionPointToStart(outer.getBody());
  auto inner = scf::ParallelOp::create(rewriter, loc, ValueRange{zero},
                                       ValueRange{one}, ValueRange{one});
  return {outer, inner};
}

/// Whether an op strictly between `from` and `to` (in one block) may write
/// `buffer`: anything but a load that touches it.
bool mayWriteBetween(Operation *from, Operation *to, Value buffer) {
  for (Operation *op = from->getNextNode(); op && op != to;
       op = op->getNextNode())
    if (touchesBuffer(op, buffer, /*ignoreLoads=*/true))
      return true;
  return false;
}

/// Whether the top-level scalar `value` can be recomputed at `user`: a load
/// of a buffer nothing writes in between, or pure arithmetic on such values.
bool canRematerialize(Value value, Operation *user) {
  Operation *producer = value.getDefiningOp();
  if (!producer || producer->getBlock() != user->getBlock() ||
      producer->getNumRegions() || producer->getNumResults() != 1 ||
      isa<MemRefType>(value.getType()))
    return false;
  if (auto load = dyn_cast<memref::LoadOp>(producer))
    return !mayWriteBetween(load, user, rootBuffer(load.getMemRef()));
  if (!isPure(producer))
    return false;
  return llvm::all_of(producer->getOperands(), [&](Value operand) {
    Operation *def = operand.getDefiningOp();
    return !def || def->getBlock() != user->getBlock() ||
           isa<arith::ConstantOp, memref::AllocOp, memref::GetGlobalOp,
               ViewLikeOpInterface>(def) ||
           canRematerialize(operand, user);
  });
}

/// Scalars read at the top level (a dropout seed, Adam's step) and used in
/// a later loop nest are recomputed inside it: a kernel cannot hand a
/// register to another kernel.
void rematerializeScalars(Block &body) {
  SmallVector<Operation *> candidates;
  for (Operation &op : body)
    if (op.getNumRegions() && !op.getRegion(0).empty())
      candidates.push_back(&op);
  for (Operation *user : candidates) {
    SetVector<Value> above;
    getUsedValuesDefinedAbove(user->getRegions(), above);
    Block *entry = &user->getRegion(0).front();
    OpBuilder builder(entry, entry->begin());
    IRMapping mapping;
    // Buffers and constants stay where they are (launches take buffers;
    // constants are sunk later); the reads and arithmetic are cloned.
    auto recompute = [&](Operation *producer) {
      return producer->getBlock() != entry &&
             !isa<arith::ConstantOp, memref::AllocOp, memref::GetGlobalOp,
                  ViewLikeOpInterface>(producer);
    };
    for (Value value : above) {
      if (!canRematerialize(value, user))
        continue;
      Value inside = cloneProducers(value, builder, mapping, recompute);
      for (Region &region : user->getRegions())
        replaceAllUsesInRegionWith(value, inside, region);
    }
  }
  // Reads and arithmetic left without users are dead.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
    if (op.use_empty() && op.getNumResults() &&
        (isa<memref::LoadOp>(op) || (isPure(&op) && !op.getNumRegions())))
      op.erase();
}

struct HetcGPUMapParallelLoopsPass
    : mlir::hetc::impl::HetcGPUMapParallelLoopsBase<
          HetcGPUMapParallelLoopsPass> {
  using Base::Base;

  /// Collapses and tiles one top-level loop, then maps it.
  LogicalResult mapTopLevel(RewriterBase &rewriter, scf::ParallelOp loop) {
    if (!loop.getInitVals().empty())
      return loop.emitOpError("has reductions, which the GPU lowering does "
                              "not map");
    int64_t total = 1;
    for (auto [lb, ub, step] : llvm::zip(
             loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
      auto l = getConstantIntValue(lb), u = getConstantIntValue(ub),
           s = getConstantIntValue(step);
      if (!l || !u || !s || *s <= 0)
        return loop.emitOpError("has dynamic bounds, which the GPU lowering "
                                "does not map");
      total *= std::max<int64_t>(0, (*u - *l + *s - 1) / *s);
    }
    if (loop.getNumLoops() > 1) {
      std::vector<unsigned> all;
      for (unsigned i = 0; i < loop.getNumLoops(); ++i)
        all.push_back(i);
      rewriter.setInsertionPoint(loop);
      // collapseParallelLoops replaces the loop; find its replacement.
      Operation *before = loop->getPrevNode();
      Block *block = loop->getBlock();
      collapseParallelLoops(rewriter, loop, {all});
      Operation *next =
          before ? before->getNextNode() : &block->getOperations().front();
      while (next && !isa<scf::ParallelOp>(next))
        next = next->getNextNode();
      loop = cast<scf::ParallelOp>(next);
      // The collapsed bounds are arithmetic on constants; tiling needs them
      // as constants.
      rewriter.setInsertionPoint(loop);
      Value zero = arith::ConstantIndexOp::create(rewriter, loop.getLoc(), 0);
      Value one = arith::ConstantIndexOp::create(rewriter, loop.getLoc(), 1);
      Value upper =
          arith::ConstantIndexOp::create(rewriter, loop.getLoc(), total);
      rewriter.modifyOpInPlace(loop, [&] {
        loop.getLowerBoundMutable().assign(zero);
        loop.getUpperBoundMutable().assign(upper);
        loop.getStepMutable().assign(one);
      });
    }
    if (total == 0) {
      rewriter.eraseOp(loop);
      return success();
    }
    int64_t threads = std::min(total, blockSize.getValue());
    int64_t blocks = (total + threads - 1) / threads;
    int64_t perThread = (blocks + maxBlocks - 1) / maxBlocks;
    auto [outer, inner] = scf::tileParallelLoop(loop, {threads * perThread},
                                                /*noMinMaxBounds=*/true);
    if (failed(mapTo(outer, gpu::Processor::BlockX)))
      return failure();
    if (perThread == 1)
      return mapTo(inner, gpu::Processor::ThreadX);
    // Past the grid limit each thread walks `perThread` elements.
    auto [threadLoop, elementLoop] =
        scf::tileParallelLoop(inner, {perThread}, /*noMinMaxBounds=*/true);
    if (failed(mapTo(threadLoop, gpu::Processor::ThreadX)))
      return failure();
    return mapTo(elementLoop, gpu::Processor::Sequential);
  }

  /// Wraps a run of host-level computation into a single-thread loop nest.
  LogicalResult wrapRun(RewriterBase &rewriter, ArrayRef<Operation *> run) {
    llvm::SmallPtrSet<Operation *, 16> inRun(run.begin(), run.end());
    for (Operation *op : run)
      for (Operation *user : op->getUsers()) {
        Operation *top = user;
        while (top->getParentOp() != op->getParentOp())
          top = top->getParentOp();
        if (!inRun.contains(top))
          return op->emitOpError("defines a value used outside its kernel; "
                                 "the GPU lowering cannot offload it");
      }
    rewriter.setInsertionPoint(run.front());
    auto [outer, inner] =
        createSingleThreadNest(rewriter, run.front()->getLoc());
    for (Operation *op : run)
      rewriter.moveOpBefore(op, inner.getBody()->getTerminator());
    if (failed(mapTo(outer, gpu::Processor::BlockX)))
      return failure();
    return mapTo(inner, gpu::Processor::ThreadX);
  }

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    IRRewriter rewriter(&getContext());
    if (failed(lowerLinalgToLoops(rewriter, fn)) ||
        failed(sequentializeNested(rewriter, fn)))
      return signalPassFailure();
    Block &body = fn.getBody().front();
    rematerializeScalars(body);
    SmallVector<scf::ParallelOp> topLevel;
    for (auto loop : body.getOps<scf::ParallelOp>())
      topLevel.push_back(loop);
    for (scf::ParallelOp loop : topLevel)
      if (failed(mapTopLevel(rewriter, loop)))
        return signalPassFailure();
    for (ArrayRef<Operation *> run : collectSingleThreadRuns(body))
      if (!run.empty() && failed(wrapRun(rewriter, run)))
        return signalPassFailure();

    // Fold the tile arithmetic into constant launch sizes. Folding only: the
    // scf.parallel canonicalizations would merge the block and thread loops.
    (void)applyPatternsGreedily(fn, RewritePatternSet(&getContext()));
  }

private:
  /// `generic` with its parallel dimensions first, when it is not already.
  static linalg::LinalgOp interchangeParallelFirst(RewriterBase &rewriter,
                                                   linalg::GenericOp generic) {
    SmallVector<unsigned> parallelFirst, reductions;
    for (auto [i, iterator] : llvm::enumerate(generic.getIteratorTypesArray()))
      ((iterator == utils::IteratorType::parallel) ? parallelFirst : reductions)
          .push_back(i);
    llvm::append_range(parallelFirst, reductions);
    if (llvm::equal(parallelFirst,
                    llvm::seq<unsigned>(0, parallelFirst.size())))
      return generic;
    FailureOr<linalg::GenericOp> interchanged =
        linalg::interchangeGenericOp(rewriter, generic, parallelFirst);
    return succeeded(interchanged) ? *interchanged : generic;
  }

  /// Linalg ops become loops with their reductions innermost, so each
  /// thread owns one output element and reduces into it.
  static LogicalResult lowerLinalgToLoops(RewriterBase &rewriter,
                                          func::FuncOp fn) {
    SmallVector<linalg::LinalgOp> linalgOps;
    fn.walk([&](linalg::LinalgOp op) { linalgOps.push_back(op); });
    for (linalg::LinalgOp op : linalgOps) {
      rewriter.setInsertionPoint(op);
      if (!op.hasPureBufferSemantics())
        return op.emitOpError("still works on tensors after bufferization");
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        FailureOr<linalg::GenericOp> generalized =
            linalg::generalizeNamedOp(rewriter, op);
        if (succeeded(generalized))
          generic = *generalized;
      }
      linalg::LinalgOp target =
          generic ? interchangeParallelFirst(rewriter, generic) : op;
      rewriter.setInsertionPoint(target);
      if (failed(linalg::linalgOpToParallelLoops(rewriter, target)))
        return target.emitOpError("cannot be lowered to loops for the GPU");
      rewriter.eraseOp(target);
    }
    return success();
  }

  /// Inner parallel loops run in their thread.
  static LogicalResult sequentializeNested(RewriterBase &rewriter,
                                           func::FuncOp fn) {
    SmallVector<scf::ParallelOp> nested;
    fn.walk([&](scf::ParallelOp loop) {
      if (loop->getParentOfType<scf::ParallelOp>() ||
          loop->getParentOfType<scf::ForOp>())
        nested.push_back(loop);
    });
    // Innermost first, so each rewrite sees its own body intact.
    for (scf::ParallelOp loop : llvm::reverse(nested)) {
      if (!loop.getInitVals().empty())
        return loop.emitOpError("is a nested parallel reduction, which the "
                                "GPU lowering does not map");
      sequentialize(rewriter, loop);
    }
    return success();
  }

  /// Groups the remaining top-level computation into runs, each to become a
  /// single-thread kernel; host ops met inside a run (allocations, views)
  /// move before it.
  static SmallVector<SmallVector<Operation *>>
  collectSingleThreadRuns(Block &body) {
    SmallVector<SmallVector<Operation *>> runs(1);
    for (Operation &op : llvm::make_early_inc_range(body)) {
      bool usesRun = llvm::any_of(op.getOperands(), [&](Value v) {
        return llvm::is_contained(runs.back(), v.getDefiningOp());
      });
      // Pure scalar computations of loop bounds (from collapsing) stay on
      // the host, where the launch sizes fold into constants.
      bool hostScalar = isPure(&op) && op.getNumRegions() == 0 &&
                        !op.hasTrait<OpTrait::IsTerminator>() && !usesRun;
      if (!isHostOp(&op) && !hostScalar) {
        runs.back().push_back(&op);
        continue;
      }
      bool movable =
          hostScalar || isa<memref::AllocOp, memref::GetGlobalOp,
                            arith::ConstantOp, ViewLikeOpInterface>(op);
      if (movable && !usesRun) {
        if (!runs.back().empty())
          op.moveBefore(runs.back().front());
        continue;
      }
      if (!runs.back().empty())
        runs.emplace_back();
    }
    return runs;
  }
};

} // namespace
