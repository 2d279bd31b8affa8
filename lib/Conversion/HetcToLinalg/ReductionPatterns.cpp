//===- ReductionPatterns.cpp - hetc reductions and softmax to linalg ------===//

#include "Utils.h"

#include "hetc/Dialect/Hetc/HetcOps.h"

using namespace mlir;
using namespace mlir::hetc;
using namespace mlir::hetc::lowering;

namespace {

/// Reduces and, with keepdims, re-expands to the op's result type.
static Value lowerReduce(OpBuilder &b, Location loc, Value input,
                         ArrayRef<int64_t> axesAttr, RankedTensorType type,
                         ReductionKind kind, bool mean) {
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> axes = normalizeAxes(axesAttr, inputType.getRank());
  Value reduced = buildReduction(b, loc, input, axes, kind);
  if (mean) {
    auto reducedType = cast<RankedTensorType>(reduced.getType());
    double count = static_cast<double>(product(inputType.getShape(), axes));
    reduced = buildElementwise(
        b, loc, reducedType, reduced,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          return arith::DivFOp::create(
              nb, nloc, args[0],
              floatConstant(nb, nloc, args[0].getType(), count));
        });
  }
  return reshapeTo(b, loc, reduced, type);
}

/// Shared by the three reductions, which differ only in their combiner and
/// in whether the sum is divided.
template <typename ReduceOp, ReductionKind Kind, bool Mean>
struct ReduceLowering : OpConversionPattern<ReduceOp> {
  using OpConversionPattern<ReduceOp>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceOp op, typename ReduceOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op,
                       lowerReduce(rewriter, op.getLoc(), adaptor.getInput(),
                                   op.getAxes(), op.getType(), Kind, Mean));
    return success();
  }
};

/// hetc.reduce_sum => linalg.generic (reduction) + tensor.expand_shape
using ReduceSumOpLowering =
    ReduceLowering<ReduceSumOp, ReductionKind::Sum, /*Mean=*/false>;
/// hetc.reduce_mean => linalg.generic (sum) + linalg.generic (divide)
using ReduceMeanOpLowering =
    ReduceLowering<ReduceMeanOp, ReductionKind::Sum, /*Mean=*/true>;
/// hetc.reduce_max => linalg.generic (max reduction from -inf)
using ReduceMaxOpLowering =
    ReduceLowering<ReduceMaxOp, ReductionKind::Max, /*Mean=*/false>;

/// Computes max and sum(exp(x - max)) along `axis`, both reduced.
static std::pair<Value, Value> softmaxStatistics(OpBuilder &b, Location loc,
                                                 Value input, int64_t axis) {
  auto type = cast<RankedTensorType>(input.getType());
  Value max = buildReduction(b, loc, input, {axis}, ReductionKind::Max);
  // exp(x - max) is fused with the sum by elementwise fusion later.
  Value shifted = buildElementwise(
      b, loc, type, {input, reshapeTo(b, loc, max, keptType(type, axis))},
      [](OpBuilder &nb, Location nloc, ValueRange args) {
        return math::ExpOp::create(
            nb, nloc, arith::SubFOp::create(nb, nloc, args[0], args[1]));
      });
  Value sum = buildReduction(b, loc, shifted, {axis}, ReductionKind::Sum);
  return {max, sum};
}

/// hetc.softmax => max, exp-sum reductions and a normalizing linalg.generic
struct SoftmaxOpLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    // The I64Attr getter returns uint64_t: compare as signed.
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += type.getRank();
    auto [max, sum] = softmaxStatistics(rewriter, loc, input, axis);
    RankedTensorType kept = keptType(type, axis);
    Value result = buildElementwise(
        rewriter, loc, type,
        {input, reshapeTo(rewriter, loc, max, kept),
         reshapeTo(rewriter, loc, sum, kept)},
        [](OpBuilder &b, Location l, ValueRange args) {
          Value e = math::ExpOp::create(
              b, l, arith::SubFOp::create(b, l, args[0], args[1]));
          return arith::DivFOp::create(b, l, e, args[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// hetc.log_softmax => x - max - log(sum(exp(x - max)))
struct LogSoftmaxOpLowering : OpConversionPattern<LogSoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LogSoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    // The I64Attr getter returns uint64_t: compare as signed.
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += type.getRank();
    auto [max, sum] = softmaxStatistics(rewriter, loc, input, axis);
    RankedTensorType kept = keptType(type, axis);
    Value result = buildElementwise(
        rewriter, loc, type,
        {input, reshapeTo(rewriter, loc, max, kept),
         reshapeTo(rewriter, loc, sum, kept)},
        [](OpBuilder &b, Location l, ValueRange args) {
          Value shifted = arith::SubFOp::create(b, l, args[0], args[1]);
          return arith::SubFOp::create(b, l, shifted,
                                       math::LogOp::create(b, l, args[2]));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::hetc::populateReductionPatterns(const TypeConverter &converter,
                                           RewritePatternSet &patterns) {
  patterns.add<ReduceSumOpLowering, ReduceMeanOpLowering, ReduceMaxOpLowering,
               SoftmaxOpLowering, LogSoftmaxOpLowering>(converter,
                                                        patterns.getContext());
}
