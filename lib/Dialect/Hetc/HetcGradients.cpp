//===- HetcGradients.cpp - vector-Jacobian products of hetc ops -----------===//
//
// Each forward op's DifferentiableOpInterface::buildVjp. Rules are written
// with hetc ops, so the backward graph goes through the same verifiers,
// canonicalizations and lowerings as the forward one. Formulas are listed in
// docs/autodiff.md.
//
//===----------------------------------------------------------------------===//

#include "hetc/Dialect/Hetc/HetcOps.h"
#include "hetc/Dialect/Hetc/TensorMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::hetc;

LogicalResult mlir::hetc::emitVjpWithRule(
    Operation *op, OpBuilder &builder, ValueRange resultGrads,
    ArrayRef<bool> needed, SmallVectorImpl<Value> &operandGrads,
    llvm::function_ref<LogicalResult(VjpBuilder &)> rule) {
  operandGrads.assign(op->getNumOperands(), Value());
  if (!llvm::is_contained(needed, true))
    return success();
  VjpBuilder vjp{{builder, op->getLoc()}, resultGrads, needed, operandGrads};
  return rule(vjp);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult AddOp::buildVjp(VjpBuilder &g) {
  Value gz = g.gz();
  if (g.needed[0])
    g.grad(0) = g.unbroadcast(gz, g.type(getLhs()));
  if (g.needed[1])
    g.grad(1) = g.unbroadcast(gz, g.type(getRhs()));
  return success();
}

LogicalResult SubOp::buildVjp(VjpBuilder &g) {
  Value gz = g.gz();
  if (g.needed[0])
    g.grad(0) = g.unbroadcast(gz, g.type(getLhs()));
  if (g.needed[1])
    g.grad(1) = g.unbroadcast(g.neg(gz), g.type(getRhs()));
  return success();
}

LogicalResult MulOp::buildVjp(VjpBuilder &g) {
  Value gz = g.gz();
  if (g.needed[0])
    g.grad(0) = g.unbroadcast(g.mul(gz, getRhs()), g.type(getLhs()));
  if (g.needed[1])
    g.grad(1) = g.unbroadcast(g.mul(gz, getLhs()), g.type(getRhs()));
  return success();
}

LogicalResult DivOp::buildVjp(VjpBuilder &g) {
  // z = x / y: dx = g / y, dy = -g * z / y.
  Value gz = g.gz();
  Value gOverY = g.div(gz, getRhs());
  if (g.needed[0])
    g.grad(0) = g.unbroadcast(gOverY, g.type(getLhs()));
  if (g.needed[1])
    g.grad(1) =
        g.unbroadcast(g.neg(g.mul(gOverY, getResult())), g.type(getRhs()));
  return success();
}

/// maximum/minimum: the winner takes the gradient; ties split it in half,
/// as torch.maximum and torch.minimum do.
static void emitSelectVjp(VjpBuilder &g, Value lhs, Value rhs,
                          ComparePredicate lhsWins) {
  Value gz = g.gz();
  // One op per statement: argument evaluation order is unspecified.
  Value equal = g.cmp(ComparePredicate::EQ, lhs, rhs);
  Value tie = g.mul(equal, g.scalar(gz, 0.5));
  Value lhsShare = g.add(g.cmp(lhsWins, lhs, rhs), tie);
  if (g.needed[0])
    g.grad(0) = g.unbroadcast(g.mul(gz, lhsShare), g.type(lhs));
  if (g.needed[1])
    g.grad(1) = g.unbroadcast(g.mul(gz, g.oneMinus(lhsShare)), g.type(rhs));
}

LogicalResult MaximumOp::buildVjp(VjpBuilder &g) {
  emitSelectVjp(g, getLhs(), getRhs(), ComparePredicate::GT);
  return success();
}

LogicalResult MinimumOp::buildVjp(VjpBuilder &g) {
  emitSelectVjp(g, getLhs(), getRhs(), ComparePredicate::LT);
  return success();
}

/// Unary rules: gx = gz * f'(x), written with the input and/or the result.
#define HETC_UNARY_VJP(OP, EXPR)                                               \
  LogicalResult OP::buildVjp(VjpBuilder &g) {                                  \
    Value gz = g.gz(), x = getInput(), y = getResult();                        \
    (void)x;                                                                   \
    (void)y;                                                                   \
    g.grad(0) = (EXPR);                                                        \
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
    GeluBackwardOp::create(g.b, getLoc(), gz, x, getApproximate()).getResult())
#undef HETC_UNARY_VJP

LogicalResult PowOp::buildVjp(VjpBuilder &g) {
  // d x^p = p x^(p-1); x^0 is constant, so its gradient is zero even at
  // x = 0, where p x^(p-1) would be 0 * inf (torch special-cases it too).
  double p = getExponent().convertToDouble();
  Value gz = g.gz();
  if (p == 0.0) {
    g.grad(0) = g.zerosLike(getInput());
    return success();
  }
  Value derivative;
  if (p == 1.0) {
    derivative = g.scalar(gz, 1.0);
  } else {
    Value power =
        PowOp::create(g.b, getLoc(), getInput(), g.b.getF64FloatAttr(p - 1.0));
    derivative = g.mul(power, g.scalar(gz, p));
  }
  g.grad(0) = g.mul(gz, derivative);
  return success();
}

LogicalResult DropoutOp::buildVjp(VjpBuilder &g) {
  // The mask is a pure function of the seed: recompute it on the gradient.
  if (g.needed[0])
    g.grad(0) = DropoutOp::create(g.b, getLoc(), g.gz(), getSeed(), getPAttr());
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

/// The reduced gradient reshaped to keepdims form, ready to broadcast.
static Value keptGrad(TensorMath &g, Value gz, RankedTensorType input,
                      ArrayRef<int64_t> axes) {
  SmallVector<int64_t> shape(input.getShape());
  for (int64_t axis : axes)
    shape[axis < 0 ? axis + input.getRank() : axis] = 1;
  return g.reshape(gz, RankedTensorType::get(shape, input.getElementType()));
}

LogicalResult ReduceSumOp::buildVjp(VjpBuilder &g) {
  if (g.needed[0]) {
    RankedTensorType input = g.type(getInput());
    g.grad(0) = g.broadcastTo(keptGrad(g, g.gz(), input, getAxes()), input);
  }
  return success();
}

LogicalResult ReduceMeanOp::buildVjp(VjpBuilder &g) {
  RankedTensorType input = g.type(getInput());
  int64_t count = 1;
  for (int64_t axis : getAxes())
    count *= input.getDimSize(axis < 0 ? axis + input.getRank() : axis);
  Value scaled = g.div(g.gz(), g.scalar(g.gz(), static_cast<double>(count)));
  g.grad(0) = g.broadcastTo(keptGrad(g, scaled, input, getAxes()), input);
  return success();
}

LogicalResult ReduceMaxOp::buildVjp(VjpBuilder &g) {
  // Like torch.amax: ties share the gradient evenly.
  RankedTensorType input = g.type(getInput());
  Value max = keptGrad(g, getResult(), input, getAxes());
  Value mask = g.cmp(ComparePredicate::EQ, getInput(), max);
  Value count = g.sumKeep(mask, getAxes());
  Value share = g.div(keptGrad(g, g.gz(), input, getAxes()), count);
  g.grad(0) = g.mul(mask, share);
  return success();
}

LogicalResult SoftmaxOp::buildVjp(VjpBuilder &g) {
  // dx = y * (g - sum(g * y)).
  Value y = getResult(), gz = g.gz();
  Value dot = g.sumKeep(g.mul(gz, y), {static_cast<int64_t>(getAxis())});
  g.grad(0) = g.mul(y, g.sub(gz, dot));
  return success();
}

LogicalResult LogSoftmaxOp::buildVjp(VjpBuilder &g) {
  // dx = g - exp(y) * sum(g).
  Value gz = g.gz();
  Value total = g.sumKeep(gz, {static_cast<int64_t>(getAxis())});
  g.grad(0) =
      g.sub(gz, g.mul(ExpOp::create(g.b, getLoc(), getResult()), total));
  return success();
}

/// Shared by batch_norm and layer_norm: normalizes over `axes` (biased
/// statistics) and back-propagates through the normalization and affine.
static void emitNormVjp(VjpBuilder &g, Value x, Value scale,
                        ArrayRef<int64_t> axes, ArrayRef<int64_t> paramAxes,
                        RankedTensorType affineType, double epsilon) {
  Value gz = g.gz();
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
  if (g.needed[1])
    g.grad(1) = g.reshape(g.sumKeep(g.mul(gz, xHat), paramAxes), paramType);
  if (g.needed[2])
    g.grad(2) = g.reshape(g.sumKeep(gz, paramAxes), paramType);
  if (g.needed[0]) {
    // dx = rstd * (dxh - mean(dxh) - x_hat * mean(dxh * x_hat)).
    Value dxHat = g.mul(gz, g.reshape(scale, affineType));
    Value meanD = g.mul(g.sumKeep(dxHat, axes), invCount);
    Value meanDX = g.mul(g.sumKeep(g.mul(dxHat, xHat), axes), invCount);
    Value centered = g.sub(dxHat, meanD);
    g.grad(0) = g.mul(rstd, g.sub(centered, g.mul(xHat, meanDX)));
  }
}

LogicalResult BatchNormOp::buildVjp(VjpBuilder &g) {
  RankedTensorType type = g.type(getInput());
  SmallVector<int64_t> axes = {0};
  SmallVector<int64_t> affine = {type.getDimSize(1)};
  for (int64_t d = 2; d < type.getRank(); ++d) {
    axes.push_back(d);
    affine.push_back(1);
  }
  emitNormVjp(g, getInput(), getScale(), axes, axes,
              RankedTensorType::get(affine, type.getElementType()),
              getEpsilon().convertToDouble());
  return success();
}

LogicalResult LayerNormOp::buildVjp(VjpBuilder &g) {
  SmallVector<int64_t> axes = getNormalizedAxes();
  // The scale and bias gradients sum over the leading, batch-like axes.
  auto paramAxes = llvm::to_vector(llvm::seq<int64_t>(0, axes.front()));
  emitNormVjp(g, getInput(), getScale(), axes, paramAxes, g.type(getScale()),
              getEpsilon().convertToDouble());
  return success();
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::buildVjp(VjpBuilder &g) {
  if (g.needed[0])
    g.grad(0) = g.reshape(g.gz(), g.type(getInput()));
  return success();
}

LogicalResult TransposeOp::buildVjp(VjpBuilder &g) {
  ArrayRef<int64_t> perm = getPermutation();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  g.grad(0) = TransposeOp::create(g.b, getLoc(), g.gz(),
                                  g.b.getDenseI64ArrayAttr(inverse));
  return success();
}

LogicalResult BroadcastToOp::buildVjp(VjpBuilder &g) {
  if (g.needed[0])
    g.grad(0) = g.unbroadcast(g.gz(), g.type(getInput()));
  return success();
}

LogicalResult ConcatOp::buildVjp(VjpBuilder &g) {
  // Each input's gradient is its window of the output gradient.
  RankedTensorType type = getType();
  int64_t rank = type.getRank();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0)
    axis += rank;
  int64_t offset = 0;
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    RankedTensorType inputType = g.type(input);
    if (g.needed[i]) {
      SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
      offsets[axis] = offset;
      g.grad(i) = SliceOp::create(
          g.b, getLoc(), g.gz(), g.b.getDenseI64ArrayAttr(offsets),
          g.b.getDenseI64ArrayAttr(inputType.getShape()),
          g.b.getDenseI64ArrayAttr(strides));
    }
    offset += inputType.getDimSize(axis);
  }
  return success();
}

LogicalResult SliceOp::buildVjp(VjpBuilder &g) {
  if (g.needed[0])
    g.grad(0) = SliceBackwardOp::create(g.b, getLoc(), g.gz(), getInput(),
                                        getOffsetsAttr(), getSizesAttr(),
                                        getStridesAttr());
  return success();
}

//===----------------------------------------------------------------------===//
// Linear algebra and layers
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::buildVjp(VjpBuilder &g) {
  // With A' = op(A), B' = op(B): dA' = g B'^T and dB' = A'^T g, expressed
  // through the transpose flags so no transpose is materialized; batch
  // broadcasting is then summed away.
  Value gz = g.gz(), a = getLhs(), bm = getRhs();
  bool tl = getTransposeLhs(), tr = getTransposeRhs();
  auto matmul = [&](Value x, Value y, bool tx, bool ty) -> Value {
    return MatmulOp::create(g.b, getLoc(), x, y, tx, ty);
  };
  if (g.needed[0]) {
    // Stored A is A' (tl = 0) or A'^T (tl = 1).
    Value ga = tl ? matmul(bm, gz, tr, true) : matmul(gz, bm, false, !tr);
    g.grad(0) = g.unbroadcast(ga, g.type(a));
  }
  if (g.needed[1]) {
    Value gb = tr ? matmul(gz, a, true, tl) : matmul(a, gz, !tl, false);
    g.grad(1) = g.unbroadcast(gb, g.type(bm));
  }
  return success();
}

LogicalResult Conv2DOp::buildVjp(VjpBuilder &g) {
  Value gz = g.gz();
  if (g.needed[0])
    g.grad(0) = Conv2DBackwardInputOp::create(
        g.b, getLoc(), gz, getWeight(), getInput(), getStridesAttr(),
        getPaddingAttr(), getDilationAttr(), getGroupsAttr());
  if (g.needed[1])
    g.grad(1) = Conv2DBackwardWeightOp::create(
        g.b, getLoc(), gz, getInput(), getWeight(), getStridesAttr(),
        getPaddingAttr(), getDilationAttr(), getGroupsAttr());
  if (getBias() && g.needed[2])
    g.grad(2) = g.reshape(g.sumKeep(gz, {0, 2, 3}), g.type(getBias()));
  return success();
}

LogicalResult MaxPool2DOp::buildVjp(VjpBuilder &g) {
  if (g.needed[0])
    g.grad(0) = MaxPool2DBackwardOp::create(
        g.b, getLoc(), g.gz(), getInput(), getKernelSizeAttr(),
        getStridesAttr(), getPaddingAttr(), getDilationAttr(),
        getCeilModeAttr());
  return success();
}

LogicalResult AvgPool2DOp::buildVjp(VjpBuilder &g) {
  if (g.needed[0])
    g.grad(0) = AvgPool2DBackwardOp::create(
        g.b, getLoc(), g.gz(), getInput(), getKernelSizeAttr(),
        getStridesAttr(), getPaddingAttr(), getCountIncludePadAttr(),
        getCeilModeAttr());
  return success();
}

LogicalResult EmbeddingOp::buildVjp(VjpBuilder &g) {
  if (g.needed[0])
    g.grad(0) = EmbeddingBackwardOp::create(g.b, getLoc(), g.gz(), getIndices(),
                                            getTable());
  return success();
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

LogicalResult CrossEntropyOp::buildVjp(VjpBuilder &g) {
  if (g.needed[0])
    g.grad(0) = CrossEntropyBackwardOp::create(g.b, getLoc(), g.gz(),
                                               getLogits(), getLabels());
  return success();
}

LogicalResult MseOp::buildVjp(VjpBuilder &g) {
  // d/dx mean((x - t)^2) = 2 (x - t) / count.
  double count = static_cast<double>(g.type(getInput()).getNumElements());
  Value scale = g.mul(g.gz(), g.scalar(g.gz(), 2.0 / count));
  Value gx = g.mul(g.sub(getInput(), getTarget()), scale);
  if (g.needed[0])
    g.grad(0) = gx;
  if (g.needed[1])
    g.grad(1) = g.neg(gx);
  return success();
}

//===----------------------------------------------------------------------===//
// Masks
//===----------------------------------------------------------------------===//

// A comparison is piecewise constant: its derivative is zero almost
// everywhere, so a mask computed from a parameter stops the gradient instead
// of being reported as an op without a rule.
bool CompareOp::isDifferentiableOperand(unsigned) { return false; }

LogicalResult CompareOp::buildVjp(VjpBuilder &) { return success(); }
