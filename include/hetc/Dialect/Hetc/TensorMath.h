//===- TensorMath.h - tensor arithmetic with hetc ops -----------*- C++ -*-===//
//
// The small tensor-arithmetic vocabulary that the VJP rules, autodiff and the
// optimizer update are written in: 0-d constants that broadcast, the binary
// ops, reductions back to an operand's shape.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_DIALECT_HETC_TENSORMATH_H
#define HETC_DIALECT_HETC_TENSORMATH_H

#include "hetc/Dialect/Hetc/HetcOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace mlir::hetc {

/// Small builder helpers over one insertion point and location.
struct TensorMath {
  OpBuilder &b;
  Location loc;

  RankedTensorType type(Value v) const {
    return cast<RankedTensorType>(v.getType());
  }
  /// A constant of type `t` with every element `value`.
  Value splat(RankedTensorType t, double value) {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(t, b.getFloatAttr(t.getElementType(), value)));
  }
  /// A 0-d constant of `like`'s element type; broadcasts in binary ops.
  Value scalar(Value like, double value) {
    return splat(RankedTensorType::get({}, type(like).getElementType()), value);
  }
  Value zerosLike(Value like) { return splat(type(like), 0.0); }
  /// 1 - x, the constant built first.
  Value oneMinus(Value x) {
    Value one = scalar(x, 1.0);
    return sub(one, x);
  }
  Value add(Value x, Value y) { return AddOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return SubOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return MulOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return DivOp::create(b, loc, x, y); }
  /// x * c, the constant built first.
  Value scale(Value x, double c) { return mul(x, scalar(x, c)); }
  Value neg(Value x) { return NegOp::create(b, loc, x); }
  Value cmp(ComparePredicate p, Value x, Value y) {
    return CompareOp::create(b, loc, p, x, y);
  }
  Value sumKeep(Value x, ArrayRef<int64_t> axes) {
    return ReduceSumOp::create(b, loc, x, b.getDenseI64ArrayAttr(axes),
                               b.getUnitAttr());
  }
  Value reshape(Value x, RankedTensorType t) {
    if (x.getType() == t)
      return x;
    return ReshapeOp::create(b, loc, x, b.getDenseI64ArrayAttr(t.getShape()));
  }
  Value broadcastTo(Value x, RankedTensorType t) {
    if (x.getType() == t)
      return x;
    return BroadcastToOp::create(b, loc, x,
                                 b.getDenseI64ArrayAttr(t.getShape()));
  }

  /// Sums `grad` (of a broadcast result) back to `target`'s shape: over the
  /// leading dimensions the operand lacks and the ones it had as size 1.
  Value unbroadcast(Value grad, RankedTensorType target) {
    RankedTensorType g = type(grad);
    if (g == target)
      return grad;
    int64_t offset = g.getRank() - target.getRank();
    SmallVector<int64_t> axes;
    for (int64_t d = 0; d < g.getRank(); ++d) {
      if (d < offset) {
        axes.push_back(d);
        continue;
      }
      if (target.getDimSize(d - offset) == 1 && g.getDimSize(d) != 1)
        axes.push_back(d);
    }
    Value summed = axes.empty() ? grad : sumKeep(grad, axes);
    return reshape(summed, target);
  }
};

/// What one op's VJP rule (DifferentiableOpInterface::buildVjp) works
/// with: TensorMath at the op, the gradients of its results, which operand
/// gradients to build, and where they go.
struct VjpBuilder : TensorMath {
  ValueRange resultGrads;
  ArrayRef<bool> needed;
  SmallVectorImpl<Value> &operandGrads;

  /// The gradient of the first (usually the only) result.
  Value gz() const { return resultGrads[0]; }
  /// The gradient of operand `i`, null until the rule sets it.
  Value &grad(unsigned i) { return operandGrads[i]; }
};

} // namespace mlir::hetc

#endif // HETC_DIALECT_HETC_TENSORMATH_H
