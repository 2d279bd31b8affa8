//===- HetcAccumulation.cpp - how many terms each op sums -----------------===//
//
// AccumulatingOpInterface: each op states how many terms one of its result
// elements sums, and the verifier refuses the f16 and bf16 ones that sum too
// many to be exact.
//
//===----------------------------------------------------------------------===//

#include "hetc/Dialect/Hetc/HetcOps.h"

using namespace mlir;
using namespace mlir::hetc;

/// A sum over more terms than this is not exact in f16 and bf16 (reductions
/// accumulate in the element type), and a mean over more than 65504 divides
/// by infinity.
static constexpr int64_t kMaxLowPrecisionAccumulation = 2048;

LogicalResult mlir::hetc::verifyLowPrecisionAccumulation(Operation *op) {
  auto input = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  if (!input || !isa<Float16Type, BFloat16Type>(input.getElementType()))
    return success();
  int64_t count = cast<AccumulatingOpInterface>(op).getAccumulatedCount();
  if (count <= kMaxLowPrecisionAccumulation)
    return success();
  return op->emitOpError() << "reduces " << count << " "
                           << input.getElementType()
                           << " elements, more than the "
                           << kMaxLowPrecisionAccumulation
                           << " hetc can sum exactly in that type (reductions "
                              "accumulate in the element type); use f32";
}

static RankedTensorType tensorType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// The size of dimension `axis` of `type`, counted from the end if < 0.
static int64_t dimSize(RankedTensorType type, int64_t axis) {
  return type.getDimSize(axis < 0 ? axis + type.getRank() : axis);
}

/// The number of elements of `type` along `axes` together.
static int64_t product(RankedTensorType type, ArrayRef<int64_t> axes) {
  int64_t count = 1;
  for (int64_t axis : axes)
    count *= dimSize(type, axis);
  return count;
}

int64_t ReduceSumOp::getAccumulatedCount() {
  return product(tensorType(getInput()), getAxes());
}

int64_t ReduceMeanOp::getAccumulatedCount() {
  return product(tensorType(getInput()), getAxes());
}

int64_t SoftmaxOp::getAccumulatedCount() {
  return dimSize(tensorType(getInput()), getAxis());
}

int64_t LogSoftmaxOp::getAccumulatedCount() {
  return dimSize(tensorType(getInput()), getAxis());
}

/// Counted over the whole input, which bounds the normalized extent.
int64_t LayerNormOp::getAccumulatedCount() {
  return tensorType(getInput()).getNumElements();
}

/// The statistics of one channel sum over N * H * W elements.
int64_t BatchNormOp::getAccumulatedCount() {
  RankedTensorType input = tensorType(getInput());
  return input.getNumElements() / input.getDimSize(1);
}

int64_t MseOp::getAccumulatedCount() {
  return tensorType((*this)->getOperand(0)).getNumElements();
}

/// The softmax sums over the classes and the mean over the batch.
int64_t CrossEntropyOp::getAccumulatedCount() {
  RankedTensorType logits = tensorType((*this)->getOperand(0));
  return std::max(logits.getDimSize(0), logits.getDimSize(1));
}

/// The contracted dimension of the left operand.
int64_t MatmulOp::getAccumulatedCount() {
  RankedTensorType lhs = tensorType((*this)->getOperand(0));
  return lhs.getDimSize(lhs.getRank() - (getTransposeLhs() ? 2 : 1));
}

/// C_in / groups * KH * KW products per output.
int64_t Conv2DOp::getAccumulatedCount() {
  RankedTensorType weight = tensorType(getWeight());
  return weight.getNumElements() / weight.getDimSize(0);
}

/// C_in / groups * KH * KW products per output; the weight is
/// [C_in, C_out / groups, KH, KW].
int64_t ConvTranspose2DOp::getAccumulatedCount() {
  RankedTensorType weight = tensorType(getWeight());
  return weight.getNumElements() / (weight.getDimSize(1) * getGroups());
}

/// N * OH * OW products per weight element.
int64_t Conv2DBackwardWeightOp::getAccumulatedCount() {
  RankedTensorType gradOutput = tensorType(getGradOutput());
  return gradOutput.getNumElements() / gradOutput.getDimSize(1);
}
