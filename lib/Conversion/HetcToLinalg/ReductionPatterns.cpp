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

/// Shared by softmax and log_softmax, which differ only in how the final
/// generic combines x, max and sum(exp(x - max)).
template <typename SoftmaxLikeOp, bool Log>
struct SoftmaxLikeLowering : OpConversionPattern<SoftmaxLikeOp> {
  using OpConversionPattern<SoftmaxLikeOp>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SoftmaxLikeOp op, typename SoftmaxLikeOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t axis = signedAxis(op.getAxis(), type.getRank());
    SoftmaxStatistics stats =
        buildSoftmaxStatistics(rewriter, loc, input, axis);
    RankedTensorType kept = keptType(type, axis);
    Value result = buildElementwise(
        rewriter, loc, type,
        {input, reshapeTo(rewriter, loc, stats.max, kept),
         reshapeTo(rewriter, loc, stats.sum, kept)},
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value shifted = arith::SubFOp::create(b, l, args[0], args[1]);
          if (Log)
            return arith::SubFOp::create(b, l, shifted,
                                         math::LogOp::create(b, l, args[2]));
          return arith::DivFOp::create(b, l, math::ExpOp::create(b, l, shifted),
                                       args[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// hetc.softmax => max, exp-sum reductions and a normalizing linalg.generic
using SoftmaxOpLowering = SoftmaxLikeLowering<SoftmaxOp, /*Log=*/false>;
/// hetc.log_softmax => x - max - log(sum(exp(x - max)))
using LogSoftmaxOpLowering = SoftmaxLikeLowering<LogSoftmaxOp, /*Log=*/true>;

} // namespace

void mlir::hetc::populateReductionPatterns(const TypeConverter &converter,
                                           RewritePatternSet &patterns) {
  patterns.add<ReduceSumOpLowering, ReduceMeanOpLowering, ReduceMaxOpLowering,
               SoftmaxOpLowering, LogSoftmaxOpLowering>(converter,
                                                        patterns.getContext());
}
