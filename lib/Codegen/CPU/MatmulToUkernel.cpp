//===- MatmulToUkernel.cpp - f32 matmuls to the GEMM ukernel --------------===//

#include "hetc/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCCPUMATMULTOUKERNEL
#include "hetc/Codegen/CPU/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

static constexpr llvm::StringLiteral kSgemmName = "hetc_uk_sgemm";
/// The reproducible flavour: each output accumulated from C in k order.
static constexpr llvm::StringLiteral kSgemmSeqName = "hetc_uk_sgemm_seq";

namespace {

/// A memref operand as the ukernel sees it.
struct MatrixView {
  Value base; ///< address of element (batch 0, 0, 0) as i64
  int64_t rowStride;
  int64_t batchStride;
};

/// Static strides with a unit innermost stride, or nothing.
std::optional<std::pair<SmallVector<int64_t>, int64_t>>
staticLayout(Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
    return std::nullopt;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(offset) || strides.back() != 1 ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return std::nullopt;
  return std::make_pair(strides, offset);
}

MatrixView viewOf(OpBuilder &b, Location loc, Value memref,
                  ArrayRef<int64_t> strides, int64_t offset) {
  Value ptr = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  Value addr = arith::IndexCastOp::create(b, loc, b.getI64Type(), ptr);
  if (offset != 0)
    addr = arith::AddIOp::create(
        b, loc, addr,
        arith::ConstantIntOp::create(b, loc, b.getI64Type(), offset * 4));
  int64_t rank = strides.size();
  return {addr, strides[rank - 2], rank == 3 ? strides[0] : 0};
}

/// Reads whether an operand map is the plain or the transposed form of
/// (row, col) over the given loop dimensions.
std::optional<bool> isTransposed(AffineMap map, ArrayRef<unsigned> batch,
                                 unsigned row, unsigned col) {
  SmallVector<unsigned> dims;
  for (AffineExpr expr : map.getResults()) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim)
      return std::nullopt;
    dims.push_back(dim.getPosition());
  }
  if (dims.size() != batch.size() + 2)
    return std::nullopt;
  for (auto [i, d] : llvm::enumerate(batch))
    if (dims[i] != d)
      return std::nullopt;
  unsigned r = dims[batch.size()], c = dims[batch.size() + 1];
  if (r == row && c == col)
    return false;
  if (r == col && c == row)
    return true;
  return std::nullopt;
}

func::FuncOp getOrDeclareSgemm(ModuleOp module, llvm::StringRef name) {
  if (auto fn = module.lookupSymbol<func::FuncOp>(name))
    return fn;
  OpBuilder b(module.getBodyRegion());
  SmallVector<Type> args(13, b.getI64Type());
  auto fn = func::FuncOp::create(b, module.getLoc(), name,
                                 b.getFunctionType(args, {}));
  fn.setPrivate();
  return fn;
}

struct HetcCPUMatmulToUkernelPass
    : mlir::hetc::impl::HetcCPUMatmulToUkernelBase<HetcCPUMatmulToUkernelPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> matmuls;
    // A module pass: the ukernel declaration is shared by every function.
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) &&
          op.hasPureBufferSemantics())
        matmuls.push_back(op);
    });
    for (linalg::LinalgOp op : matmuls)
      (void)rewrite(op);
  }

  LogicalResult rewrite(linalg::LinalgOp op) {
    bool batched = isa<linalg::BatchMatmulOp>(op);
    SmallVector<unsigned> batch =
        batched ? SmallVector<unsigned>{0} : SmallVector<unsigned>{};
    unsigned m = batch.size(), n = m + 1, k = m + 2;
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    std::optional<bool> transA = isTransposed(maps[0], batch, m, k);
    std::optional<bool> transB = isTransposed(maps[1], batch, k, n);
    std::optional<bool> transC = isTransposed(maps[2], batch, m, n);
    if (!transA || !transB || !transC || *transC)
      return failure();
    // Only the default multiply-accumulate body is a GEMM.
    if (op->getAttr("cast"))
      return failure();
    Value a = op.getDpsInputOperand(0)->get();
    Value bMat = op.getDpsInputOperand(1)->get();
    Value c = op.getDpsInitOperand(0)->get();
    auto la = staticLayout(a), lb = staticLayout(bMat), lc = staticLayout(c);
    if (!la || !lb || !lc)
      return failure();

    SmallVector<int64_t> bounds = op.getStaticLoopRanges();
    int64_t batchCount = batched ? bounds[0] : 1;
    int64_t mSize = bounds[m], nSize = bounds[n], kSize = bounds[k];

    Location loc = op.getLoc();
    OpBuilder b(op);
    func::FuncOp callee =
        getOrDeclareSgemm(op->getParentOfType<ModuleOp>(),
                          sequential ? kSgemmSeqName : kSgemmName);
    MatrixView va = viewOf(b, loc, a, la->first, la->second);
    MatrixView vb = viewOf(b, loc, bMat, lb->first, lb->second);
    MatrixView vc = viewOf(b, loc, c, lc->first, lc->second);
    auto i64 = [&](OpBuilder &builder, int64_t v) -> Value {
      return arith::ConstantIntOp::create(builder, loc, builder.getI64Type(),
                                          v);
    };
    auto idx = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    int64_t chunks = (nSize + chunk - 1) / chunk;
    // One parallel dimension over column chunks, plus one over batches.
    SmallVector<Value> lbs = {idx(0)}, ubs = {idx(chunks)}, steps = {idx(1)};
    if (batched) {
      lbs.push_back(idx(0));
      ubs.push_back(idx(batchCount));
      steps.push_back(idx(1));
    }
    scf::ParallelOp::create(
        b, loc, lbs, ubs, steps,
        [&](OpBuilder &nb, Location nloc, ValueRange ivs) {
          Value chunkIdx =
              arith::IndexCastOp::create(nb, nloc, nb.getI64Type(), ivs[0]);
          auto offsetAddr = [&](const MatrixView &view) -> Value {
            if (!batched)
              return view.base;
            Value batchIdx =
                arith::IndexCastOp::create(nb, nloc, nb.getI64Type(), ivs[1]);
            Value bytes = arith::MulIOp::create(nb, nloc, batchIdx,
                                                i64(nb, view.batchStride * 4));
            return arith::AddIOp::create(nb, nloc, view.base, bytes);
          };
          Value nBegin =
              arith::MulIOp::create(nb, nloc, chunkIdx, i64(nb, chunk));
          Value nEnd = arith::AddIOp::create(nb, nloc, nBegin, i64(nb, chunk));
          SmallVector<Value> args = {i64(nb, mSize),
                                     i64(nb, nSize),
                                     i64(nb, kSize),
                                     offsetAddr(va),
                                     i64(nb, va.rowStride),
                                     i64(nb, *transA),
                                     offsetAddr(vb),
                                     i64(nb, vb.rowStride),
                                     i64(nb, *transB),
                                     offsetAddr(vc),
                                     i64(nb, vc.rowStride),
                                     nBegin,
                                     nEnd};
          func::CallOp::create(nb, nloc, callee, args);
        });
    op->erase();
    return success();
  }
};

} // namespace
