//===- LossPatterns.cpp - hetc losses to linalg ---------------------------===//

#include "Utils.h"

#include "hetc/Dialect/Hetc/HetcOps.h"

#include <limits>

using namespace mlir;
using namespace mlir::hetc;
using namespace mlir::hetc::lowering;

namespace {

/// Sums every element of `input` into a 0-d tensor and divides by `count`.
static Value meanAll(OpBuilder &b, Location loc, Value input, double count) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    axes.push_back(d);
  Value sum = buildReduction(b, loc, input, axes, ReductionKind::Sum);
  return buildElementwise(b, loc, cast<RankedTensorType>(sum.getType()), sum,
                          [&](OpBuilder &nb, Location l, ValueRange args) {
                            return arith::DivFOp::create(
                                nb, l, args[0],
                                floatConstant(nb, l, args[0].getType(), count));
                          });
}

/// hetc.cross_entropy => row max, log-sum-exp and label gather generics, then
/// a mean. A label outside [0, C) makes the loss NaN rather than reading
/// out of bounds, so bad labels are visible instead of silently wrong.
struct CrossEntropyOpLowering : OpConversionPattern<CrossEntropyOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CrossEntropyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value logits = adaptor.getLogits();
    Value labels = adaptor.getLabels();
    auto logitsType = cast<RankedTensorType>(logits.getType());
    Type elementType = logitsType.getElementType();
    int64_t n = logitsType.getDimSize(0), c = logitsType.getDimSize(1);
    auto rowType = RankedTensorType::get({n}, elementType);

    SoftmaxStatistics stats = buildSoftmaxStatistics(rewriter, loc, logits, 1);

    // Per-row loss: max + log(sum) - logits[i, label[i]].
    double nan = std::numeric_limits<double>::quiet_NaN();
    Value perRow = buildElementwise(
        rewriter, loc, rowType, {stats.max, stats.sum, labels},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value label =
              arith::IndexCastOp::create(b, l, b.getIndexType(), a[2]);
          Value aboveZero = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::sge, label, indexConstant(b, l, 0));
          Value belowClasses = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::slt, label, indexConstant(b, l, c));
          Value inRange = arith::AndIOp::create(b, l, aboveZero, belowClasses);
          Value safe = arith::SelectOp::create(b, l, inRange, label,
                                               indexConstant(b, l, 0));
          Value row = linalg::IndexOp::create(b, l, 0);
          Value picked =
              tensor::ExtractOp::create(b, l, logits, ValueRange{row, safe});
          Value lse = arith::AddFOp::create(b, l, a[0],
                                            math::LogOp::create(b, l, a[1]));
          Value loss = arith::SubFOp::create(b, l, lse, picked);
          return arith::SelectOp::create(b, l, inRange, loss,
                                         floatConstant(b, l, elementType, nan));
        });
    rewriter.replaceOp(op,
                       meanAll(rewriter, loc, perRow, static_cast<double>(n)));
    return success();
  }
};

/// hetc.mse => linalg.generic (squared difference) + a mean reduction
struct MseOpLowering : OpConversionPattern<MseOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MseOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(adaptor.getInput().getType());
    Value squared = buildElementwise(
        rewriter, loc, type, {adaptor.getInput(), adaptor.getTarget()},
        [](OpBuilder &b, Location l, ValueRange a) {
          Value d = arith::SubFOp::create(b, l, a[0], a[1]);
          return arith::MulFOp::create(b, l, d, d);
        });
    rewriter.replaceOp(op, meanAll(rewriter, loc, squared,
                                   static_cast<double>(type.getNumElements())));
    return success();
  }
};

} // namespace

void mlir::hetc::populateLossPatterns(const TypeConverter &converter,
                                      RewritePatternSet &patterns) {
  patterns.add<CrossEntropyOpLowering, MseOpLowering>(converter,
                                                      patterns.getContext());
}
