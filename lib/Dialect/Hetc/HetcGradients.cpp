//===- HetcGradients.cpp - vector-Jacobian products of hetc ops -----------===//
//
// Each forward op's DifferentiableOpInterface::emitVjp. Rules are written
// with hetc ops, so the backward graph goes through the same verifiers,
// canonicalizations and lowerings as the forward one. Formulas are listed in
// docs/autodiff.md.
//
//===----------------------------------------------------------------------===//

#include "GradientBuilder.h"
#include "hetc/Dialect/Hetc/HetcOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::hetc;

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult AddOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &operandGrads) {
  Grad g{b, getLoc()};
  Value gz = resultGrads[0];
  operandGrads.assign(2, Value());
  if (needed[0])
    operandGrads[0] = g.unbroadcast(gz, g.type(getLhs()));
  if (needed[1])
    operandGrads[1] = g.unbroadcast(gz, g.type(getRhs()));
  return success();
}

LogicalResult SubOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &operandGrads) {
  Grad g{b, getLoc()};
  Value gz = resultGrads[0];
  operandGrads.assign(2, Value());
  if (needed[0])
    operandGrads[0] = g.unbroadcast(gz, g.type(getLhs()));
  if (needed[1])
    operandGrads[1] = g.unbroadcast(g.neg(gz), g.type(getRhs()));
  return success();
}

LogicalResult MulOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &operandGrads) {
  Grad g{b, getLoc()};
  Value gz = resultGrads[0];
  operandGrads.assign(2, Value());
  if (needed[0])
    operandGrads[0] = g.unbroadcast(g.mul(gz, getRhs()), g.type(getLhs()));
  if (needed[1])
    operandGrads[1] = g.unbroadcast(g.mul(gz, getLhs()), g.type(getRhs()));
  return success();
}

LogicalResult DivOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &operandGrads) {
  // z = x / y: dx = g / y, dy = -g * z / y.
  Grad g{b, getLoc()};
  Value gz = resultGrads[0];
  operandGrads.assign(2, Value());
  Value gOverY = g.div(gz, getRhs());
  if (needed[0])
    operandGrads[0] = g.unbroadcast(gOverY, g.type(getLhs()));
  if (needed[1])
    operandGrads[1] =
        g.unbroadcast(g.neg(g.mul(gOverY, getResult())), g.type(getRhs()));
  return success();
}

/// maximum/minimum: the winner takes the gradient; ties split it in half,
/// as torch.maximum and torch.minimum do.
static void emitSelectVjp(Grad &g, Value gz, Value lhs, Value rhs,
                          ComparePredicate lhsWins, ArrayRef<bool> needed,
                          SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(2, Value());
  // One op per statement: argument evaluation order is unspecified.
  Value equal = g.cmp(ComparePredicate::EQ, lhs, rhs);
  Value tie = g.mul(equal, g.scalar(gz, 0.5));
  Value lhsShare = g.add(g.cmp(lhsWins, lhs, rhs), tie);
  if (needed[0])
    operandGrads[0] = g.unbroadcast(g.mul(gz, lhsShare), g.type(lhs));
  if (needed[1])
    operandGrads[1] =
        g.unbroadcast(g.mul(gz, g.oneMinus(lhsShare)), g.type(rhs));
}

LogicalResult MaximumOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                 ArrayRef<bool> needed,
                                 SmallVectorImpl<Value> &operandGrads) {
  Grad g{b, getLoc()};
  emitSelectVjp(g, resultGrads[0], getLhs(), getRhs(), ComparePredicate::GT,
                needed, operandGrads);
  return success();
}

LogicalResult MinimumOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                 ArrayRef<bool> needed,
                                 SmallVectorImpl<Value> &operandGrads) {
  Grad g{b, getLoc()};
  emitSelectVjp(g, resultGrads[0], getLhs(), getRhs(), ComparePredicate::LT,
                needed, operandGrads);
  return success();
}

/// Unary rules: gx = gz * f'(x), written with the input and/or the result.
#define HETC_UNARY_VJP(OP, EXPR)                                               \
  LogicalResult OP::emitVjp(OpBuilder &b, ValueRange resultGrads,              \
                            ArrayRef<bool> needed,                             \
                            SmallVectorImpl<Value> &operandGrads) {            \
    Grad g{b, getLoc()};                                                       \
    Value gz = resultGrads[0], x = getInput(), y = getResult();                \
    (void)g;                                                                   \
    (void)x;                                                                   \
    (void)y;                                                                   \
    operandGrads.assign(getOperation()->getNumOperands(), Value());            \
    if (needed[0])                                                             \
      operandGrads[0] = (EXPR);                                                \
    return success();                                                          \
  }

HETC_UNARY_VJP(NegOp, g.neg(gz))
HETC_UNARY_VJP(ExpOp, g.mul(gz, y))
HETC_UNARY_VJP(LogOp, g.div(gz, x))
// d sqrt(x) = 1 / (2 sqrt(x)).
HETC_UNARY_VJP(SqrtOp, g.div(gz, g.mul(y, g.scalar(gz, 2.0))))
// d x^-1/2 = -1/2 x^-3/2 = -1/2 * rsqrt(x) / x.
HETC_UNARY_VJP(RsqrtOp, g.mul(gz, g.div(g.mul(y, g.scalar(gz, -0.5)), x)))
HETC_UNARY_VJP(TanhOp, g.mul(gz, g.oneMinus(g.mul(y, y))))
HETC_UNARY_VJP(SigmoidOp, g.mul(gz, g.mul(y, g.sub(g.scalar(gz, 1.0), y))))
// torch.relu passes the gradient where the input is positive.
HETC_UNARY_VJP(ReluOp,
               g.mul(gz, g.cmp(ComparePredicate::GT, x, g.scalar(gz, 0.0))))
HETC_UNARY_VJP(
    GeluOp,
    GeluBackwardOp::create(b, getLoc(), gz, x, getApproximate()).getResult())
#undef HETC_UNARY_VJP

LogicalResult PowOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &operandGrads) {
  // d x^p = p x^(p-1); x^0 is constant, so its gradient is zero even at
  // x = 0, where p x^(p-1) would be 0 * inf (torch special-cases it too).
  Grad g{b, getLoc()};
  operandGrads.assign(1, Value());
  if (!needed[0])
    return success();
  double p = getExponent().convertToDouble();
  Value gz = resultGrads[0];
  if (p == 0.0) {
    operandGrads[0] = g.zerosLike(getInput());
    return success();
  }
  Value derivative;
  if (p == 1.0) {
    derivative = g.scalar(gz, 1.0);
  } else {
    Value power =
        PowOp::create(b, getLoc(), getInput(), b.getF64FloatAttr(p - 1.0));
    derivative = g.mul(power, g.scalar(gz, p));
  }
  operandGrads[0] = g.mul(gz, derivative);
  return success();
}

LogicalResult DropoutOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                 ArrayRef<bool> needed,
                                 SmallVectorImpl<Value> &operandGrads) {
  // The mask is a pure function of the seed: recompute it on the gradient.
  operandGrads.assign(2, Value());
  if (needed[0])
    operandGrads[0] =
        DropoutOp::create(b, getLoc(), resultGrads[0], getSeed(), getPAttr());
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

/// The reduced gradient reshaped to keepdims form, ready to broadcast.
static Value keptGrad(Grad &g, Value gz, RankedTensorType input,
                      ArrayRef<int64_t> axes) {
  SmallVector<int64_t> shape(input.getShape());
  for (int64_t axis : axes)
    shape[axis < 0 ? axis + input.getRank() : axis] = 1;
  return g.reshape(gz, RankedTensorType::get(shape, input.getElementType()));
}

LogicalResult ReduceSumOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                   ArrayRef<bool> needed,
                                   SmallVectorImpl<Value> &operandGrads) {
  Grad g{b, getLoc()};
  operandGrads.assign(1, Value());
  if (needed[0]) {
    RankedTensorType input = g.type(getInput());
    operandGrads[0] =
        g.broadcastTo(keptGrad(g, resultGrads[0], input, getAxes()), input);
  }
  return success();
}

LogicalResult ReduceMeanOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                    ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &operandGrads) {
  Grad g{b, getLoc()};
  operandGrads.assign(1, Value());
  if (!needed[0])
    return success();
  RankedTensorType input = g.type(getInput());
  int64_t count = 1;
  for (int64_t axis : getAxes())
    count *= input.getDimSize(axis < 0 ? axis + input.getRank() : axis);
  Value scaled = g.div(resultGrads[0],
                       g.scalar(resultGrads[0], static_cast<double>(count)));
  operandGrads[0] = g.broadcastTo(keptGrad(g, scaled, input, getAxes()), input);
  return success();
}

LogicalResult ReduceMaxOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                   ArrayRef<bool> needed,
                                   SmallVectorImpl<Value> &operandGrads) {
  // Like torch.amax: ties share the gradient evenly.
  Grad g{b, getLoc()};
  operandGrads.assign(1, Value());
  if (!needed[0])
    return success();
  RankedTensorType input = g.type(getInput());
  Value max = keptGrad(g, getResult(), input, getAxes());
  Value mask = g.cmp(ComparePredicate::EQ, getInput(), max);
  Value count = g.sumKeep(mask, getAxes());
  Value share = g.div(keptGrad(g, resultGrads[0], input, getAxes()), count);
  operandGrads[0] = g.mul(mask, share);
  return success();
}

LogicalResult SoftmaxOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                 ArrayRef<bool> needed,
                                 SmallVectorImpl<Value> &operandGrads) {
  // dx = y * (g - sum(g * y)).
  Grad g{b, getLoc()};
  operandGrads.assign(1, Value());
  if (!needed[0])
    return success();
  Value y = getResult(), gz = resultGrads[0];
  Value dot = g.sumKeep(g.mul(gz, y), {static_cast<int64_t>(getAxis())});
  operandGrads[0] = g.mul(y, g.sub(gz, dot));
  return success();
}

LogicalResult LogSoftmaxOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                    ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &operandGrads) {
  // dx = g - exp(y) * sum(g).
  Grad g{b, getLoc()};
  operandGrads.assign(1, Value());
  if (!needed[0])
    return success();
  Value gz = resultGrads[0];
  Value total = g.sumKeep(gz, {static_cast<int64_t>(getAxis())});
  operandGrads[0] =
      g.sub(gz, g.mul(ExpOp::create(b, getLoc(), getResult()), total));
  return success();
}

/// Shared by batch_norm and layer_norm: normalizes over `axes` (biased
/// statistics) and back-propagates through the normalization and affine.
static void emitNormVjp(Grad &g, Value x, Value scale, Value gz,
                        ArrayRef<int64_t> axes, ArrayRef<int64_t> paramAxes,
                        RankedTensorType affineType, double epsilon,
                        ArrayRef<bool> needed,
                        SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(3, Value());
  RankedTensorType type = g.type(x);
  int64_t count = 1;
  for (int64_t axis : axes)
    count *= type.getDimSize(axis);
  Value invCount = g.scalar(x, 1.0 / static_cast<double>(count));
  Value mean = g.mul(g.sumKeep(x, axes), invCount);
  Value centered = g.sub(x, mean);
  Value var = g.mul(g.sumKeep(g.mul(centered, centered), axes), invCount);
  Value rstd =
      RsqrtOp::create(g.b, g.loc, g.add(var, g.scalar(x, epsilon))).getResult();
  Value xHat = g.mul(centered, rstd);
  auto paramType = cast<RankedTensorType>(scale.getType());
  if (needed[1])
    operandGrads[1] =
        g.reshape(g.sumKeep(g.mul(gz, xHat), paramAxes), paramType);
  if (needed[2])
    operandGrads[2] = g.reshape(g.sumKeep(gz, paramAxes), paramType);
  if (needed[0]) {
    // dx = rstd * (dxh - mean(dxh) - x_hat * mean(dxh * x_hat)).
    Value dxHat = g.mul(gz, g.reshape(scale, affineType));
    Value meanD = g.mul(g.sumKeep(dxHat, axes), invCount);
    Value meanDX = g.mul(g.sumKeep(g.mul(dxHat, xHat), axes), invCount);
    Value centered = g.sub(dxHat, meanD);
    operandGrads[0] = g.mul(rstd, g.sub(centered, g.mul(xHat, meanDX)));
  }
}

LogicalResult BatchNormOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                   ArrayRef<bool> needed,
                                   SmallVectorImpl<Value> &operandGrads) {
  Grad g{b, getLoc()};
  RankedTensorType type = g.type(getInput());
  SmallVector<int64_t> axes = {0};
  SmallVector<int64_t> affine = {type.getDimSize(1)};
  for (int64_t d = 2; d < type.getRank(); ++d) {
    axes.push_back(d);
    affine.push_back(1);
  }
  emitNormVjp(g, getInput(), getScale(), resultGrads[0], axes, axes,
              RankedTensorType::get(affine, type.getElementType()),
              getEpsilon().convertToDouble(), needed, operandGrads);
  return success();
}

LogicalResult LayerNormOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                   ArrayRef<bool> needed,
                                   SmallVectorImpl<Value> &operandGrads) {
  Grad g{b, getLoc()};
  RankedTensorType type = g.type(getInput());
  auto scaleType = g.type(getScale());
  int64_t lead = type.getRank() - scaleType.getRank();
  SmallVector<int64_t> axes, paramAxes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    (d < lead ? paramAxes : axes).push_back(d);
  emitNormVjp(g, getInput(), getScale(), resultGrads[0], axes, paramAxes,
              scaleType, getEpsilon().convertToDouble(), needed, operandGrads);
  return success();
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                 ArrayRef<bool> needed,
                                 SmallVectorImpl<Value> &operandGrads) {
  Grad g{b, getLoc()};
  operandGrads.assign(1, Value());
  if (needed[0])
    operandGrads[0] = g.reshape(resultGrads[0], g.type(getInput()));
  return success();
}

LogicalResult TransposeOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                   ArrayRef<bool> needed,
                                   SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(1, Value());
  if (!needed[0])
    return success();
  ArrayRef<int64_t> perm = getPermutation();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  operandGrads[0] = TransposeOp::create(b, getLoc(), resultGrads[0],
                                        b.getDenseI64ArrayAttr(inverse));
  return success();
}

LogicalResult BroadcastToOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                     ArrayRef<bool> needed,
                                     SmallVectorImpl<Value> &operandGrads) {
  Grad g{b, getLoc()};
  operandGrads.assign(1, Value());
  if (needed[0])
    operandGrads[0] = g.unbroadcast(resultGrads[0], g.type(getInput()));
  return success();
}

LogicalResult ConcatOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                ArrayRef<bool> needed,
                                SmallVectorImpl<Value> &operandGrads) {
  // Each input's gradient is its window of the output gradient.
  Grad g{b, getLoc()};
  operandGrads.assign(getInputs().size(), Value());
  RankedTensorType type = getType();
  int64_t rank = type.getRank();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0)
    axis += rank;
  int64_t offset = 0;
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    RankedTensorType inputType = g.type(input);
    if (needed[i]) {
      SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
      offsets[axis] = offset;
      operandGrads[i] = SliceOp::create(
          b, getLoc(), resultGrads[0], b.getDenseI64ArrayAttr(offsets),
          b.getDenseI64ArrayAttr(inputType.getShape()),
          b.getDenseI64ArrayAttr(strides));
    }
    offset += inputType.getDimSize(axis);
  }
  return success();
}

LogicalResult SliceOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                               ArrayRef<bool> needed,
                               SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(1, Value());
  if (needed[0])
    operandGrads[0] = SliceBackwardOp::create(b, getLoc(), resultGrads[0],
                                              getInput(), getOffsetsAttr(),
                                              getSizesAttr(), getStridesAttr());
  return success();
}

//===----------------------------------------------------------------------===//
// Linear algebra and layers
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                ArrayRef<bool> needed,
                                SmallVectorImpl<Value> &operandGrads) {
  // With A' = op(A), B' = op(B): dA' = g B'^T and dB' = A'^T g, expressed
  // through the transpose flags so no transpose is materialized; batch
  // broadcasting is then summed away.
  Grad g{b, getLoc()};
  operandGrads.assign(2, Value());
  Value gz = resultGrads[0], a = getLhs(), bm = getRhs();
  bool tl = getTransposeLhs(), tr = getTransposeRhs();
  auto matmul = [&](Value x, Value y, bool tx, bool ty) -> Value {
    return MatmulOp::create(b, getLoc(), x, y, tx, ty);
  };
  if (needed[0]) {
    // Stored A is A' (tl = 0) or A'^T (tl = 1).
    Value ga = tl ? matmul(bm, gz, tr, true) : matmul(gz, bm, false, !tr);
    operandGrads[0] = g.unbroadcast(ga, g.type(a));
  }
  if (needed[1]) {
    Value gb = tr ? matmul(gz, a, true, tl) : matmul(a, gz, !tl, false);
    operandGrads[1] = g.unbroadcast(gb, g.type(bm));
  }
  return success();
}

LogicalResult Conv2DOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                ArrayRef<bool> needed,
                                SmallVectorImpl<Value> &operandGrads) {
  Grad g{b, getLoc()};
  operandGrads.assign(getOperation()->getNumOperands(), Value());
  Value gz = resultGrads[0];
  if (needed[0])
    operandGrads[0] = Conv2DBackwardInputOp::create(
        b, getLoc(), gz, getWeight(), getInput(), getStridesAttr(),
        getPaddingAttr(), getDilationAttr(), getGroupsAttr());
  if (needed[1])
    operandGrads[1] = Conv2DBackwardWeightOp::create(
        b, getLoc(), gz, getInput(), getWeight(), getStridesAttr(),
        getPaddingAttr(), getDilationAttr(), getGroupsAttr());
  if (getBias() && needed.size() > 2 && needed[2])
    operandGrads[2] = g.reshape(g.sumKeep(gz, {0, 2, 3}), g.type(getBias()));
  return success();
}

LogicalResult MaxPool2DOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                   ArrayRef<bool> needed,
                                   SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(1, Value());
  if (needed[0])
    operandGrads[0] = MaxPool2DBackwardOp::create(
        b, getLoc(), resultGrads[0], getInput(), getKernelSizeAttr(),
        getStridesAttr(), getPaddingAttr(), getDilationAttr(),
        getCeilModeAttr());
  return success();
}

LogicalResult AvgPool2DOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                   ArrayRef<bool> needed,
                                   SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(1, Value());
  if (needed[0])
    operandGrads[0] = AvgPool2DBackwardOp::create(
        b, getLoc(), resultGrads[0], getInput(), getKernelSizeAttr(),
        getStridesAttr(), getPaddingAttr(), getCountIncludePadAttr(),
        getCeilModeAttr());
  return success();
}

LogicalResult EmbeddingOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                   ArrayRef<bool> needed,
                                   SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(2, Value());
  if (needed[0])
    operandGrads[0] = EmbeddingBackwardOp::create(b, getLoc(), resultGrads[0],
                                                  getIndices(), getTable());
  return success();
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

LogicalResult CrossEntropyOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                      ArrayRef<bool> needed,
                                      SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(2, Value());
  if (needed[0])
    operandGrads[0] = CrossEntropyBackwardOp::create(
        b, getLoc(), resultGrads[0], getLogits(), getLabels());
  return success();
}

LogicalResult MseOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &operandGrads) {
  // d/dx mean((x - t)^2) = 2 (x - t) / count.
  Grad g{b, getLoc()};
  operandGrads.assign(2, Value());
  if (!needsAny(needed))
    return success();
  double count = static_cast<double>(g.type(getInput()).getNumElements());
  Value scale = g.mul(resultGrads[0], g.scalar(resultGrads[0], 2.0 / count));
  Value gx = g.mul(g.sub(getInput(), getTarget()), scale);
  if (needed[0])
    operandGrads[0] = gx;
  if (needed[1])
    operandGrads[1] = g.neg(gx);
  return success();
}

//===----------------------------------------------------------------------===//
// Masks
//===----------------------------------------------------------------------===//

// A comparison is piecewise constant: its derivative is zero almost
// everywhere, so a mask computed from a parameter stops the gradient instead
// of being reported as an op without a rule.
bool CompareOp::isDifferentiableOperand(unsigned) { return false; }

LogicalResult CompareOp::emitVjp(OpBuilder &, ValueRange, ArrayRef<bool>,
                                 SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(2, Value());
  return success();
}
