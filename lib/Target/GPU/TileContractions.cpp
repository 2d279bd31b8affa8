//===- TileContractions.cpp - workgroup-tiled matmuls and convolutions ----===//
//
// The classic shared-memory GEMM, generalized to any linalg contraction
// whose body is a multiply-accumulate: the iteration dimensions are grouped
// into rows (used by the first input only), columns (second input only),
// batches (both, or neither) and the reduction, each group linearized. A
// workgroup of tile x tile threads computes one tile x tile block of
// (row, column) outputs for one batch, staging tile x tile pieces of both
// inputs in workgroup memory. The inputs are read through their own
// indexing maps, so a convolution's sliding window (oh * stride + kh) is an
// implicit GEMM with no im2col buffer.
//
//===----------------------------------------------------------------------===//

#include "hetc/Target/Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCGPUTILECONTRACTIONS
#include "hetc/Target/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {

/// Whether the body computes `out + a * b` (in any operand order).
bool isMultiplyAccumulate(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  if (!body || body->getNumArguments() != 3)
    return false;
  auto yield = dyn_cast<linalg::YieldOp>(body->getTerminator());
  if (!yield || yield.getNumOperands() != 1)
    return false;
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value acc = body->getArgument(2);
  Value product = add.getLhs() == acc   ? add.getRhs()
                  : add.getRhs() == acc ? add.getLhs()
                                        : Value();
  auto mul = product ? product.getDefiningOp<arith::MulFOp>() : nullptr;
  if (!mul)
    return false;
  Value a = body->getArgument(0), b = body->getArgument(1);
  return (mul.getLhs() == a && mul.getRhs() == b) ||
         (mul.getLhs() == b && mul.getRhs() == a);
}

/// The iteration dimensions of a contraction, grouped.
struct DimGroups {
  SmallVector<unsigned> rows, cols, batch, reduction;
  SmallVector<int64_t> ranges;
  int64_t size(ArrayRef<unsigned> group) const {
    int64_t n = 1;
    for (unsigned d : group)
      n *= ranges[d];
    return n;
  }
};

std::optional<DimGroups> classify(linalg::LinalgOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureBufferSemantics() || !isMultiplyAccumulate(op))
    return std::nullopt;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || !type.getElementType().isF32() || !type.hasStaticShape() ||
        !type.getLayout().isIdentity())
      return std::nullopt;
  }
  DimGroups groups;
  groups.ranges = op.getStaticLoopRanges();
  if (llvm::any_of(groups.ranges, ShapedType::isDynamic))
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!maps[2].isProjectedPermutation())
    return std::nullopt;
  for (auto [d, iterator] : llvm::enumerate(op.getIteratorTypesArray())) {
    if ((iterator == utils::IteratorType::reduction)) {
      groups.reduction.push_back(d);
      continue;
    }
    bool inA = maps[0].isFunctionOfDim(d), inB = maps[1].isFunctionOfDim(d);
    if (inA && !inB)
      groups.rows.push_back(d);
    else if (inB && !inA)
      groups.cols.push_back(d);
    else
      groups.batch.push_back(d);
  }
  if (groups.rows.empty() || groups.cols.empty() || groups.reduction.empty())
    return std::nullopt;
  return groups;
}

class TiledContractionBuilder {
public:
  TiledContractionBuilder(RewriterBase &rewriter, linalg::LinalgOp op,
                          const DimGroups &groups, int64_t tile)
      : b(rewriter), op(op), groups(groups), tile(tile), loc(op.getLoc()) {}

  void build() {
    int64_t rows = groups.size(groups.rows), cols = groups.size(groups.cols);
    int64_t batch = groups.size(groups.batch);
    int64_t depth = groups.size(groups.reduction);
    Value gridX = index((cols + tile - 1) / tile);
    Value gridY = index((rows + tile - 1) / tile);
    Value gridZ = index(batch);
    Value blockXY = index(tile), one = index(1);
    auto workgroupType =
        MemRefType::get({tile, tile}, b.getF32Type(), AffineMap(),
                        gpu::AddressSpaceAttr::get(
                            b.getContext(), gpu::AddressSpace::Workgroup));
    auto launch = gpu::LaunchOp::create(
        b, loc, gridX, gridY, gridZ, blockXY, blockXY, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/{},
        /*workgroupAttributions=*/TypeRange{workgroupType, workgroupType});
    Block &body = launch.getBody().front();
    b.setInsertionPointToStart(&body);
    Value aTile = launch.getWorkgroupAttributions()[0];
    Value bTile = launch.getWorkgroupAttributions()[1];
    Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
    Value tileSize = index(tile);
    Value row = addi(muli(launch.getBlockIds().y, tileSize), ty);
    Value col = addi(muli(launch.getBlockIds().x, tileSize), tx);
    Value batchIndex = launch.getBlockIds().z;
    Value rowValid = ult(row, index(rows)), colValid = ult(col, index(cols));
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));

    auto kLoop = scf::ForOp::create(b, loc, index(0), index(depth), tileSize,
                                    ValueRange{zero});
    b.setInsertionPointToStart(kLoop.getBody());
    Value k0 = kLoop.getInductionVar();
    // Thread (ty, tx) stages A[row, k0 + tx] and B[k0 + ty, col].
    Value aK = addi(k0, tx), bK = addi(k0, ty);
    Value aValue = guardedLoad(andi(rowValid, ult(aK, index(depth))), 0,
                               iterationPoint(row, nullptr, aK, batchIndex));
    memref::StoreOp::create(b, loc, aValue, aTile, ValueRange{ty, tx});
    Value bValue = guardedLoad(andi(colValid, ult(bK, index(depth))), 1,
                               iterationPoint(nullptr, col, bK, batchIndex));
    memref::StoreOp::create(b, loc, bValue, bTile, ValueRange{ty, tx});
    gpu::BarrierOp::create(b, loc);
    auto innerLoop = scf::ForOp::create(b, loc, index(0), tileSize, index(1),
                                        ValueRange{kLoop.getRegionIterArg(0)});
    b.setInsertionPointToStart(innerLoop.getBody());
    Value kk = innerLoop.getInductionVar();
    Value x = memref::LoadOp::create(b, loc, aTile, ValueRange{ty, kk});
    Value y = memref::LoadOp::create(b, loc, bTile, ValueRange{kk, tx});
    Value acc = arith::AddFOp::create(b, loc, innerLoop.getRegionIterArg(0),
                                      arith::MulFOp::create(b, loc, x, y));
    scf::YieldOp::create(b, loc, acc);
    b.setInsertionPointAfter(innerLoop);
    // The next iteration overwrites the tiles: wait until all have read.
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, innerLoop.getResult(0));
    b.setInsertionPointAfter(kLoop);

    auto store = scf::IfOp::create(b, loc, andi(rowValid, colValid));
    b.setInsertionPointToStart(&store.getThenRegion().front());
    SmallVector<Value> outIndices =
        operandIndices(2, iterationPoint(row, col, nullptr, batchIndex));
    Value out = op.getDpsInitOperand(0)->get();
    Value old = memref::LoadOp::create(b, loc, out, outIndices);
    Value sum = arith::AddFOp::create(b, loc, old, kLoop.getResult(0));
    memref::StoreOp::create(b, loc, sum, out, outIndices);
    b.setInsertionPointToEnd(&body);
    gpu::TerminatorOp::create(b, loc);
  }

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value addi(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value muli(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value andi(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value ult(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  }

  /// Splits a linear index over `dims` (row-major) into `point`.
  void delinearize(Value linear, ArrayRef<unsigned> dims,
                   SmallVectorImpl<Value> &point) {
    for (unsigned d : llvm::reverse(dims)) {
      Value size = index(groups.ranges[d]);
      point[d] = arith::RemUIOp::create(b, loc, linear, size);
      linear = arith::DivUIOp::create(b, loc, linear, size);
    }
  }

  /// The full iteration point from the linear row, column and reduction
  /// indices (null ones are left at zero: the operand does not use them).
  SmallVector<Value> iterationPoint(Value row, Value col, Value k,
                                    Value batchIndex) {
    SmallVector<Value> point(groups.ranges.size(), index(0));
    if (row)
      delinearize(row, groups.rows, point);
    if (col)
      delinearize(col, groups.cols, point);
    if (k)
      delinearize(k, groups.reduction, point);
    delinearize(batchIndex, groups.batch, point);
    return point;
  }

  SmallVector<Value> operandIndices(unsigned operand, ArrayRef<Value> point) {
    AffineMap map = op.getIndexingMapsArray()[operand];
    SmallVector<Value> indices;
    for (unsigned i = 0; i < map.getNumResults(); ++i)
      indices.push_back(
          affine::AffineApplyOp::create(b, loc, map.getSubMap({i}), point));
    return indices;
  }

  /// Loads input `operand` at `point` where `valid`, else 0 (padding of the
  /// edge tiles contributes nothing).
  Value guardedLoad(Value valid, unsigned operand, ArrayRef<Value> point) {
    auto ifOp = scf::IfOp::create(b, loc, TypeRange{b.getF32Type()}, valid,
                                  /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    Value loaded =
        memref::LoadOp::create(b, loc, op.getDpsInputOperand(operand)->get(),
                               operandIndices(operand, point));
    scf::YieldOp::create(b, loc, loaded);
    b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    scf::YieldOp::create(
        b, loc,
        ValueRange{arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f))
                       .getResult()});
    return ifOp.getResult(0);
  }

  RewriterBase &b;
  linalg::LinalgOp op;
  const DimGroups &groups;
  int64_t tile;
  Location loc;
};

struct HetcGPUTileContractionsPass
    : mlir::hetc::impl::HetcGPUTileContractionsBase<
          HetcGPUTileContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (tile < 1 || tile > 32) {
      getOperation().emitError("hetc-gpu-tile-contractions: tile must be in "
                               "[1, 32] (tile x tile threads per workgroup)");
      return signalPassFailure();
    }
    SmallVector<std::pair<linalg::LinalgOp, DimGroups>, 4> work;
    getOperation().walk([&](linalg::LinalgOp op) {
      std::optional<DimGroups> groups = classify(op);
      // Grids past the smallest API limit (65535 per dimension) keep the
      // generic lowering.
      if (groups && groups->size(groups->batch) <= 65535 &&
          (groups->size(groups->rows) + tile - 1) / tile <= 65535 &&
          (groups->size(groups->cols) + tile - 1) / tile <= 65535)
        work.emplace_back(op, *groups);
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, groups] : work) {
      rewriter.setInsertionPoint(op);
      TiledContractionBuilder(rewriter, op, groups, tile).build();
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
