//===- HetcGradientsConv.cpp - VJPs of the conv, resampling, padding ops --===//
//
// The DifferentiableOpInterface rules of the ops in HetcOpsConv.td, and of
// conv2d_backward_input (a transposed convolution, so conv_transpose2d
// shares its rule). Formulas are listed in docs/autodiff.md.
//
//===----------------------------------------------------------------------===//

#include "hetc/Dialect/Hetc/HetcOps.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::hetc;

/// The VJP of a transposed convolution r = T(g, w), which is linear in
/// both: dg = conv2d(G, w) and dw = conv2d_backward_weight(g, G, w) (the
/// weight gradient of the conv2d whose input is G and whose output
/// gradient is g), with the same window attributes.
static void emitTransposedConvVjp(OpBuilder &b, Location loc, Value resultGrad,
                                  Value input, Value weight,
                                  DenseI64ArrayAttr strides,
                                  DenseI64ArrayAttr padding,
                                  DenseI64ArrayAttr dilation,
                                  IntegerAttr groups, ArrayRef<bool> needed,
                                  SmallVectorImpl<Value> &operandGrads) {
  if (needed[0])
    operandGrads[0] = Conv2DOp::create(b, loc, resultGrad, weight, Value(),
                                       strides, padding, dilation, groups);
  if (needed[1])
    operandGrads[1] = Conv2DBackwardWeightOp::create(
        b, loc, input, resultGrad, weight, strides, padding, dilation, groups);
}

bool Conv2DBackwardInputOp::isDifferentiableOperand(unsigned index) {
  // `input` only gives the result its shape.
  return index < 2;
}

LogicalResult
Conv2DBackwardInputOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                               ArrayRef<bool> needed,
                               SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(3, Value());
  emitTransposedConvVjp(b, getLoc(), resultGrads[0], getGradOutput(),
                        getWeight(), getStridesAttr(), getPaddingAttr(),
                        getDilationAttr(), getGroupsAttr(), needed,
                        operandGrads);
  return success();
}

LogicalResult ConvTranspose2DOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                         ArrayRef<bool> needed,
                                         SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(getOperation()->getNumOperands(), Value());
  Value gz = resultGrads[0];
  // An output_padding of q * stride or more (allowed below the dilation)
  // adds q rows that the conv2d of G would turn into q extra input rows.
  // No input reads them, so they are dropped from the bottom padding, or
  // from the bottom of G once the padding is used up.
  ArrayRef<int64_t> strides = getStrides(), outputPadding = getOutputPadding();
  SmallVector<int64_t> padding(getPadding());
  auto gType = cast<RankedTensorType>(gz.getType());
  SmallVector<int64_t> sizes(gType.getShape());
  bool crop = false;
  for (int i = 0; i < 2; ++i) {
    int64_t extra = outputPadding[i] / strides[i] * strides[i];
    int64_t fromPadding = std::min(extra, padding[i + 2]);
    padding[i + 2] -= fromPadding;
    sizes[2 + i] -= extra - fromPadding;
    crop |= extra > fromPadding;
  }
  Value g = gz;
  if (crop)
    g = SliceOp::create(b, getLoc(), gz, b.getDenseI64ArrayAttr({0, 0, 0, 0}),
                        b.getDenseI64ArrayAttr(sizes),
                        b.getDenseI64ArrayAttr({1, 1, 1, 1}));
  emitTransposedConvVjp(b, getLoc(), g, getInput(), getWeight(),
                        getStridesAttr(), b.getDenseI64ArrayAttr(padding),
                        getDilationAttr(), getGroupsAttr(), needed,
                        operandGrads);
  if (getBias() && needed.size() > 2 && needed[2]) {
    Value sum =
        ReduceSumOp::create(b, getLoc(), gz, b.getDenseI64ArrayAttr({0, 2, 3}),
                            /*keepdims=*/UnitAttr());
    operandGrads[2] = sum;
  }
  return success();
}

LogicalResult UpsampleOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                  ArrayRef<bool> needed,
                                  SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(1, Value());
  if (needed[0])
    operandGrads[0] = UpsampleBackwardOp::create(
        b, getLoc(), resultGrads[0], getInput(), getSizeAttr(), getModeAttr(),
        getAlignCornersAttr());
  return success();
}

LogicalResult PadOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(1, Value());
  if (!needed[0])
    return success();
  if (getMode() == PadMode::Constant) {
    // Every input element is copied once: the gradient is the window of G
    // it went to, with zeros where the forward op cropped, which is a
    // constant pad by the negated amounts.
    SmallVector<int64_t> negated;
    for (int64_t p : getPadding())
      negated.push_back(-p);
    operandGrads[0] = PadOp::create(
        b, getLoc(), resultGrads[0], b.getDenseI64ArrayAttr(negated),
        PadModeAttr::get(b.getContext(), PadMode::Constant),
        b.getF64FloatAttr(0.0));
    return success();
  }
  operandGrads[0] = PadBackwardOp::create(
      b, getLoc(), resultGrads[0], getInput(), getPaddingAttr(), getModeAttr());
  return success();
}

LogicalResult
AdaptiveAvgPool2DOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(1, Value());
  if (needed[0])
    operandGrads[0] = AdaptiveAvgPool2DBackwardOp::create(
        b, getLoc(), resultGrads[0], getInput());
  return success();
}
