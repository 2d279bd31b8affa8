//===- ShapePatterns.cpp - hetc shape ops to tensor and linalg ------------===//

#include "Utils.h"

#include "hetc/Dialect/Hetc/HetcOps.h"

using namespace mlir;
using namespace mlir::hetc;
using namespace mlir::hetc::lowering;

namespace {

/// hetc.reshape => tensor.collapse_shape / tensor.expand_shape
struct ReshapeOpLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, reshapeTo(rewriter, op.getLoc(), adaptor.getInput(), op.getType()));
    return success();
  }
};

/// hetc.transpose => linalg.transpose
struct TransposeOpLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value init = emptyTensor(rewriter, op.getLoc(), op.getType());
    auto transpose = linalg::TransposeOp::create(
        rewriter, op.getLoc(), adaptor.getInput(), init, op.getPermutation());
    rewriter.replaceOp(op, transpose.getResult());
    return success();
  }
};

/// hetc.broadcast_to => linalg.generic with a broadcasting input map
struct BroadcastToOpLowering : OpConversionPattern<BroadcastToOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BroadcastToOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = buildElementwise(
        rewriter, op.getLoc(), op.getType(), adaptor.getInput(),
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// hetc.concat => tensor.empty + one tensor.insert_slice per input
struct ConcatOpLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    int64_t axis = signedAxis(op.getAxis(), rank);
    Value result = emptyTensor(rewriter, loc, type);
    int64_t offset = 0;
    for (Value input : adaptor.getInputs()) {
      auto inputType = cast<RankedTensorType>(input.getType());
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      offsets[axis] = rewriter.getIndexAttr(offset);
      SmallVector<OpFoldResult> sizes;
      for (int64_t dim : inputType.getShape())
        sizes.push_back(rewriter.getIndexAttr(dim));
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      result = tensor::InsertSliceOp::create(rewriter, loc, input, result,
                                             offsets, sizes, strides);
      offset += inputType.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// hetc.slice => tensor.extract_slice
struct SliceOpLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto slice = tensor::ExtractSliceOp::create(
        rewriter, op.getLoc(), op.getType(), adaptor.getInput(),
        indexAttrs(rewriter, op.getOffsets()),
        indexAttrs(rewriter, op.getSizes()),
        indexAttrs(rewriter, op.getStrides()));
    rewriter.replaceOp(op, slice.getResult());
    return success();
  }
};

} // namespace

void mlir::hetc::populateShapePatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns) {
  patterns.add<ReshapeOpLowering, TransposeOpLowering, BroadcastToOpLowering,
               ConcatOpLowering, SliceOpLowering>(converter,
                                                  patterns.getContext());
}
