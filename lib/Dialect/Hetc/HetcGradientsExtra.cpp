//===- HetcGradientsExtra.cpp - VJPs of the ops of HetcOpsExtra.td --------===//
//
// Written with hetc ops, as in HetcGradients.cpp; docs/autodiff.md lists
// the formulas.
//
//===----------------------------------------------------------------------===//

#include "GradientBuilder.h"
#include "hetc/Dialect/Hetc/HetcOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

#include <cmath>

using namespace mlir;
using namespace mlir::hetc;

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult AbsOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &operandGrads) {
  // torch.abs: g * sign(x), so zero at x = 0.
  Grad g{b, getLoc()};
  operandGrads.assign(1, Value());
  if (!needed[0])
    return success();
  Value sign = SignOp::create(b, getLoc(), getInput());
  operandGrads[0] = g.mul(resultGrads[0], sign);
  return success();
}

LogicalResult ErfOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &operandGrads) {
  // d erf(x) = 2/sqrt(pi) exp(-x^2).
  Grad g{b, getLoc()};
  operandGrads.assign(1, Value());
  if (!needed[0])
    return success();
  Value x = getInput();
  Value square = g.mul(x, x);
  Value negated = NegOp::create(b, getLoc(), square);
  Value gaussian = ExpOp::create(b, getLoc(), negated);
  Value scale = g.scalar(x, 2.0 / std::sqrt(M_PI));
  Value derivative = g.mul(gaussian, scale);
  operandGrads[0] = g.mul(resultGrads[0], derivative);
  return success();
}

LogicalResult SignOp::emitVjp(OpBuilder &b, ValueRange, ArrayRef<bool> needed,
                              SmallVectorImpl<Value> &operandGrads) {
  // Piecewise constant: zero almost everywhere, as torch.sign's gradient.
  Grad g{b, getLoc()};
  operandGrads.assign(1, Value());
  if (needed[0])
    operandGrads[0] = g.zerosLike(getInput());
  return success();
}

LogicalResult ClampOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                               ArrayRef<bool> needed,
                               SmallVectorImpl<Value> &operandGrads) {
  // torch.clamp's backward: g where min <= x <= max, bounds included.
  Grad g{b, getLoc()};
  operandGrads.assign(1, Value());
  if (!needed[0])
    return success();
  Value x = getInput();
  Value mask;
  if (std::optional<APFloat> min = getMin()) {
    Value bound = g.scalar(x, min->convertToDouble());
    mask = g.cmp(ComparePredicate::GE, x, bound);
  }
  if (std::optional<APFloat> max = getMax()) {
    Value bound = g.scalar(x, max->convertToDouble());
    Value below = g.cmp(ComparePredicate::LE, x, bound);
    mask = mask ? g.mul(mask, below) : below;
  }
  operandGrads[0] = g.mul(resultGrads[0], mask);
  return success();
}

bool WhereOp::isDifferentiableOperand(unsigned index) { return index != 0; }

LogicalResult WhereOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                               ArrayRef<bool> needed,
                               SmallVectorImpl<Value> &operandGrads) {
  // Each branch takes the gradient where it was selected. Selecting with
  // where itself (rather than multiplying by the mask) works for i1 and for
  // any nonzero float condition.
  Grad g{b, getLoc()};
  Value gz = resultGrads[0];
  operandGrads.assign(3, Value());
  Value zero = g.scalar(gz, 0.0);
  if (needed[1]) {
    Value selected = WhereOp::create(b, getLoc(), getCondition(), gz, zero);
    operandGrads[1] = g.unbroadcast(selected, g.type(getLhs()));
  }
  if (needed[2]) {
    Value selected = WhereOp::create(b, getLoc(), getCondition(), zero, gz);
    operandGrads[2] = g.unbroadcast(selected, g.type(getRhs()));
  }
  return success();
}

bool CastOp::isDifferentiableOperand(unsigned) { return isFloatToFloat(); }

LogicalResult CastOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                              ArrayRef<bool> needed,
                              SmallVectorImpl<Value> &operandGrads) {
  // A float to float cast is the identity up to rounding: cast the
  // gradient back. An integer side has no gradient.
  operandGrads.assign(1, Value());
  if (needed[0] && isFloatToFloat())
    operandGrads[0] =
        CastOp::create(b, getLoc(), getInput().getType(), resultGrads[0]);
  return success();
}

//===----------------------------------------------------------------------===//
// Indexing, scans and reductions
//===----------------------------------------------------------------------===//

bool GatherOp::isDifferentiableOperand(unsigned index) { return index == 0; }

LogicalResult GatherOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                ArrayRef<bool> needed,
                                SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(2, Value());
  if (needed[0])
    operandGrads[0] = GatherBackwardOp::create(
        b, getLoc(), resultGrads[0], getIndices(), getInput(), getAxisAttr());
  return success();
}

LogicalResult CumsumOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                ArrayRef<bool> needed,
                                SmallVectorImpl<Value> &operandGrads) {
  // y = L x with L the (strictly, if exclusive) lower-triangular ones
  // along the axis; x's gradient is L^T g: the cumsum in the other
  // direction with the same exclusivity.
  operandGrads.assign(1, Value());
  if (!needed[0])
    return success();
  UnitAttr reversed = getReverse() ? UnitAttr() : b.getUnitAttr();
  operandGrads[0] = CumsumOp::create(b, getLoc(), resultGrads[0], getAxisAttr(),
                                     getExclusiveAttr(), reversed);
  return success();
}

LogicalResult ReduceMinOp::emitVjp(OpBuilder &b, ValueRange resultGrads,
                                   ArrayRef<bool> needed,
                                   SmallVectorImpl<Value> &operandGrads) {
  // As reduce_max (torch.amin): ties share the gradient evenly.
  Grad g{b, getLoc()};
  operandGrads.assign(1, Value());
  if (!needed[0])
    return success();
  RankedTensorType input = g.type(getInput());
  SmallVector<int64_t> kept(input.getShape());
  for (int64_t axis : getAxes())
    kept[axis < 0 ? axis + input.getRank() : axis] = 1;
  auto keptType = RankedTensorType::get(kept, input.getElementType());
  Value min = g.reshape(getResult(), keptType);
  Value mask = g.cmp(ComparePredicate::EQ, getInput(), min);
  Value count = g.sumKeep(mask, getAxes());
  Value grad = g.reshape(resultGrads[0], keptType);
  Value share = g.div(grad, count);
  operandGrads[0] = g.mul(mask, share);
  return success();
}
