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

#include "Utils.h"
#include "hetc/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCGPUTILECONTRACTIONS
#include "hetc/Codegen/GPU/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;
using namespace mlir::hetc::gpu_lowering;

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
  /// `init`, when set, is the value the output was filled with just
  /// before: the kernel then writes init + sum instead of reading the
  /// output back.
  /// `mma` computes the 8x8-per-thread case with NVIDIA tensor cores.
  /// `sequential` starts each accumulator from the output's initial value
  /// (`init`, else the output read first), so every output is summed in k
  /// order from it, as a naive loop nest does; it excludes `mma`.
  TiledContractionBuilder(RewriterBase &rewriter, linalg::LinalgOp op,
                          const DimGroups &groups, int64_t tile, Value init,
                          bool mma, bool sequential)
      : b(rewriter), op(op), groups(groups), tile(tile), init(init),
        mma(mma && !sequential), sequential(sequential), loc(op.getLoc()) {}

  void build() {
    planBlocks();
    gpu::LaunchOp launch = createLaunch();
    Block &body = launch.getBody().front();
    b.setInsertionPointToStart(&body);
    KernelValues kernel = getKernelValues(launch);

    auto accType = VectorType::get({2, 2}, b.getF32Type());
    SmallVector<Value> inits =
        sequential
            ? initialOutputs(kernel)
            : SmallVector<Value>(
                  useMma ? kMmaTiles : micro * micro,
                  useMma ? arith::ConstantOp::create(
                               b, loc, DenseElementsAttr::get(accType, 0.0f))
                               .getResult()
                         : kernel.zero);
    // One op per statement: argument evaluation order is unspecified.
    Value kStep = index(kTile), kEnd = index(depth), kBegin = index(0);
    auto kLoop = scf::ForOp::create(b, loc, kBegin, kEnd, kStep, inits);
    b.setInsertionPointToStart(kLoop.getBody());
    stageTiles(kernel, kLoop.getInductionVar());
    gpu::BarrierOp::create(b, loc);
    if (useMma) {
      SmallVector<Value> sums =
          mmaStep(kernel.aTile, kernel.bTile, kernel.linearThread,
                  kLoop.getRegionIterArgs());
      gpu::BarrierOp::create(b, loc);
      scf::YieldOp::create(b, loc, sums);
      b.setInsertionPointAfter(kLoop);
      storeMmaResults(kLoop.getResults(), kernel.linearThread, kernel.rowBase,
                      kernel.colBase, rows, cols, kernel.batchIndex);
    } else {
      simtStep(kernel, kLoop);
      b.setInsertionPointAfter(kLoop);
      storeSimtResults(kernel, kLoop);
    }
    b.setInsertionPointToEnd(&body);
    gpu::TerminatorOp::create(b, loc);
  }

private:
  /// Chooses the outputs per thread, the block shape and the reduction
  /// step.
  void planBlocks() {
    rows = groups.size(groups.rows);
    cols = groups.size(groups.cols);
    batch = groups.size(groups.batch);
    depth = groups.size(groups.reduction);
    // Each thread computes micro x micro outputs from registers, so every
    // value read from workgroup memory feeds `micro` products; small
    // outputs keep one per thread to leave no thread idle.
    // Large outputs take 8x8 per thread (fewer workgroup-memory reads per
    // product; only worth it when there are many blocks to fill the GPU).
    micro = rows >= 32 * tile && cols >= 32 * tile ? 8
            : rows >= 4 * tile && cols >= 4 * tile ? 4
                                                   : 1;
    blockRows = tile * micro;
    blockCols = tile * micro;
    threads = tile * tile;
    // Sizes that divide into whole tiles need no bounds checks.
    rowsExact = rows % blockRows == 0;
    colsExact = cols % blockCols == 0;
    useMma = mma && micro == 8 && tile == 16;
    // The reduction step: the MMA kernels stage 32 deep, halving the
    // barriers and staging overhead per product.
    kTile = useMma ? 2 * tile : tile;
    depthExact = depth % kTile == 0;
  }

  /// A launch of one workgroup per block of outputs (and batch), with the
  /// two staged tiles as workgroup attributions.
  gpu::LaunchOp createLaunch() {
    Value gridX = index((cols + blockCols - 1) / blockCols);
    Value gridY = index((rows + blockRows - 1) / blockRows);
    Value gridZ = index(batch);
    Value blockXY = index(tile), one = index(1);
    auto workgroup = gpu::AddressSpaceAttr::get(b.getContext(),
                                                gpu::AddressSpace::Workgroup);
    // Tiles are stored k-major: A as [k][row], B as [k][col].
    // The MMA fragments read lanes (t, g) at [k + t][.. + g]: padding the
    // rows (by 4 floats in A, 8 in B) spreads them over the 32 banks, and
    // keeps A's k-major staging stores at most 2-way conflicting.
    int64_t padA = useMma ? 4 : 0, padB = useMma ? 8 : 0;
    auto aTileType = MemRefType::get({kTile, blockRows + padA}, b.getF32Type(),
                                     AffineMap(), workgroup);
    auto bTileType = MemRefType::get({kTile, blockCols + padB}, b.getF32Type(),
                                     AffineMap(), workgroup);
    return gpu::LaunchOp::create(
        b, loc, gridX, gridY, gridZ, blockXY, blockXY, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/{},
        /*workgroupAttributions=*/TypeRange{aTileType, bTileType});
  }

  /// What every part of the kernel reads: the tiles and this thread's and
  /// block's position.
  struct KernelValues {
    Value aTile, bTile, linearThread, rowBase, colBase, batchIndex, zero;
    // This thread's outputs: rows ty + tile * i and columns tx + tile * j
    // of the block, so neighbouring threads read neighbouring tile
    // elements (no bank conflicts) and store neighbouring outputs.
    Value myRows, myCols;
  };

  KernelValues getKernelValues(gpu::LaunchOp launch) {
    KernelValues v;
    v.aTile = launch.getWorkgroupAttributions()[0];
    v.bTile = launch.getWorkgroupAttributions()[1];
    Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
    v.linearThread = addi(muli(ty, index(tile)), tx);
    v.rowBase = muli(launch.getBlockIds().y, index(blockRows));
    v.colBase = muli(launch.getBlockIds().x, index(blockCols));
    v.batchIndex = launch.getBlockIds().z;
    v.zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    v.myRows = ty;
    v.myCols = tx;
    return v;
  }

  /// The threads stage the kTile x blockRows piece of A and the kTile x
  /// blockCols piece of B starting at depth `k0` (`micro` elements each on
  /// the SIMT path), consecutive threads reading consecutive elements along
  /// k (A) and along columns (B).
  void stageTiles(const KernelValues &v, Value k0) {
    for (int64_t i = 0; i < kTile * blockRows / threads; ++i) {
      Value element = addi(v.linearThread, index(i * threads));
      Value m = divui(element, index(kTile)), k = remui(element, index(kTile));
      Value row = addi(v.rowBase, m), aK = addi(k0, k);
      SmallVector<Value> aPoint =
          iterationPoint(row, nullptr, aK, v.batchIndex);
      Value aValid =
          rowsExact && depthExact ? Value() : inBounds(row, rows, aK, depth);
      Value aValue = guardedLoad(aValid, 0, aPoint);
      memref::StoreOp::create(b, loc, aValue, v.aTile, ValueRange{k, m});

      Value kB = divui(element, index(blockCols));
      Value n = remui(element, index(blockCols));
      Value col = addi(v.colBase, n), bK = addi(k0, kB);
      SmallVector<Value> bPoint =
          iterationPoint(nullptr, col, bK, v.batchIndex);
      Value bValid =
          colsExact && depthExact ? Value() : inBounds(col, cols, bK, depth);
      Value bValue = guardedLoad(bValid, 1, bPoint);
      memref::StoreOp::create(b, loc, bValue, v.bTile, ValueRange{kB, n});
    }
  }

  /// The SIMT path's step over the staged tiles: each thread accumulates
  /// its micro x micro outputs in registers, then yields them to `kLoop`.
  void simtStep(const KernelValues &v, scf::ForOp kLoop) {
    Value step = index(1), end = index(tile), begin = index(0);
    // The sequential path stops at the last k: adding the zero padding's
    // products would turn a -0 sum into +0.
    if (sequential && !depthExact)
      end = arith::MinUIOp::create(
          b, loc, end,
          arith::SubIOp::create(b, loc, index(depth), kLoop.getInductionVar()));
    auto innerLoop =
        scf::ForOp::create(b, loc, begin, end, step, kLoop.getRegionIterArgs());
    b.setInsertionPointToStart(innerLoop.getBody());
    Value kk = innerLoop.getInductionVar();
    SmallVector<Value> aValues, bValues, sums;
    for (int64_t i = 0; i < micro; ++i) {
      aValues.push_back(memref::LoadOp::create(
          b, loc, v.aTile, ValueRange{kk, addi(v.myRows, index(i * tile))}));
      bValues.push_back(memref::LoadOp::create(
          b, loc, v.bTile, ValueRange{kk, addi(v.myCols, index(i * tile))}));
    }
    for (int64_t i = 0; i < micro; ++i)
      for (int64_t j = 0; j < micro; ++j)
        sums.push_back(arith::AddFOp::create(
            b, loc, innerLoop.getRegionIterArg(i * micro + j),
            arith::MulFOp::create(b, loc, aValues[i], bValues[j])));
    scf::YieldOp::create(b, loc, sums);
    b.setInsertionPointAfter(innerLoop);
    // The next iteration overwrites the tiles: wait until all have read.
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, innerLoop.getResults());
  }

  /// The sequential path's starting accumulators: each of this thread's
  /// outputs as it is before the contraction (`init`, else loaded; 0
  /// outside the output, where nothing is stored).
  SmallVector<Value> initialOutputs(const KernelValues &v) {
    SmallVector<Value> values;
    Value out = op.getDpsInitOperand(0)->get();
    for (int64_t i = 0; i < micro; ++i)
      for (int64_t j = 0; j < micro; ++j) {
        if (init) {
          values.push_back(init);
          continue;
        }
        Value col = addi(v.colBase, addi(v.myCols, index(j * tile)));
        Value row = addi(v.rowBase, addi(v.myRows, index(i * tile)));
        SmallVector<Value> indices =
            operandIndices(2, iterationPoint(row, col, nullptr, v.batchIndex));
        if (rowsExact && colsExact) {
          values.push_back(memref::LoadOp::create(b, loc, out, indices));
          continue;
        }
        auto ifOp = scf::IfOp::create(b, loc, TypeRange{b.getF32Type()},
                                      inBounds(row, rows, col, cols),
                                      /*withElseRegion=*/true);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(&ifOp.getThenRegion().front());
        scf::YieldOp::create(
            b, loc,
            ValueRange{
                memref::LoadOp::create(b, loc, out, indices).getResult()});
        b.setInsertionPointToStart(&ifOp.getElseRegion().front());
        scf::YieldOp::create(b, loc, ValueRange{v.zero});
        values.push_back(ifOp.getResult(0));
      }
    return values;
  }

  /// Writes the SIMT path's sums (`kLoop`'s results) into the output.
  void storeSimtResults(const KernelValues &v, scf::ForOp kLoop) {
    Value out = op.getDpsInitOperand(0)->get();
    for (int64_t i = 0; i < micro; ++i)
      for (int64_t j = 0; j < micro; ++j) {
        Value col = addi(v.colBase, addi(v.myCols, index(j * tile)));
        Value row = addi(v.rowBase, addi(v.myRows, index(i * tile)));
        accumulateInto(out, row, col, rows, cols, v.batchIndex,
                       kLoop.getResult(i * micro + j));
      }
  }

  /// The tensor-core path: the 16x16 threads are 8 warps, 4 down by 2
  /// across, each computing 32x64 of the 128x128 block as 2x8
  /// m16n8k8 TF32 MMAs per 8-deep k step. TF32 keeps 10 mantissa bits, so
  /// each operand is split into hi (its TF32 part) and lo (the rest, also
  /// TF32 by the hardware's truncation) and the products accumulate
  /// lo*hi + hi*lo + hi*hi ("3xTF32"), as accurate as f32 arithmetic.
  static constexpr int64_t kMmaTiles = 16; // 2 x 8 m16n8 tiles per warp

  struct Split {
    Value hi, lo;
  };

  Split split(Value x) {
    Value bits = arith::BitcastOp::create(b, loc, b.getI32Type(), x);
    Value mask = arith::ConstantOp::create(
        b, loc, b.getI32IntegerAttr(static_cast<int32_t>(0xFFFFE000u)));
    Value hi = arith::BitcastOp::create(
        b, loc, b.getF32Type(), arith::AndIOp::create(b, loc, bits, mask));
    return {hi, arith::SubFOp::create(b, loc, x, hi)};
  }

  /// Loads `elements` from `tile` at (k, m) pairs and packs their hi and lo
  /// parts into two fragments of `shape`.
  std::pair<Value, Value> fragment(Value tile,
                                   ArrayRef<std::pair<Value, Value>> at,
                                   ArrayRef<int64_t> shape) {
    SmallVector<Value> his, los;
    for (auto [k, m] : at) {
      Split parts =
          split(memref::LoadOp::create(b, loc, tile, ValueRange{k, m}));
      his.push_back(parts.hi);
      los.push_back(parts.lo);
    }
    auto type = VectorType::get(shape, b.getF32Type());
    return {vector::FromElementsOp::create(b, loc, type, his),
            vector::FromElementsOp::create(b, loc, type, los)};
  }

  /// The warp's row and column offsets in the block, and the lane's group
  /// (lane / 4) and index in it (lane % 4), which the MMA fragments use.
  struct WarpPosition {
    Value rowOffset, colOffset, group, inGroup;
  };

  WarpPosition warpPosition(Value linearThread) {
    Value warp = divui(linearThread, index(32));
    Value lane = remui(linearThread, index(32));
    Value c32 = index(32);
    Value rowBase = muli(divui(warp, index(2)), c32);
    Value c64 = index(64);
    Value colBase = muli(remui(warp, index(2)), c64);
    return {rowBase, colBase, divui(lane, index(4)), remui(lane, index(4))};
  }

  SmallVector<Value> mmaStep(Value aTile, Value bTile, Value linearThread,
                             ValueRange accumulators) {
    WarpPosition w = warpPosition(linearThread);
    SmallVector<Value> acc(accumulators.begin(), accumulators.end());
    for (int64_t kStep = 0; kStep < kTile; kStep += 8) {
      Value k = addi(w.inGroup, index(kStep));
      Value k4 = addi(w.inGroup, index(kStep + 4));
      SmallVector<std::pair<Value, Value>> a, bFrags;
      for (int64_t mi = 0; mi < 2; ++mi) {
        Value r = addi(w.rowOffset, addi(w.group, index(mi * 16)));
        Value r8 = addi(r, index(8));
        // A (16x8, row-major): rows g and g + 8, columns t and t + 4.
        a.push_back(
            fragment(aTile, {{k, r}, {k, r8}, {k4, r}, {k4, r8}}, {4, 1}));
      }
      for (int64_t ni = 0; ni < 8; ++ni) {
        Value c = addi(w.colOffset, addi(w.group, index(ni * 8)));
        // B (8x8, column-major): rows t and t + 4, column g.
        bFrags.push_back(fragment(bTile, {{k, c}, {k4, c}}, {2, 1}));
      }
      for (int64_t mi = 0; mi < 2; ++mi)
        for (int64_t ni = 0; ni < 8; ++ni) {
          Value &c = acc[mi * 8 + ni];
          auto [aHi, aLo] = a[mi];
          auto [bHi, bLo] = bFrags[ni];
          // Small terms first.
          for (auto [x, y] :
               {std::pair{aLo, bHi}, std::pair{aHi, bLo}, std::pair{aHi, bHi}})
            c = nvgpu::MmaSyncOp::create(b, loc, x, y, c,
                                         ArrayRef<int64_t>{16, 8, 8},
                                         /*tf32Enabled=*/true);
        }
    }
    return acc;
  }

  /// Writes the MMA accumulators: element (r, cc) of tile (mi, ni) is row
  /// g + 8 r + 16 mi and column 2 t + cc + 8 ni of the warp's 32x64.
  void storeMmaResults(ValueRange acc, Value linearThread, Value rowBase,
                       Value colBase, int64_t rows, int64_t cols,
                       Value batchIndex) {
    WarpPosition w = warpPosition(linearThread);
    Value out = op.getDpsInitOperand(0)->get();
    Value warpRow = addi(rowBase, addi(w.rowOffset, w.group));
    Value warpCol = addi(colBase, addi(w.colOffset, muli(w.inGroup, index(2))));
    for (int64_t mi = 0; mi < 2; ++mi)
      for (int64_t ni = 0; ni < 8; ++ni)
        for (int64_t r = 0; r < 2; ++r)
          for (int64_t cc = 0; cc < 2; ++cc) {
            Value row = addi(warpRow, index(mi * 16 + r * 8));
            Value col = addi(warpCol, index(ni * 8 + cc));
            Value value = vector::ExtractOp::create(b, loc, acc[mi * 8 + ni],
                                                    ArrayRef<int64_t>{r, cc});
            accumulateInto(out, row, col, rows, cols, batchIndex, value);
          }
  }

  /// out[row, col] = (init or out[row, col]) + value, where it exists; on
  /// the sequential path `value` already holds the whole sum.
  void accumulateInto(Value out, Value row, Value col, int64_t rows,
                      int64_t cols, Value batchIndex, Value value) {
    OpBuilder::InsertionGuard guard(b);
    if (!rowsExact || !colsExact) {
      auto store = scf::IfOp::create(b, loc, inBounds(row, rows, col, cols));
      b.setInsertionPointToStart(&store.getThenRegion().front());
    }
    SmallVector<Value> outIndices =
        operandIndices(2, iterationPoint(row, col, nullptr, batchIndex));
    if (sequential) {
      memref::StoreOp::create(b, loc, value, out, outIndices);
      return;
    }
    Value old =
        init ? init
             : memref::LoadOp::create(b, loc, out, outIndices).getResult();
    Value sum = arith::AddFOp::create(b, loc, old, value);
    memref::StoreOp::create(b, loc, sum, out, outIndices);
  }

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value addi(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value muli(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value andi(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value divui(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value remui(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }
  Value ult(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  }
  /// `x < xEnd && y < yEnd`, the second comparison built first.
  Value inBounds(Value x, int64_t xEnd, Value y, int64_t yEnd) {
    Value yIn = ult(y, index(yEnd));
    Value xIn = ult(x, index(xEnd));
    return andi(xIn, yIn);
  }

  /// Splits a linear index over `dims` (row-major) into `point`.
  void delinearize(Value linear, ArrayRef<unsigned> dims,
                   SmallVectorImpl<Value> &point) {
    for (unsigned d : llvm::reverse(dims)) {
      // The outermost dimension needs no remainder: the linear index is in
      // range wherever the value is used (guarded or exact tiles).
      if (d == dims.front()) {
        point[d] = linear;
        break;
      }
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
    if (!valid)
      return memref::LoadOp::create(b, loc,
                                    op.getDpsInputOperand(operand)->get(),
                                    operandIndices(operand, point));
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
  Value init;
  bool mma;
  bool sequential;
  int64_t rows = 0, cols = 0, batch = 0, depth = 0;
  int64_t micro = 1, blockRows = 0, blockCols = 0, threads = 0;
  bool useMma = false;
  bool rowsExact = false, colsExact = false, depthExact = false;
  int64_t kTile = 0;
  Location loc;
};

/// The `linalg.fill` that last wrote `op`'s whole output, when nothing
/// between touches that buffer: the contraction can start from its value.
linalg::FillOp findFoldableFill(linalg::LinalgOp op) {
  Value out = op.getDpsInitOperand(0)->get();
  Value root = rootBuffer(out);
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    auto fill = dyn_cast<linalg::FillOp>(prev);
    if (fill && fill.getDpsInitOperand(0)->get() == out &&
        fill.getInputs()[0].getType().isF32())
      return fill;
    if (touchesBuffer(prev, root, /*ignoreLoads=*/false))
      return nullptr;
  }
  return nullptr;
}

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
      // Writing fill + sum once saves the fill's kernel and a read of the
      // output per element.
      linalg::FillOp fill = findFoldableFill(op);
      Value init = fill ? fill.getInputs()[0] : Value();
      rewriter.setInsertionPoint(op);
      TiledContractionBuilder(rewriter, op, groups, tile, init, nvidiaMma,
                              sequential)
          .build();
      rewriter.eraseOp(op);
      if (fill)
        rewriter.eraseOp(fill);
    }
  }
};

} // namespace
