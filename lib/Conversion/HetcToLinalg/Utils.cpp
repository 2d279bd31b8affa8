//===- Utils.cpp - shared builders for the hetc to linalg patterns --------===//

#include "Utils.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace mlir::hetc;
using namespace mlir::hetc::lowering;

Value lowering::floatConstant(OpBuilder &b, Location loc, Type type,
                              double value) {
  return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
}

Value lowering::indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// Rows (or columns) of window `o` inside [0, limit), or, with `padded`,
/// inside the padded input, whose low edge no window crosses.
static Value windowExtent(OpBuilder &b, Location l, Value o, int64_t stride,
                          int64_t pad, int64_t k, int64_t limit, bool padded) {
  Value scaled =
      arith::MulIOp::create(b, l, o, lowering::indexConstant(b, l, stride));
  Value start =
      arith::SubIOp::create(b, l, scaled, lowering::indexConstant(b, l, pad));
  Value end =
      arith::AddIOp::create(b, l, start, lowering::indexConstant(b, l, k));
  Value lo = padded ? start
                    : arith::MaxSIOp::create(b, l, start,
                                             lowering::indexConstant(b, l, 0));
  Value hi =
      arith::MinSIOp::create(b, l, end, lowering::indexConstant(b, l, limit));
  return arith::SubIOp::create(b, l, hi, lo);
}

Value lowering::avgPoolDivisor(OpBuilder &b, Location loc,
                               function_ref<Value(unsigned)> windowIndex,
                               ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> padding,
                               ArrayRef<int64_t> kernel, int64_t h, int64_t w,
                               bool includePad, Type elementType) {
  int64_t hLimit = includePad ? h + padding[2] : h;
  int64_t wLimit = includePad ? w + padding[3] : w;
  Value rows = windowExtent(b, loc, windowIndex(0), strides[0], padding[0],
                            kernel[0], hLimit, includePad);
  Value cols = windowExtent(b, loc, windowIndex(1), strides[1], padding[1],
                            kernel[1], wLimit, includePad);
  Value count = arith::MulIOp::create(b, loc, rows, cols);
  Value countInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), count);
  return arith::SIToFPOp::create(b, loc, elementType, countInt);
}

Value lowering::emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType());
}

Value lowering::filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                             double value) {
  Value init = emptyTensor(b, loc, type);
  Value scalar = floatConstant(b, loc, type.getElementType(), value);
  return linalg::FillOp::create(b, loc, scalar, init).getResult(0);
}

AffineMap lowering::broadcastMap(MLIRContext *ctx,
                                 ArrayRef<int64_t> operandShape,
                                 ArrayRef<int64_t> resultShape) {
  int64_t rank = resultShape.size();
  int64_t offset = rank - static_cast<int64_t>(operandShape.size());
  SmallVector<AffineExpr> exprs;
  for (auto [i, dim] : llvm::enumerate(operandShape)) {
    int64_t resultDim = offset + static_cast<int64_t>(i);
    if (dim == 1 && resultShape[resultDim] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(resultDim, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value lowering::buildElementwise(OpBuilder &b, Location loc,
                                 RankedTensorType resultType, ValueRange inputs,
                                 ScalarBodyFn body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(
        broadcastMap(ctx, cast<RankedTensorType>(input.getType()).getShape(),
                     resultType.getShape()));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, resultType);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, init, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

Value lowering::buildReduction(OpBuilder &b, Location loc, Value input,
                               ArrayRef<int64_t> axes, ReductionKind kind) {
  auto inputType = cast<RankedTensorType>(input.getType());
  Type elementType = inputType.getElementType();
  int64_t rank = inputType.getRank();
  SmallVector<int64_t> resultShape;
  SmallVector<AffineExpr> resultExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(axes, d)) {
      iterators.push_back(utils::IteratorType::reduction);
      continue;
    }
    iterators.push_back(utils::IteratorType::parallel);
    resultShape.push_back(inputType.getDimSize(d));
    resultExprs.push_back(b.getAffineDimExpr(d));
  }
  auto resultType = RankedTensorType::get(resultShape, elementType);
  double initValue = 0.0;
  if (kind == ReductionKind::Max)
    initValue = -std::numeric_limits<double>::infinity();
  else if (kind == ReductionKind::Min)
    initValue = std::numeric_limits<double>::infinity();
  Value init = filledTensor(b, loc, resultType, initValue);
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(rank),
      AffineMap::get(rank, 0, resultExprs, b.getContext())};
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, input, init, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value combined;
        if (kind == ReductionKind::Sum)
          combined = arith::AddFOp::create(nb, nloc, args[0], args[1]);
        else if (kind == ReductionKind::Max)
          combined = arith::MaximumFOp::create(nb, nloc, args[0], args[1]);
        else
          combined = arith::MinimumFOp::create(nb, nloc, args[0], args[1]);
        linalg::YieldOp::create(nb, nloc, combined);
      });
  return generic.getResult(0);
}

Value lowering::reshapeTo(OpBuilder &b, Location loc, Value input,
                          RankedTensorType type) {
  auto inputType = cast<RankedTensorType>(input.getType());
  if (inputType == type)
    return input;
  // Reassociations between the two shapes exist whenever the shapes group
  // into matching products; otherwise go through a rank-1 tensor.
  if (inputType.getRank() > type.getRank()) {
    if (auto reassoc = getReassociationIndicesForCollapse(inputType.getShape(),
                                                          type.getShape()))
      return tensor::CollapseShapeOp::create(b, loc, type, input, *reassoc);
  } else if (inputType.getRank() < type.getRank()) {
    if (auto reassoc = getReassociationIndicesForReshape(inputType, type))
      return tensor::ExpandShapeOp::create(b, loc, type, input, *reassoc);
  }
  auto flatType = RankedTensorType::get({inputType.getNumElements()},
                                        inputType.getElementType());
  auto allDims = [](int64_t rank) {
    SmallVector<ReassociationIndices> groups;
    if (rank == 0)
      return groups;
    groups.emplace_back();
    for (int64_t d = 0; d < rank; ++d)
      groups[0].push_back(d);
    return groups;
  };
  Value flat = input;
  if (inputType.getRank() == 0)
    flat = tensor::ExpandShapeOp::create(b, loc, flatType, input, allDims(0));
  else if (inputType.getRank() != 1)
    flat = tensor::CollapseShapeOp::create(b, loc, flatType, input,
                                           allDims(inputType.getRank()));
  if (type.getRank() == 1)
    return flat;
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, flat, allDims(0));
  return tensor::ExpandShapeOp::create(b, loc, type, flat,
                                       allDims(type.getRank()));
}

RankedTensorType lowering::keptType(RankedTensorType type, int64_t axis) {
  SmallVector<int64_t> shape(type.getShape());
  shape[axis] = 1;
  return RankedTensorType::get(shape, type.getElementType());
}

int64_t lowering::product(ArrayRef<int64_t> shape, ArrayRef<int64_t> axes) {
  int64_t p = 1;
  for (int64_t axis : axes)
    p *= shape[axis];
  return p;
}

SmallVector<int64_t> lowering::normalizeAxes(ArrayRef<int64_t> axes,
                                             int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t axis : axes)
    result.push_back(axis < 0 ? axis + rank : axis);
  llvm::sort(result);
  return result;
}

SmallVector<OpFoldResult> lowering::indexAttrs(OpBuilder &b,
                                               ArrayRef<int64_t> values) {
  SmallVector<OpFoldResult> attrs;
  for (int64_t v : values)
    attrs.push_back(b.getIndexAttr(v));
  return attrs;
}

SmallVector<int64_t>
lowering::poolStrides(std::optional<ArrayRef<int64_t>> strides,
                      ArrayRef<int64_t> kernel) {
  return strides ? SmallVector<int64_t>(*strides)
                 : SmallVector<int64_t>(kernel);
}

int64_t lowering::signedAxis(uint64_t axis, int64_t rank) {
  int64_t value = static_cast<int64_t>(axis);
  return value < 0 ? value + rank : value;
}

SoftmaxStatistics lowering::buildSoftmaxStatistics(OpBuilder &b, Location loc,
                                                   Value input, int64_t axis) {
  auto type = cast<RankedTensorType>(input.getType());
  Value max = buildReduction(b, loc, input, {axis}, ReductionKind::Max);
  // exp(x - max) is fused with the sum by elementwise fusion later.
  Value shifted = buildElementwise(
      b, loc, type, {input, reshapeTo(b, loc, max, keptType(type, axis))},
      [](OpBuilder &nb, Location nloc, ValueRange args) {
        return math::ExpOp::create(
            nb, nloc, arith::SubFOp::create(nb, nloc, args[0], args[1]));
      });
  Value sum = buildReduction(b, loc, shifted, {axis}, ReductionKind::Sum);
  return {max, shifted, sum};
}
