//===- HetcGradientsConv.cpp - VJPs of the conv, resampling, padding ops --===//
//
// The DifferentiableOpInterface rules of the ops in HetcOpsConv.td, and of
// conv2d_backward_input (a transposed convolution, so conv_transpose2d
// shares its rule). Formulas are listed in docs/autodiff.md.
//
//===----------------------------------------------------------------------===//

#include "hetc/Dialect/Hetc/HetcOps.h"
#include "hetc/Dialect/Hetc/TensorMath.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::hetc;

/// The VJP of a transposed convolution r = T(g, w), which is linear in
/// both: dg = conv2d(G, w) and dw = conv2d_backward_weight(g, G, w) (the
/// weight gradient of the conv2d whose input is G and whose output
/// gradient is g), with the same window attributes.
static void emitTransposedConvVjp(VjpBuilder &g, Value resultGrad, Value input,
                                  Value weight, DenseI64ArrayAttr strides,
                                  DenseI64ArrayAttr padding,
                                  DenseI64ArrayAttr dilation,
                                  IntegerAttr groups) {
  if (g.needed[0])
    g.grad(0) = Conv2DOp::create(g.b, g.loc, resultGrad, weight, Value(),
                                 strides, padding, dilation, groups);
  if (g.needed[1])
    g.grad(1) =
        Conv2DBackwardWeightOp::create(g.b, g.loc, input, resultGrad, weight,
                                       strides, padding, dilation, groups);
}

bool Conv2DBackwardInputOp::isDifferentiableOperand(unsigned index) {
  // `input` only gives the result its shape.
  return index < 2;
}

LogicalResult Conv2DBackwardInputOp::buildVjp(VjpBuilder &g) {
  emitTransposedConvVjp(g, g.gz(), getGradOutput(), getWeight(),
                        getStridesAttr(), getPaddingAttr(), getDilationAttr(),
                        getGroupsAttr());
  return success();
}

LogicalResult ConvTranspose2DOp::buildVjp(VjpBuilder &g) {
  Value gz = g.gz();
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
  Value cropped = gz;
  if (crop)
    cropped = SliceOp::create(g.b, getLoc(), gz,
                              g.b.getDenseI64ArrayAttr({0, 0, 0, 0}),
                              g.b.getDenseI64ArrayAttr(sizes),
                              g.b.getDenseI64ArrayAttr({1, 1, 1, 1}));
  emitTransposedConvVjp(g, cropped, getInput(), getWeight(), getStridesAttr(),
                        g.b.getDenseI64ArrayAttr(padding), getDilationAttr(),
                        getGroupsAttr());
  if (getBias() && g.needed[2]) {
    Value sum = ReduceSumOp::create(g.b, getLoc(), gz,
                                    g.b.getDenseI64ArrayAttr({0, 2, 3}),
                                    /*keepdims=*/UnitAttr());
    g.grad(2) = sum;
  }
  return success();
}

LogicalResult UpsampleOp::buildVjp(VjpBuilder &g) {
  if (g.needed[0])
    g.grad(0) = UpsampleBackwardOp::create(g.b, getLoc(), g.gz(), getInput(),
                                           getSizeAttr(), getModeAttr(),
                                           getAlignCornersAttr());
  return success();
}

LogicalResult PadOp::buildVjp(VjpBuilder &g) {
  if (getMode() == PadMode::Constant) {
    // Every input element is copied once: the gradient is the window of G
    // it went to, with zeros where the forward op cropped, which is a
    // constant pad by the negated amounts.
    SmallVector<int64_t> negated;
    for (int64_t p : getPadding())
      negated.push_back(-p);
    g.grad(0) =
        PadOp::create(g.b, getLoc(), g.gz(), g.b.getDenseI64ArrayAttr(negated),
                      PadModeAttr::get(g.b.getContext(), PadMode::Constant),
                      g.b.getF64FloatAttr(0.0));
    return success();
  }
  g.grad(0) = PadBackwardOp::create(g.b, getLoc(), g.gz(), getInput(),
                                    getPaddingAttr(), getModeAttr());
  return success();
}

LogicalResult AdaptiveAvgPool2DOp::buildVjp(VjpBuilder &g) {
  if (g.needed[0])
    g.grad(0) =
        AdaptiveAvgPool2DBackwardOp::create(g.b, getLoc(), g.gz(), getInput());
  return success();
}
