//===- HetcGradientsExtra.cpp - VJPs of the ops of HetcOpsExtra.td --------===//
//
// Written with hetc ops, as in HetcGradients.cpp; docs/autodiff.md lists
// the formulas.
//
//===----------------------------------------------------------------------===//

#include "hetc/Dialect/Hetc/HetcOps.h"
#include "hetc/Dialect/Hetc/TensorMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

#include <cmath>

using namespace mlir;
using namespace mlir::hetc;

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult AbsOp::buildVjp(VjpBuilder &g) {
  // torch.abs: g * sign(x), so zero at x = 0.
  Value sign = SignOp::create(g.b, getLoc(), getInput());
  g.grad(0) = g.mul(g.gz(), sign);
  return success();
}

LogicalResult ErfOp::buildVjp(VjpBuilder &g) {
  // d erf(x) = 2/sqrt(pi) exp(-x^2).
  Value x = getInput();
  Value square = g.mul(x, x);
  Value negated = NegOp::create(g.b, getLoc(), square);
  Value gaussian = ExpOp::create(g.b, getLoc(), negated);
  Value scale = g.scalar(x, 2.0 / std::sqrt(M_PI));
  Value derivative = g.mul(gaussian, scale);
  g.grad(0) = g.mul(g.gz(), derivative);
  return success();
}

LogicalResult SignOp::buildVjp(VjpBuilder &g) {
  // Piecewise constant: zero almost everywhere, as torch.sign's gradient.
  if (g.needed[0])
    g.grad(0) = g.zerosLike(getInput());
  return success();
}

LogicalResult ClampOp::buildVjp(VjpBuilder &g) {
  // torch.clamp's backward: g where min <= x <= max, bounds included.
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
  g.grad(0) = g.mul(g.gz(), mask);
  return success();
}

bool WhereOp::isDifferentiableOperand(unsigned index) { return index != 0; }

LogicalResult WhereOp::buildVjp(VjpBuilder &g) {
  // Each branch takes the gradient where it was selected. Selecting with
  // where itself (rather than multiplying by the mask) works for i1 and for
  // any nonzero float condition.
  Value gz = g.gz();
  Value zero = g.scalar(gz, 0.0);
  if (g.needed[1]) {
    Value selected = WhereOp::create(g.b, getLoc(), getCondition(), gz, zero);
    g.grad(1) = g.unbroadcast(selected, g.type(getLhs()));
  }
  if (g.needed[2]) {
    Value selected = WhereOp::create(g.b, getLoc(), getCondition(), zero, gz);
    g.grad(2) = g.unbroadcast(selected, g.type(getRhs()));
  }
  return success();
}

bool CastOp::isDifferentiableOperand(unsigned) { return isFloatToFloat(); }

LogicalResult CastOp::buildVjp(VjpBuilder &g) {
  // A float to float cast is the identity up to rounding: cast the
  // gradient back. An integer side has no gradient.
  if (g.needed[0] && isFloatToFloat())
    g.grad(0) = CastOp::create(g.b, getLoc(), getInput().getType(), g.gz());
  return success();
}

//===----------------------------------------------------------------------===//
// Indexing, scans and reductions
//===----------------------------------------------------------------------===//

bool GatherOp::isDifferentiableOperand(unsigned index) { return index == 0; }

LogicalResult GatherOp::buildVjp(VjpBuilder &g) {
  if (g.needed[0])
    g.grad(0) = GatherBackwardOp::create(g.b, getLoc(), g.gz(), getIndices(),
                                         getInput(), getAxisAttr());
  return success();
}

LogicalResult CumsumOp::buildVjp(VjpBuilder &g) {
  // y = L x with L the (strictly, if exclusive) lower-triangular ones
  // along the axis; x's gradient is L^T g: the cumsum in the other
  // direction with the same exclusivity.
  UnitAttr reversed = getReverse() ? UnitAttr() : g.b.getUnitAttr();
  g.grad(0) = CumsumOp::create(g.b, getLoc(), g.gz(), getAxisAttr(),
                               getExclusiveAttr(), reversed);
  return success();
}

LogicalResult ReduceMinOp::buildVjp(VjpBuilder &g) {
  // As reduce_max (torch.amin): ties share the gradient evenly.
  RankedTensorType input = g.type(getInput());
  SmallVector<int64_t> kept(input.getShape());
  for (int64_t axis : getAxes())
    kept[axis < 0 ? axis + input.getRank() : axis] = 1;
  auto keptType = RankedTensorType::get(kept, input.getElementType());
  Value min = g.reshape(getResult(), keptType);
  Value mask = g.cmp(ComparePredicate::EQ, getInput(), min);
  Value count = g.sumKeep(mask, getAxes());
  Value grad = g.reshape(g.gz(), keptType);
  Value share = g.div(grad, count);
  g.grad(0) = g.mul(mask, share);
  return success();
}
