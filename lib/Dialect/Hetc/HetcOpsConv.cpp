//===- HetcOpsConv.cpp - inference of the conv, resampling, padding ops ---===//
//
// Result-type inference (the verifier) of the ops in HetcOpsConv.td. Sizes
// are computed with checked arithmetic, so absurd attributes are reported
// instead of wrapping.
//
//===----------------------------------------------------------------------===//

#include "hetc/Dialect/Hetc/HetcOps.h"

#include "OpInference.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::hetc;

namespace {

/// A statically shaped ranked tensor of rank `rank` (any rank when -1).
RankedTensorType tensorOf(const OpDiag &diag, Value value, StringRef what,
                          int64_t rank, StringRef layout = "") {
  RankedTensorType type = tensorOperand(diag, value, what);
  if (!type)
    return {};
  if (rank >= 0 && type.getRank() != rank) {
    (void)diag(what, " must be ", rank, "-D ", layout, ", got ", type);
    return {};
  }
  return type;
}

LogicalResult checkValues(const OpDiag &diag, StringRef name,
                          ArrayRef<int64_t> values, size_t size, int64_t min) {
  if (values.size() != size)
    return diag("'", name, "' needs ", size, " values, got ", shapeStr(values));
  for (int64_t v : values)
    if (v < min)
      return diag("'", name, "' values must be >= ", min, ", got ",
                  shapeStr(values));
  return success();
}

/// a * b + c, or nothing on overflow.
std::optional<int64_t> mulAdd(int64_t a, int64_t b, int64_t c) {
  return llvm::checkedMulAdd(a, b, c);
}

} // namespace

//===----------------------------------------------------------------------===//
// ConvTranspose2DOp
//===----------------------------------------------------------------------===//

LogicalResult ConvTranspose2DOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "conv_transpose2d");
  RankedTensorType input =
      tensorOf(diag, adaptor.getInput(), "input", 4, "[N, C_in, H, W]");
  if (!input)
    return failure();
  RankedTensorType weight = tensorOf(diag, adaptor.getWeight(), "weight", 4,
                                     "[C_in, C_out/groups, KH, KW]");
  if (!weight)
    return failure();
  if (input.getElementType() != weight.getElementType())
    return diag("input and weight have different element types (",
                input.getElementType(), " vs ", weight.getElementType(), ")");
  ArrayRef<int64_t> strides = adaptor.getStrides(),
                    padding = adaptor.getPadding(),
                    outputPadding = adaptor.getOutputPadding(),
                    dilation = adaptor.getDilation();
  if (failed(checkValues(diag, "strides", strides, 2, 1)) ||
      failed(checkValues(diag, "dilation", dilation, 2, 1)) ||
      failed(checkValues(diag, "padding", padding, 4, 0)) ||
      failed(checkValues(diag, "output_padding", outputPadding, 2, 0)))
    return failure();
  int64_t groups = adaptor.getGroups();
  if (groups < 1)
    return diag("'groups' must be >= 1, got ", groups);
  int64_t cIn = input.getDimSize(1);
  if (weight.getDimSize(0) != cIn)
    return diag("weight ", shapeStr(weight.getShape()), " expects ",
                weight.getDimSize(0), " input channels, but the input has ",
                cIn);
  if (cIn % groups != 0)
    return diag("input channels (", cIn, ") are not divisible by groups (",
                groups, ")");
  if (weight.getDimSize(2) < 1 || weight.getDimSize(3) < 1)
    return diag("weight ", shapeStr(weight.getShape()),
                " has an empty kernel (KH and KW must be >= 1)");
  std::optional<int64_t> cOut = llvm::checkedMul(weight.getDimSize(1), groups);
  if (!cOut || *cOut < 1)
    return diag("weight ", shapeStr(weight.getShape()),
                " gives no valid output channel count with ", groups,
                " groups");
  // As torch: the extra rows must not hold a whole stride of the dilated
  // kernel's reach for both.
  for (int i = 0; i < 2; ++i)
    if (outputPadding[i] >= std::max(strides[i], dilation[i]))
      return diag("output_padding ", shapeStr(outputPadding),
                  " must be smaller than the strides ", shapeStr(strides),
                  " or the dilation ", shapeStr(dilation));
  if (Value biasV = adaptor.getBias()) {
    RankedTensorType bias = tensorOf(diag, biasV, "bias", -1);
    if (!bias)
      return failure();
    if (bias.getElementType() != input.getElementType())
      return diag("input and bias have different element types (",
                  input.getElementType(), " vs ", bias.getElementType(), ")");
    if (bias.getRank() != 1 || bias.getDimSize(0) != *cOut)
      return diag("bias must have shape [", *cOut, "], got ",
                  shapeStr(bias.getShape()));
  }
  SmallVector<int64_t> shape = {input.getDimSize(0), *cOut};
  for (int i = 0; i < 2; ++i) {
    // (in - 1) * s - before - after + d * (k - 1) + output_padding + 1.
    std::optional<int64_t> full =
        mulAdd(input.getDimSize(2 + i) - 1, strides[i], 1);
    std::optional<int64_t> span =
        mulAdd(dilation[i], weight.getDimSize(2 + i) - 1, outputPadding[i]);
    std::optional<int64_t> size;
    if (full && span)
      size = llvm::checkedAdd(*full, *span);
    if (size)
      size = llvm::checkedSub(*size, padding[i]);
    if (size)
      size = llvm::checkedSub(*size, padding[i + 2]);
    StringRef dim = i == 0 ? "height" : "width";
    if (!size)
      return diag("the output ", dim, " overflows");
    if (*size < 1)
      return diag("the padding ", shapeStr(padding), " removes the whole ", dim,
                  " (", *size + padding[i] + padding[i + 2],
                  " before padding)");
    shape.push_back(*size);
  }
  inferredReturnTypes.push_back(
      RankedTensorType::get(shape, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// UpsampleOp
//===----------------------------------------------------------------------===//

static FailureOr<RankedTensorType>
inferUpsampleType(const OpDiag &diag, Value inputV, ArrayRef<int64_t> size,
                  UpsampleMode mode, bool alignCorners) {
  RankedTensorType input = tensorOf(diag, inputV, "input", 4, "[N, C, H, W]");
  if (!input)
    return failure();
  if (failed(checkValues(diag, "size", size, 2, 1)))
    return failure();
  if (alignCorners && mode != UpsampleMode::Bilinear) {
    (void)diag("align_corners applies to bilinear upsampling only");
    return failure();
  }
  // Coordinates are computed in f32: keep every index exact in it.
  for (int64_t d : {input.getDimSize(2), input.getDimSize(3), size[0], size[1]})
    if (d > (int64_t(1) << 24)) {
      (void)diag("spatial sizes must be at most 2^24, got ", d);
      return failure();
    }
  if (input.getDimSize(2) < 1 || input.getDimSize(3) < 1) {
    (void)diag("input ", input, " has an empty spatial dimension");
    return failure();
  }
  return RankedTensorType::get(
      {input.getDimSize(0), input.getDimSize(1), size[0], size[1]},
      input.getElementType());
}

LogicalResult
UpsampleOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                             Adaptor adaptor,
                             SmallVectorImpl<Type> &inferredReturnTypes) {
  FailureOr<RankedTensorType> type = inferUpsampleType(
      OpDiag(loc, "upsample"), adaptor.getInput(), adaptor.getSize(),
      adaptor.getMode(), adaptor.getAlignCorners());
  if (failed(type))
    return failure();
  inferredReturnTypes.push_back(*type);
  return success();
}

LogicalResult UpsampleBackwardOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "upsample_backward");
  FailureOr<RankedTensorType> type =
      inferUpsampleType(diag, adaptor.getInput(), adaptor.getSize(),
                        adaptor.getMode(), adaptor.getAlignCorners());
  if (failed(type))
    return failure();
  return checkForwardType(diag, *type, adaptor.getGradOutput(), "grad_output",
                          adaptor.getInput().getType(), inferredReturnTypes);
}

//===----------------------------------------------------------------------===//
// PadOp
//===----------------------------------------------------------------------===//

static FailureOr<RankedTensorType> inferPadType(const OpDiag &diag,
                                                Value inputV,
                                                ArrayRef<int64_t> padding,
                                                PadMode mode) {
  RankedTensorType input = tensorOf(diag, inputV, "input", -1);
  if (!input)
    return failure();
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(padding.size()) != 2 * rank) {
    (void)diag("'padding' needs 2 * rank = ", 2 * rank,
               " values (all befores, then all afters), got ",
               shapeStr(padding));
    return failure();
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t in = input.getDimSize(d);
    int64_t before = padding[d], after = padding[rank + d];
    std::optional<int64_t> size = llvm::checkedAdd(in, before);
    if (size)
      size = llvm::checkedAdd(*size, after);
    if (!size) {
      (void)diag("dimension ", d, ": the padded size overflows");
      return failure();
    }
    if (*size < 1) {
      (void)diag("dimension ", d, ": padding ", before, " and ", after,
                 " leave ", *size, " of ", in, " elements (at least 1)");
      return failure();
    }
    if (mode == PadMode::Reflect && (before >= in || after >= in)) {
      (void)diag("dimension ", d, ": reflect padding (", before, ", ", after,
                 ") must be smaller than the dimension (", in, ")");
      return failure();
    }
    shape.push_back(*size);
  }
  return RankedTensorType::get(shape, input.getElementType());
}

LogicalResult
PadOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                        Adaptor adaptor,
                        SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "pad");
  if (adaptor.getMode() != PadMode::Constant &&
      adaptor.getValue().convertToDouble() != 0.0)
    return diag("'value' applies to constant padding only");
  FailureOr<RankedTensorType> type = inferPadType(
      diag, adaptor.getInput(), adaptor.getPadding(), adaptor.getMode());
  if (failed(type))
    return failure();
  inferredReturnTypes.push_back(*type);
  return success();
}

LogicalResult
PadBackwardOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                Adaptor adaptor,
                                SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "pad_backward");
  FailureOr<RankedTensorType> type = inferPadType(
      diag, adaptor.getInput(), adaptor.getPadding(), adaptor.getMode());
  if (failed(type))
    return failure();
  return checkForwardType(diag, *type, adaptor.getGrad(), "grad",
                          adaptor.getInput().getType(), inferredReturnTypes);
}

//===----------------------------------------------------------------------===//
// AdaptiveAvgPool2DOp
//===----------------------------------------------------------------------===//

static FailureOr<RankedTensorType>
inferAdaptivePoolType(const OpDiag &diag, Value inputV,
                      ArrayRef<int64_t> outputSize) {
  RankedTensorType input = tensorOf(diag, inputV, "input", 4, "[N, C, H, W]");
  if (!input)
    return failure();
  if (failed(checkValues(diag, "output_size", outputSize, 2, 1)))
    return failure();
  for (int i = 0; i < 2; ++i) {
    int64_t in = input.getDimSize(2 + i);
    if (in < 1) {
      (void)diag("input ", input, " has an empty spatial dimension");
      return failure();
    }
    // The window bounds compute (i + 1) * in.
    if (!llvm::checkedMul(outputSize[i] + 1, in)) {
      (void)diag("output_size ", shapeStr(outputSize), " overflows");
      return failure();
    }
  }
  return RankedTensorType::get(
      {input.getDimSize(0), input.getDimSize(1), outputSize[0], outputSize[1]},
      input.getElementType());
}

LogicalResult AdaptiveAvgPool2DOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  FailureOr<RankedTensorType> type =
      inferAdaptivePoolType(OpDiag(loc, "adaptive_avg_pool2d"),
                            adaptor.getInput(), adaptor.getOutputSize());
  if (failed(type))
    return failure();
  inferredReturnTypes.push_back(*type);
  return success();
}

LogicalResult AdaptiveAvgPool2DBackwardOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "adaptive_avg_pool2d_backward");
  RankedTensorType grad = tensorOf(diag, adaptor.getGradOutput(), "grad_output",
                                   4, "[N, C, OH, OW]");
  if (!grad)
    return failure();
  FailureOr<RankedTensorType> type = inferAdaptivePoolType(
      diag, adaptor.getInput(), grad.getShape().take_back(2));
  if (failed(type))
    return failure();
  return checkForwardType(diag, *type, adaptor.getGradOutput(), "grad_output",
                          adaptor.getInput().getType(), inferredReturnTypes);
}
