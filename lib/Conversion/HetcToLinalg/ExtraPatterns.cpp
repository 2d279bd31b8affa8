//===- ExtraPatterns.cpp - the ops of HetcOpsExtra.td to linalg -----------===//
//
// Elementwise ops become one all-parallel linalg.generic (fusable like the
// others). gather reads its input with tensor.extract, as embedding does;
// cumsum and gather_backward are written in gather form, each output
// element a reduction over the inputs that contribute to it, so the GPU
// lowering needs no atomics and has no write races.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "hetc/Dialect/Hetc/HetcOps.h"

using namespace mlir;
using namespace mlir::hetc;
using namespace mlir::hetc::lowering;

namespace {

/// Shared driver of the unary elementwise lowerings.
template <typename SourceOp>
struct UnaryLowering : OpConversionPattern<SourceOp> {
  using OpConversionPattern<SourceOp>::OpConversionPattern;

  virtual Value scalar(OpBuilder &b, Location loc, SourceOp op,
                       Value x) const = 0;

  LogicalResult
  matchAndRewrite(SourceOp op, typename SourceOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Value result =
        buildElementwise(rewriter, op.getLoc(), type, adaptor.getInput(),
                         [&](OpBuilder &b, Location loc, ValueRange args) {
                           return scalar(b, loc, op, args[0]);
                         });
    rewriter.replaceOp(op, result);
    return success();
  }
};

#define HETC_UNARY(NAME, OP)                                                   \
  struct NAME : UnaryLowering<OP> {                                            \
    using UnaryLowering::UnaryLowering;                                        \
    Value scalar(OpBuilder &b, Location loc, OP op, Value x) const override;   \
  };                                                                           \
  Value NAME::scalar(OpBuilder &b, Location loc, OP op, Value x) const

/// hetc.abs => linalg.generic { math.absf }
HETC_UNARY(AbsOpLowering, AbsOp) { return math::AbsFOp::create(b, loc, x); }

/// hetc.erf => linalg.generic { math.erf } (a polynomial on SPIR-V, see
/// hetc-gpu-expand-math)
HETC_UNARY(ErfOpLowering, ErfOp) { return math::ErfOp::create(b, loc, x); }

/// hetc.sign => linalg.generic { x > 0 ? 1 : x < 0 ? -1 : x } (zeros and
/// NaN pass through, as in torch.sign)
HETC_UNARY(SignOpLowering, SignOp) {
  Type type = x.getType();
  Value zero = floatConstant(b, loc, type, 0.0);
  Value one = floatConstant(b, loc, type, 1.0);
  Value minusOne = floatConstant(b, loc, type, -1.0);
  Value negative =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
  Value positive =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
  Value notPositive = arith::SelectOp::create(b, loc, negative, minusOne, x);
  return arith::SelectOp::create(b, loc, positive, one, notPositive);
}

/// hetc.clamp => linalg.generic { minimumf(maximumf(x, min), max) }
/// (NaN-propagating, as torch.clamp)
HETC_UNARY(ClampOpLowering, ClampOp) {
  Type type = x.getType();
  Value result = x;
  if (std::optional<APFloat> min = op.getMin()) {
    Value bound = floatConstant(b, loc, type, min->convertToDouble());
    result = arith::MaximumFOp::create(b, loc, result, bound);
  }
  if (std::optional<APFloat> max = op.getMax()) {
    Value bound = floatConstant(b, loc, type, max->convertToDouble());
    result = arith::MinimumFOp::create(b, loc, result, bound);
  }
  return result;
}

/// hetc.cast => linalg.generic { arith.extf / truncf / fptosi / sitofp /
/// extsi / trunci }
HETC_UNARY(CastOpLowering, CastOp) {
  Type to = op.getType().getElementType();
  Type from = x.getType();
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  if (from == to)
    return x;
  if (fromFloat && toFloat) {
    // f16 <-> bf16 have the same width: go through f32 (exact widening).
    if (fromFloat.getWidth() == toFloat.getWidth()) {
      Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
      return arith::TruncFOp::create(b, loc, to, wide);
    }
    if (fromFloat.getWidth() < toFloat.getWidth())
      return arith::ExtFOp::create(b, loc, to, x);
    return arith::TruncFOp::create(b, loc, to, x);
  }
  if (fromFloat)
    return arith::FPToSIOp::create(b, loc, to, x);
  if (toFloat)
    return arith::SIToFPOp::create(b, loc, to, x);
  if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
    return arith::ExtSIOp::create(b, loc, to, x);
  return arith::TruncIOp::create(b, loc, to, x);
}

#undef HETC_UNARY

/// hetc.where => linalg.generic { select(cond, lhs, rhs) }, a float
/// condition tested with cmpf une 0 (so NaN is true)
struct WhereOpLowering : OpConversionPattern<WhereOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(WhereOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = buildElementwise(
        rewriter, op.getLoc(), op.getType(),
        {adaptor.getCondition(), adaptor.getLhs(), adaptor.getRhs()},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value cond = a[0];
          if (isa<FloatType>(cond.getType())) {
            Value zero = floatConstant(b, l, cond.getType(), 0.0);
            cond = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE, cond,
                                         zero);
          }
          return arith::SelectOp::create(b, l, cond, a[1], a[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The index an integer gather index selects along an axis of `size`:
/// negative ones count from the end (ONNX), the rest is clamped to
/// [0, size) as hetc.embedding clamps.
Value gatherIndex(OpBuilder &b, Location l, Value raw, int64_t size) {
  Value idx = arith::IndexCastOp::create(b, l, b.getIndexType(), raw);
  Value zero = indexConstant(b, l, 0);
  Value negative =
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, idx, zero);
  Value wrapped = arith::AddIOp::create(b, l, idx, indexConstant(b, l, size));
  idx = arith::SelectOp::create(b, l, negative, wrapped, idx);
  idx = arith::MaxSIOp::create(b, l, idx, zero);
  return arith::MinSIOp::create(b, l, idx, indexConstant(b, l, size - 1));
}

/// hetc.gather => linalg.generic over the result reading the indices and
/// tensor.extract-ing the input
struct GatherOpLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto indicesType = cast<RankedTensorType>(adaptor.getIndices().getType());
    int64_t axis = signedAxis(op.getAxis(), inputType.getRank());
    int64_t k = indicesType.getRank();
    int64_t rank = resultType.getRank();
    int64_t size = inputType.getDimSize(axis);
    MLIRContext *ctx = rewriter.getContext();
    // Result dims [axis, axis + k) walk the indices.
    SmallVector<AffineExpr> indexExprs;
    for (int64_t d = axis; d < axis + k; ++d)
      indexExprs.push_back(getAffineDimExpr(d, ctx));
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, indexExprs, ctx),
                                   rewriter.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    Value init = emptyTensor(rewriter, loc, resultType);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, adaptor.getIndices(), init, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> coords;
          for (int64_t d = 0; d < axis; ++d)
            coords.push_back(linalg::IndexOp::create(b, l, d));
          coords.push_back(gatherIndex(b, l, args[0], size));
          for (int64_t d = axis + k; d < rank; ++d)
            coords.push_back(linalg::IndexOp::create(b, l, d));
          Value value = tensor::ExtractOp::create(b, l, input, coords);
          linalg::YieldOp::create(b, l, value);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// hetc.gather_backward => linalg.generic over the input's positions,
/// reducing over every index: position (.., j, ..) sums the gradient slices
/// whose index selected j. Each output element is written by one reduction
/// only, so it maps to GPU threads without atomics.
struct GatherBackwardOpLowering : OpConversionPattern<GatherBackwardOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    int64_t rank = resultType.getRank();
    int64_t axis = signedAxis(op.getAxis(), rank);
    int64_t size = resultType.getDimSize(axis);
    auto indicesType = cast<RankedTensorType>(adaptor.getIndices().getType());
    int64_t count = indicesType.getNumElements();
    // The indices as [K] and the gradient as x's shape with the axis
    // replaced by K.
    Value indices =
        reshapeTo(rewriter, loc, adaptor.getIndices(),
                  RankedTensorType::get({count}, indicesType.getElementType()));
    SmallVector<int64_t> gradShape(resultType.getShape());
    gradShape[axis] = count;
    Value grad = reshapeTo(
        rewriter, loc, adaptor.getGradOutput(),
        RankedTensorType::get(gradShape, resultType.getElementType()));
    MLIRContext *ctx = rewriter.getContext();
    // Loops: x's dims, then the index position k = d_rank.
    AffineExpr k = getAffineDimExpr(rank, ctx);
    SmallVector<AffineExpr> gradExprs, outExprs;
    for (int64_t d = 0; d < rank; ++d) {
      outExprs.push_back(getAffineDimExpr(d, ctx));
      gradExprs.push_back(d == axis ? k : getAffineDimExpr(d, ctx));
    }
    SmallVector<AffineMap> maps = {AffineMap::get(rank + 1, 0, {k}, ctx),
                                   AffineMap::get(rank + 1, 0, gradExprs, ctx),
                                   AffineMap::get(rank + 1, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Value init = filledTensor(rewriter, loc, resultType, 0.0);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{indices, grad}, init, maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value selected = gatherIndex(b, l, args[0], size);
          Value position = linalg::IndexOp::create(b, l, axis);
          Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                            selected, position);
          Value zero = floatConstant(b, l, args[1].getType(), 0.0);
          Value contribution =
              arith::SelectOp::create(b, l, hit, args[1], zero);
          Value sum = arith::AddFOp::create(b, l, args[2], contribution);
          linalg::YieldOp::create(b, l, sum);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// hetc.cumsum => linalg.generic reducing over a second copy of the axis:
/// y[.., i, ..] = sum over j of x[.., j, ..] where j <= i (j < i exclusive;
/// j >= i, j > i reversed). Quadratic along the axis, but every output
/// element is an independent reduction, so it parallelizes without a scan.
struct CumsumOpLowering : OpConversionPattern<CumsumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CumsumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    int64_t axis = signedAxis(op.getAxis(), rank);
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> inExprs, outExprs;
    for (int64_t d = 0; d < rank; ++d) {
      outExprs.push_back(getAffineDimExpr(d, ctx));
      inExprs.push_back(getAffineDimExpr(d == axis ? rank : d, ctx));
    }
    SmallVector<AffineMap> maps = {AffineMap::get(rank + 1, 0, inExprs, ctx),
                                   AffineMap::get(rank + 1, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    arith::CmpIPredicate predicate;
    if (op.getReverse())
      predicate = op.getExclusive() ? arith::CmpIPredicate::ugt
                                    : arith::CmpIPredicate::uge;
    else
      predicate = op.getExclusive() ? arith::CmpIPredicate::ult
                                    : arith::CmpIPredicate::ule;
    Value init = filledTensor(rewriter, loc, type, 0.0);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, adaptor.getInput(), init, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value j = linalg::IndexOp::create(b, l, rank);
          Value i = linalg::IndexOp::create(b, l, axis);
          Value included = arith::CmpIOp::create(b, l, predicate, j, i);
          Value zero = floatConstant(b, l, args[0].getType(), 0.0);
          Value term = arith::SelectOp::create(b, l, included, args[0], zero);
          Value sum = arith::AddFOp::create(b, l, args[1], term);
          linalg::YieldOp::create(b, l, sum);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// hetc.reduce_min => linalg.generic (min reduction from +inf) +
/// tensor.expand_shape
struct ReduceMinOpLowering : OpConversionPattern<ReduceMinOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceMinOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    SmallVector<int64_t> axes =
        normalizeAxes(op.getAxes(), inputType.getRank());
    Value reduced =
        buildReduction(rewriter, op.getLoc(), input, axes, ReductionKind::Min);
    rewriter.replaceOp(op,
                       reshapeTo(rewriter, op.getLoc(), reduced, op.getType()));
    return success();
  }
};

} // namespace

void mlir::hetc::populateExtraPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns) {
  patterns.add<AbsOpLowering, ErfOpLowering, SignOpLowering, ClampOpLowering,
               CastOpLowering, WhereOpLowering, GatherOpLowering,
               GatherBackwardOpLowering, CumsumOpLowering, ReduceMinOpLowering>(
      converter, patterns.getContext());
}
