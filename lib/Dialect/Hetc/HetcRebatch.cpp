//===- HetcRebatch.cpp - shape attributes across batch sizes --------------===//
//
// The RebatchOpInterface rules of the ops whose attributes carry shapes:
// each rewrites its attributes for another batch size, or refuses with a
// located error when the batch dimension cannot be followed. hetc-rebatch
// re-infers the result types afterwards.
//
//===----------------------------------------------------------------------===//

#include "hetc/Dialect/Hetc/HetcOps.h"
#include "hetc/Dialect/Hetc/Rebatch.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::hetc;

#include "hetc/Dialect/Hetc/HetcRebatchInterface.cpp.inc"

namespace {

int64_t product(ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

std::string shapeText(ArrayRef<int64_t> dims) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(dims, os);
  return text + "]";
}

/// The operand's shape as it was before the batch changed.
SmallVector<int64_t> oldShape(Value operand, int64_t axis, int64_t oldBatch) {
  SmallVector<int64_t> shape(
      cast<RankedTensorType>(operand.getType()).getShape());
  shape[axis] = oldBatch;
  return shape;
}

/// The batch dimension must come out whole: the elements before it and
/// after it are regrouped among themselves, so the result has one
/// dimension of the batch's size with the same elements on either side.
LogicalResult rebatchAttributes(ReshapeOp op,
                                ArrayRef<std::optional<int64_t>> axes,
                                int64_t oldBatch, int64_t newBatch) {
  if (!axes[0])
    return success();
  int64_t a = *axes[0];
  SmallVector<int64_t> in = oldShape(op.getInput(), a, oldBatch);
  auto resultType = cast<RankedTensorType>(op.getType());
  SmallVector<int64_t> out(resultType.getShape());
  int64_t before = product(ArrayRef(in).take_front(a));
  int64_t after = product(ArrayRef(in).drop_front(a + 1));
  for (int64_t b = 0, e = out.size(); b < e; ++b) {
    if (out[b] != oldBatch || product(ArrayRef(out).take_front(b)) != before ||
        product(ArrayRef(out).drop_front(b + 1)) != after)
      continue;
    out[b] = newBatch;
    op.setShape(out);
    return success();
  }
  return op.emitOpError() << "cannot rebatch: it folds the batch dimension "
                          << "(axis " << a << " of " << shapeText(in)
                          << ") into " << shapeText(resultType.getShape())
                          << ", which keeps no dimension of the batch's size "
                          << oldBatch;
}

/// A batched input keeps its batch dimension (numpy broadcasting leaves
/// equal dimensions alone): the target shape takes the new size there.
LogicalResult rebatchAttributes(BroadcastToOp op,
                                ArrayRef<std::optional<int64_t>> axes,
                                int64_t oldBatch, int64_t newBatch) {
  if (!axes[0])
    return success();
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  SmallVector<int64_t> shape(op.getShape());
  int64_t axis =
      *axes[0] + static_cast<int64_t>(shape.size()) - inType.getRank();
  if (axis < 0 || shape[axis] != oldBatch)
    return op.emitOpError()
           << "cannot rebatch: its target shape " << shapeText(shape)
           << " does not keep the batch dimension";
  shape[axis] = newBatch;
  op.setShape(shape);
  return success();
}

/// Only a slice that keeps every row follows the batch; taking some rows
/// depends on the batch size in a way no rule can know.
LogicalResult rebatchAttributes(SliceOp op,
                                ArrayRef<std::optional<int64_t>> axes,
                                int64_t oldBatch, int64_t newBatch) {
  if (!axes[0])
    return success();
  int64_t a = *axes[0];
  if (op.getOffsets()[a] != 0 || op.getStrides()[a] != 1 ||
      op.getSizes()[a] != oldBatch)
    return op.emitOpError()
           << "cannot rebatch: it takes " << op.getSizes()[a]
           << " of the batch's " << oldBatch << " rows (offset "
           << op.getOffsets()[a] << ", stride " << op.getStrides()[a]
           << ") on axis " << a;
  SmallVector<int64_t> sizes(op.getSizes());
  sizes[a] = newBatch;
  op.setSizes(sizes);
  return success();
}

/// The interface model of an op with a rebatchAttributes rule above.
template <typename OpT>
struct RebatchModel
    : RebatchOpInterface::ExternalModel<RebatchModel<OpT>, OpT> {
  LogicalResult rebatch(Operation *op, ArrayRef<std::optional<int64_t>> axes,
                        int64_t oldBatch, int64_t newBatch) const {
    return rebatchAttributes(cast<OpT>(op), axes, oldBatch, newBatch);
  }
};

} // namespace

void mlir::hetc::attachRebatchInterfaces(MLIRContext &context) {
  ReshapeOp::attachInterface<RebatchModel<ReshapeOp>>(context);
  BroadcastToOp::attachInterface<RebatchModel<BroadcastToOp>>(context);
  SliceOp::attachInterface<RebatchModel<SliceOp>>(context);
}
