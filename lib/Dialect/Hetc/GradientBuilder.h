//===- GradientBuilder.h - helpers shared by the VJP rules ------*- C++ -*-===//
//
// The small tensor-arithmetic vocabulary every emitVjp is written in: 0-d
// constants that broadcast, the binary ops, reductions back to an operand's
// shape. Private to lib/Dialect/Hetc.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_LIB_DIALECT_HETC_GRADIENTBUILDER_H
#define HETC_LIB_DIALECT_HETC_GRADIENTBUILDER_H

#include "hetc/Dialect/Hetc/HetcOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace mlir::hetc {

/// Small builder helpers over one insertion point and location.
struct Grad {
  OpBuilder &b;
  Location loc;

  RankedTensorType type(Value v) const {
    return cast<RankedTensorType>(v.getType());
  }
  /// A 0-d constant of `like`'s element type; broadcasts in binary ops.
  Value scalar(Value like, double value) {
    auto t = RankedTensorType::get({}, type(like).getElementType());
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(t, b.getFloatAttr(t.getElementType(), value)));
  }
  Value zerosLike(Value like) {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(
            type(like), b.getFloatAttr(type(like).getElementType(), 0.0)));
  }
  /// 1 - x, the constant built first.
  Value oneMinus(Value x) {
    Value one = scalar(x, 1.0);
    return sub(one, x);
  }
  Value add(Value x, Value y) { return AddOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return SubOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return MulOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return DivOp::create(b, loc, x, y); }
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

inline bool needsAny(ArrayRef<bool> needed) {
  return llvm::is_contained(needed, true);
}

} // namespace mlir::hetc

#endif // HETC_LIB_DIALECT_HETC_GRADIENTBUILDER_H
