//===- Utils.h - shared builders for the hetc to linalg patterns -*- C++
//-*-===//

#ifndef HETC_LIB_CONVERSION_HETCTOLINALG_UTILS_H
#define HETC_LIB_CONVERSION_HETCTOLINALG_UTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::hetc::lowering {

/// Builds the scalar body of an elementwise generic from its block arguments
/// (one per input, in order).
using ScalarBodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// An f32/f16/bf16 scalar constant of `type`.
Value floatConstant(OpBuilder &b, Location loc, Type type, double value);
/// An index constant.
Value indexConstant(OpBuilder &b, Location loc, int64_t value);

/// The element count avg-pool divides an output window by, as a scalar of
/// `elementType`: the window clipped to the padded input (count_include_pad)
/// or to the input itself. `windowIndex(d)` gives the window's row (d = 0)
/// or column (d = 1) index where it is needed; `padding` is [top, left,
/// bottom, right]; the input is h x w.
Value avgPoolDivisor(OpBuilder &b, Location loc,
                     function_ref<Value(unsigned)> windowIndex,
                     ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
                     ArrayRef<int64_t> kernel, int64_t h, int64_t w,
                     bool includePad, Type elementType);

/// tensor.empty of a static type.
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type);
/// A tensor of `type` filled with `value`.
Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   double value);

/// The map that reads an operand of `operandShape` broadcast (numpy rules)
/// into the iteration space of `resultShape`.
AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> operandShape,
                       ArrayRef<int64_t> resultShape);

/// An all-parallel linalg.generic producing `resultType` from broadcastable
/// `inputs`; `body` receives one scalar per input.
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange inputs, ScalarBodyFn body);

enum class ReductionKind { Sum, Max, Min };

/// Reduces `input` over sorted, non-negative `axes`, dropping them.
Value buildReduction(OpBuilder &b, Location loc, Value input,
                     ArrayRef<int64_t> axes, ReductionKind kind);

/// Reshapes a static tensor to `type` (same element count) through
/// collapse_shape / expand_shape.
Value reshapeTo(OpBuilder &b, Location loc, Value input, RankedTensorType type);

/// `type` with dimension `axis` set to 1.
RankedTensorType keptType(RankedTensorType type, int64_t axis);

/// Index attributes for static offsets, sizes or strides of tensor ops.
SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values);

/// Pooling strides: the given ones, or the kernel size when absent.
SmallVector<int64_t> poolStrides(std::optional<ArrayRef<int64_t>> strides,
                                 ArrayRef<int64_t> kernel);

/// A non-negative axis from an I64Attr value (whose getter is unsigned, so a
/// negative axis arrives wrapped) and the rank it indexes.
int64_t signedAxis(uint64_t axis, int64_t rank);

/// The pieces of a numerically stable softmax along `axis`: the maximum and
/// the sum of exp(x - max), both with `axis` reduced away, and exp(x - max)
/// itself at the input's shape.
struct SoftmaxStatistics {
  Value max, shiftedExp, sum;
};
SoftmaxStatistics buildSoftmaxStatistics(OpBuilder &b, Location loc,
                                         Value input, int64_t axis);

/// Product of the sizes of `axes` of `shape`.
int64_t product(ArrayRef<int64_t> shape, ArrayRef<int64_t> axes);

/// Returns the axes in [0, rank) sorted after normalizing negative ones.
SmallVector<int64_t> normalizeAxes(ArrayRef<int64_t> axes, int64_t rank);

/// Builds a gather-form generic: parallel over `resultType`'s dimensions and
/// reducing over `reductionShape`, with a body that returns the contribution
/// of one reduction point (ivs: result indices, then reduction indices).
/// Scatter-shaped gradients use it to stay free of atomics.
Value buildGatherReduction(
    OpBuilder &b, Location loc, RankedTensorType resultType,
    ArrayRef<int64_t> reductionShape,
    function_ref<Value(OpBuilder &, Location, ValueRange ivs)> contribution);

/// For an input position `pos` and kernel offset `k * dilation`, returns
/// (valid, clamped output index) of the sliding window that reads it.
std::pair<Value, Value> windowIndex(OpBuilder &b, Location l, Value pos,
                                    Value k, int64_t pad, int64_t stride,
                                    int64_t dilation, int64_t outSize);

/// `cond ? v : 0`.
Value selectOrZero(OpBuilder &b, Location l, Value cond, Value v);

/// The transposed convolution of conv2d_backward_input (and
/// conv_transpose2d): maps `grad` [N, F, OH, OW] back through `weight`
/// [F, C/groups, KH, KW] to `resultType` [N, C, H, W].
Value buildConv2DBackwardInput(OpBuilder &b, Location loc, Value grad,
                               Value weight, RankedTensorType resultType,
                               ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> padding,
                               ArrayRef<int64_t> dilation, int64_t groups);

} // namespace mlir::hetc::lowering

namespace mlir::hetc {
// Pattern groups, one file each.
void populateElementwisePatterns(const TypeConverter &converter,
                                 RewritePatternSet &patterns);
void populateReductionPatterns(const TypeConverter &converter,
                               RewritePatternSet &patterns);
void populateShapePatterns(const TypeConverter &converter,
                           RewritePatternSet &patterns);
void populateNNPatterns(const TypeConverter &converter,
                        RewritePatternSet &patterns);
void populateLossPatterns(const TypeConverter &converter,
                          RewritePatternSet &patterns);
void populateGradientPatterns(const TypeConverter &converter,
                              RewritePatternSet &patterns);
void populateExtraPatterns(const TypeConverter &converter,
                           RewritePatternSet &patterns);
void populateConvPatterns(const TypeConverter &converter,
                          RewritePatternSet &patterns);
} // namespace mlir::hetc

#endif // HETC_LIB_CONVERSION_HETCTOLINALG_UTILS_H
