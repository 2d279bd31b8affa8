//===- HetcOpsExtra.cpp - inference and verifiers of HetcOpsExtra.td ------===//
//
// Type inference (the verifier) of where, gather and gather_backward, and
// the verifiers of clamp, cast and cumsum. reduce_min shares reduce_max's
// inference in HetcOps.cpp.
//
//===----------------------------------------------------------------------===//

#include "hetc/Dialect/Hetc/HetcOps.h"

#include "OpInference.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::hetc;

//===----------------------------------------------------------------------===//
// ClampOp
//===----------------------------------------------------------------------===//

LogicalResult ClampOp::verify() {
  OpDiag diag(getLoc(), "clamp");
  if (!getMin() && !getMax())
    return diag("needs a min or a max bound (or both)");
  if (getMin() && std::isnan(getMin()->convertToDouble()))
    return diag("min bound is NaN");
  if (getMax() && std::isnan(getMax()->convertToDouble()))
    return diag("max bound is NaN");
  return success();
}

//===----------------------------------------------------------------------===//
// WhereOp
//===----------------------------------------------------------------------===//

LogicalResult
WhereOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                          Adaptor adaptor,
                          SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "where");
  RankedTensorType cond =
      tensorOperand(diag, adaptor.getCondition(), "condition");
  RankedTensorType lhs = tensorOperand(diag, adaptor.getLhs(), "lhs");
  RankedTensorType rhs = tensorOperand(diag, adaptor.getRhs(), "rhs");
  if (!cond || !lhs || !rhs)
    return failure();
  if (lhs.getElementType() != rhs.getElementType())
    return diag("lhs and rhs have different element types (",
                lhs.getElementType(), " vs ", rhs.getElementType(), ")");
  SmallVector<int64_t> values, shape;
  if (!OpTrait::util::getBroadcastedShape(lhs.getShape(), rhs.getShape(),
                                          values))
    return diag("lhs ", shapeStr(lhs.getShape()), " and rhs ",
                shapeStr(rhs.getShape()), " are not broadcast-compatible");
  if (!OpTrait::util::getBroadcastedShape(cond.getShape(), values, shape))
    return diag("condition ", shapeStr(cond.getShape()),
                " is not broadcast-compatible with the values' shape ",
                shapeStr(values));
  inferredReturnTypes.push_back(
      RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// CastOp
//===----------------------------------------------------------------------===//

bool CastOp::isFloatToFloat() {
  return isa<FloatType>(getInput().getType().getElementType()) &&
         isa<FloatType>(getType().getElementType());
}

LogicalResult CastOp::verify() {
  auto input = cast<RankedTensorType>(getInput().getType());
  auto result = cast<RankedTensorType>(getType());
  if (input.getShape() != result.getShape())
    return OpDiag(getLoc(), "cast")(
        "changes the shape from ", shapeStr(input.getShape()), " to ",
        shapeStr(result.getShape()), "; it converts element types only");
  return success();
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// GatherOp and GatherBackwardOp
//===----------------------------------------------------------------------===//

/// The gather result type x[:axis] + indices + x[axis+1:], or a reported
/// error.
static FailureOr<RankedTensorType> inferGatherType(const OpDiag &diag,
                                                   Value inputV, Value indicesV,
                                                   int64_t axisAttr) {
  RankedTensorType input = tensorOperand(diag, inputV, "input");
  RankedTensorType indices = tensorOperand(diag, indicesV, "indices");
  if (!input || !indices)
    return failure();
  FailureOr<int64_t> axis = normalizeAxis(diag, axisAttr, input.getRank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> x = input.getShape();
  SmallVector<int64_t> shape(x.take_front(*axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, x.drop_front(*axis + 1));
  return RankedTensorType::get(shape, input.getElementType());
}

LogicalResult
GatherOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                           Adaptor adaptor,
                           SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "gather");
  FailureOr<RankedTensorType> type =
      inferGatherType(diag, adaptor.getInput(), adaptor.getIndices(),
                      static_cast<int64_t>(adaptor.getAxis()));
  if (failed(type))
    return failure();
  inferredReturnTypes.push_back(*type);
  return success();
}

LogicalResult
GatherBackwardOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                   Adaptor adaptor,
                                   SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "gather_backward");
  FailureOr<RankedTensorType> forward =
      inferGatherType(diag, adaptor.getInput(), adaptor.getIndices(),
                      static_cast<int64_t>(adaptor.getAxis()));
  if (failed(forward))
    return failure();
  Value grad = adaptor.getGradOutput();
  if (grad.getType() != *forward)
    return diag("grad_output has type ", grad.getType(),
                " but the forward op produces ", *forward);
  inferredReturnTypes.push_back(adaptor.getInput().getType());
  return success();
}

//===----------------------------------------------------------------------===//
// CumsumOp
//===----------------------------------------------------------------------===//

LogicalResult CumsumOp::verify() {
  OpDiag diag(getLoc(), "cumsum");
  return normalizeAxis(diag, static_cast<int64_t>(getAxis()),
                       getInput().getType().getRank());
}
