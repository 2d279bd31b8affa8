//===- NNPatterns.cpp - hetc matmul, conv, pooling, norms to linalg -------===//

#include "Utils.h"

#include "hetc/Dialect/Hetc/HetcOps.h"

#include <limits>

using namespace mlir;
using namespace mlir::hetc;
using namespace mlir::hetc::lowering;

namespace {

/// Matmul indexing maps over (batch..., m, n, k) honoring the transposes.
static SmallVector<AffineMap> matmulMaps(MLIRContext *ctx, unsigned batchDims,
                                         bool transposeLhs, bool transposeRhs) {
  unsigned numDims = batchDims + 3;
  SmallVector<AffineExpr> batch;
  for (unsigned i = 0; i < batchDims; ++i)
    batch.push_back(getAffineDimExpr(i, ctx));
  AffineExpr m = getAffineDimExpr(batchDims, ctx);
  AffineExpr n = getAffineDimExpr(batchDims + 1, ctx);
  AffineExpr k = getAffineDimExpr(batchDims + 2, ctx);
  auto withBatch = [&](AffineExpr a, AffineExpr b) {
    SmallVector<AffineExpr> exprs(batch);
    exprs.push_back(a);
    exprs.push_back(b);
    return AffineMap::get(numDims, 0, exprs, ctx);
  };
  return {transposeLhs ? withBatch(k, m) : withBatch(m, k),
          transposeRhs ? withBatch(n, k) : withBatch(k, n), withBatch(m, n)};
}

static NamedAttribute indexingMapsAttr(OpBuilder &b, ArrayRef<AffineMap> maps) {
  SmallVector<Attribute> attrs;
  for (AffineMap map : maps)
    attrs.push_back(AffineMapAttr::get(map));
  return b.getNamedAttr("indexing_maps", b.getArrayAttr(attrs));
}

/// hetc.matmul => linalg.matmul (rank 2, or a batched lhs against a rank-2
/// rhs folded into M), else broadcast + linalg.batch_matmul
struct MatmulOpLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    bool tl = op.getTransposeLhs(), tr = op.getTransposeRhs();
    int64_t m = resultType.getDimSize(resultType.getRank() - 2);
    int64_t n = resultType.getDimSize(resultType.getRank() - 1);

    auto matmul2D = [&](Value a, Value b, bool ta, bool tb,
                        RankedTensorType type) {
      Value init = filledTensor(rewriter, loc, type, 0.0);
      auto mm = linalg::MatmulOp::create(
          rewriter, loc, TypeRange{type}, ValueRange{a, b}, ValueRange{init},
          {indexingMapsAttr(rewriter, matmulMaps(ctx, 0, ta, tb))});
      return mm.getResult(0);
    };

    if (lhsType.getRank() == 2 && rhsType.getRank() == 2) {
      rewriter.replaceOp(op, matmul2D(lhs, rhs, tl, tr, resultType));
      return success();
    }
    // [B..., M, K] x [K, N]: one big matmul with the batch folded into M.
    if (rhsType.getRank() == 2 && !tl) {
      int64_t k = lhsType.getShape().back();
      int64_t rows = lhsType.getNumElements() / k;
      Value flatLhs = reshapeTo(rewriter, loc, lhs,
                                RankedTensorType::get({rows, k}, elementType));
      Value flat = matmul2D(flatLhs, rhs, false, tr,
                            RankedTensorType::get({rows, n}, elementType));
      rewriter.replaceOp(op, reshapeTo(rewriter, loc, flat, resultType));
      return success();
    }
    // General case: materialize the broadcast batch, fold it to one
    // dimension, and run a batch_matmul.
    ArrayRef<int64_t> batchShape = resultType.getShape().drop_back(2);
    int64_t batch = 1;
    for (int64_t d : batchShape)
      batch *= d;
    auto toBatched = [&](Value operand, RankedTensorType type) {
      SmallVector<int64_t> full(batchShape);
      full.append(type.getShape().take_back(2).begin(),
                  type.getShape().take_back(2).end());
      auto fullType = RankedTensorType::get(full, elementType);
      if (type != fullType)
        operand = buildElementwise(
            rewriter, loc, fullType, operand,
            [](OpBuilder &, Location, ValueRange args) { return args[0]; });
      SmallVector<int64_t> folded = {batch};
      folded.append(type.getShape().take_back(2).begin(),
                    type.getShape().take_back(2).end());
      return reshapeTo(rewriter, loc, operand,
                       RankedTensorType::get(folded, elementType));
    };
    Value a = toBatched(lhs, lhsType);
    Value b = toBatched(rhs, rhsType);
    auto foldedType = RankedTensorType::get({batch, m, n}, elementType);
    Value init = filledTensor(rewriter, loc, foldedType, 0.0);
    auto bmm = linalg::BatchMatmulOp::create(
        rewriter, loc, TypeRange{foldedType}, ValueRange{a, b},
        ValueRange{init},
        {indexingMapsAttr(rewriter, matmulMaps(ctx, 1, tl, tr))});
    rewriter.replaceOp(op,
                       reshapeTo(rewriter, loc, bmm.getResult(0), resultType));
    return success();
  }
};

/// Pads the two spatial dimensions of an NCHW tensor with `value`.
static Value padSpatial(OpBuilder &b, Location loc, Value input,
                        ArrayRef<int64_t> padding, double value) {
  if (llvm::all_of(padding, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[2] += padding[0] + padding[2];
  shape[3] += padding[1] + padding[3];
  auto paddedType = RankedTensorType::get(shape, type.getElementType());
  SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(0),
                                   b.getIndexAttr(padding[0]),
                                   b.getIndexAttr(padding[1])};
  SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(0),
                                    b.getIndexAttr(padding[2]),
                                    b.getIndexAttr(padding[3])};
  Value padValue = floatConstant(b, loc, type.getElementType(), value);
  return tensor::PadOp::create(b, loc, paddedType, input, low, high, padValue)
      .getResult();
}

static DenseIntElementsAttr i64Pair(OpBuilder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(RankedTensorType::get({2}, b.getI64Type()),
                                   values);
}

/// hetc.conv2d => tensor.pad + linalg.conv_2d_nchw_fchw (groups == 1) or
/// linalg.conv_2d_ngchw_gfchw (grouped), + a bias linalg.generic
struct Conv2DOpLowering : OpConversionPattern<Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    Value input =
        padSpatial(rewriter, loc, adaptor.getInput(), op.getPadding(), 0.0);
    Value weight = adaptor.getWeight();
    int64_t groups = op.getGroups();
    SmallVector<NamedAttribute> attrs = {
        rewriter.getNamedAttr("strides", i64Pair(rewriter, op.getStrides())),
        rewriter.getNamedAttr("dilations",
                              i64Pair(rewriter, op.getDilation()))};
    Value conv;
    if (groups == 1) {
      Value init = filledTensor(rewriter, loc, resultType, 0.0);
      conv = linalg::Conv2DNchwFchwOp::create(
                 rewriter, loc, TypeRange{resultType},
                 ValueRange{input, weight}, ValueRange{init}, attrs)
                 .getResult(0);
    } else {
      // Split the channel dimensions into [groups, per-group].
      auto split = [&](Value v, int64_t dim) {
        auto type = cast<RankedTensorType>(v.getType());
        SmallVector<int64_t> shape(type.getShape());
        shape[dim] /= groups;
        shape.insert(shape.begin() + dim, groups);
        return reshapeTo(rewriter, loc, v,
                         RankedTensorType::get(shape, elementType));
      };
      Value groupedInput = split(input, 1);   // N, G, C/G, H, W
      Value groupedWeight = split(weight, 0); // G, F/G, C/G, KH, KW
      SmallVector<int64_t> outShape(resultType.getShape());
      outShape[1] /= groups;
      outShape.insert(outShape.begin() + 1, groups);
      auto groupedType = RankedTensorType::get(outShape, elementType);
      Value init = filledTensor(rewriter, loc, groupedType, 0.0);
      Value grouped =
          linalg::Conv2DNgchwGfchwOp::create(
              rewriter, loc, TypeRange{groupedType},
              ValueRange{groupedInput, groupedWeight}, ValueRange{init}, attrs)
              .getResult(0);
      conv = reshapeTo(rewriter, loc, grouped, resultType);
    }
    if (Value bias = adaptor.getBias()) {
      // Read bias[f] for every (n, f, h, w).
      auto biasType =
          RankedTensorType::get({resultType.getDimSize(1), 1, 1}, elementType);
      Value bias3 = reshapeTo(rewriter, loc, bias, biasType);
      conv = buildElementwise(rewriter, loc, resultType, {conv, bias3},
                              [](OpBuilder &b, Location l, ValueRange args) {
                                return arith::AddFOp::create(b, l, args[0],
                                                             args[1]);
                              });
    }
    rewriter.replaceOp(op, conv);
    return success();
  }
};

/// The kernel-shape operand that linalg pooling ops iterate over.
static Value poolWindow(OpBuilder &b, Location loc, ArrayRef<int64_t> kernel,
                        Type elementType) {
  return tensor::EmptyOp::create(b, loc, kernel, elementType);
}

/// The padding, with the bottom and right grown so that ceil_mode's last
/// windows (which may overhang the padded input) fit.
static SmallVector<int64_t>
poolPadding(ArrayRef<int64_t> padding, RankedTensorType input,
            RankedTensorType result, ArrayRef<int64_t> kernel,
            ArrayRef<int64_t> strides, ArrayRef<int64_t> dilation) {
  SmallVector<int64_t> p(padding);
  for (int i = 0; i < 2; ++i) {
    int64_t needed = (result.getDimSize(2 + i) - 1) * strides[i] +
                     dilation[i] * (kernel[i] - 1) + 1;
    int64_t have = input.getDimSize(2 + i) + p[i] + p[i + 2];
    p[i + 2] += std::max<int64_t>(0, needed - have);
  }
  return p;
}

/// hetc.max_pool2d => tensor.pad (-inf) + linalg.pooling_nchw_max
struct MaxPool2DOpLowering : OpConversionPattern<MaxPool2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MaxPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    double negInf = -std::numeric_limits<double>::infinity();
    SmallVector<int64_t> strides =
        poolStrides(op.getStrides(), op.getKernelSize());
    SmallVector<int64_t> padding = poolPadding(
        op.getPadding(), cast<RankedTensorType>(adaptor.getInput().getType()),
        resultType, op.getKernelSize(), strides, op.getDilation());
    Value input =
        padSpatial(rewriter, loc, adaptor.getInput(), padding, negInf);
    Value init = filledTensor(rewriter, loc, resultType, negInf);
    SmallVector<NamedAttribute> attrs = {
        rewriter.getNamedAttr("strides", i64Pair(rewriter, strides)),
        rewriter.getNamedAttr("dilations",
                              i64Pair(rewriter, op.getDilation()))};
    Value window = poolWindow(rewriter, loc, op.getKernelSize(), elementType);
    auto pool = linalg::PoolingNchwMaxOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{input, window},
        ValueRange{init}, attrs);
    rewriter.replaceOp(op, pool.getResult(0));
    return success();
  }
};

/// hetc.avg_pool2d => tensor.pad (0) + linalg.pooling_nchw_sum + a
/// linalg.generic dividing by the window size (or by the number of
/// non-padding elements without count_include_pad)
struct AvgPool2DOpLowering : OpConversionPattern<AvgPool2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AvgPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    ArrayRef<int64_t> kernel = op.getKernelSize();
    ArrayRef<int64_t> padding = op.getPadding();
    SmallVector<int64_t> strides = poolStrides(op.getStrides(), kernel);
    SmallVector<int64_t> grown = poolPadding(
        padding, cast<RankedTensorType>(adaptor.getInput().getType()),
        resultType, kernel, strides, {1, 1});
    Value input = padSpatial(rewriter, loc, adaptor.getInput(), grown, 0.0);
    Value init = filledTensor(rewriter, loc, resultType, 0.0);
    SmallVector<NamedAttribute> attrs = {
        rewriter.getNamedAttr("strides", i64Pair(rewriter, strides)),
        rewriter.getNamedAttr("dilations", i64Pair(rewriter, {1, 1}))};
    Value window = poolWindow(rewriter, loc, kernel, elementType);
    Value sum = linalg::PoolingNchwSumOp::create(
                    rewriter, loc, TypeRange{resultType},
                    ValueRange{input, window}, ValueRange{init}, attrs)
                    .getResult(0);
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    int64_t h = inputType.getDimSize(2), w = inputType.getDimSize(3);
    bool includePad = op.getCountIncludePad();
    Value result = buildElementwise(
        rewriter, loc, resultType, sum,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          if (includePad && !op.getCeilMode())
            return arith::DivFOp::create(
                b, l, args[0],
                floatConstant(b, l, elementType,
                              static_cast<double>(kernel[0] * kernel[1])));
          // torch divides by the window clipped to the padded input (only
          // ceil_mode's last windows overhang it), or to the input.
          auto windowIndex = [&](unsigned d) -> Value {
            return linalg::IndexOp::create(b, l, 2 + d);
          };
          Value divisor = avgPoolDivisor(b, l, windowIndex, strides, padding,
                                         kernel, h, w, includePad, elementType);
          return arith::DivFOp::create(b, l, args[0], divisor);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Normalizes `input` over `axes` with biased statistics, then applies
/// scale and bias read through `affineType` (broadcast to the input).
static Value normalize(OpBuilder &b, Location loc, Value input,
                       ArrayRef<int64_t> axes, Value scale, Value bias,
                       RankedTensorType affineType, double epsilon) {
  auto type = cast<RankedTensorType>(input.getType());
  Type elementType = type.getElementType();
  double count = static_cast<double>(product(type.getShape(), axes));
  SmallVector<int64_t> keptShape(type.getShape());
  for (int64_t axis : axes)
    keptShape[axis] = 1;
  auto keptTy = RankedTensorType::get(keptShape, elementType);
  auto meanOf = [&](Value v) {
    Value sum = buildReduction(b, loc, v, axes, ReductionKind::Sum);
    Value kept = reshapeTo(b, loc, sum, keptTy);
    return buildElementwise(
        b, loc, keptTy, kept, [&](OpBuilder &nb, Location l, ValueRange args) {
          return arith::DivFOp::create(
              nb, l, args[0], floatConstant(nb, l, elementType, count));
        });
  };
  Value mean = meanOf(input);
  Value centered = buildElementwise(
      b, loc, type, {input, mean}, [](OpBuilder &nb, Location l, ValueRange a) {
        return arith::SubFOp::create(nb, l, a[0], a[1]);
      });
  Value squared = buildElementwise(
      b, loc, type, centered, [](OpBuilder &nb, Location l, ValueRange a) {
        return arith::MulFOp::create(nb, l, a[0], a[0]);
      });
  Value var = meanOf(squared);
  Value scaleB = reshapeTo(b, loc, scale, affineType);
  Value biasB = reshapeTo(b, loc, bias, affineType);
  return buildElementwise(
      b, loc, type, {centered, var, scaleB, biasB},
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value rstd = math::RsqrtOp::create(
            nb, l,
            arith::AddFOp::create(nb, l, a[1],
                                  floatConstant(nb, l, elementType, epsilon)));
        Value normalized = arith::MulFOp::create(nb, l, a[0], rstd);
        return arith::AddFOp::create(
            nb, l, arith::MulFOp::create(nb, l, normalized, a[2]), a[3]);
      });
}

/// hetc.batch_norm => mean/variance reductions over (N, spatial...) and a
/// normalizing linalg.generic
struct BatchNormOpLowering : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    SmallVector<int64_t> axes = {0};
    SmallVector<int64_t> affineShape = {type.getDimSize(1)};
    for (int64_t d = 2; d < type.getRank(); ++d) {
      axes.push_back(d);
      affineShape.push_back(1);
    }
    Value result =
        normalize(rewriter, op.getLoc(), adaptor.getInput(), axes,
                  adaptor.getScale(), adaptor.getBias(),
                  RankedTensorType::get(affineShape, type.getElementType()),
                  op.getEpsilon().convertToDouble());
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// hetc.layer_norm => mean/variance reductions over the trailing dims and a
/// normalizing linalg.generic
struct LayerNormOpLowering : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto scaleType = cast<RankedTensorType>(adaptor.getScale().getType());
    SmallVector<int64_t> axes = op.getNormalizedAxes();
    Value result = normalize(rewriter, op.getLoc(), adaptor.getInput(), axes,
                             adaptor.getScale(), adaptor.getBias(), scaleType,
                             op.getEpsilon().convertToDouble());
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// hetc.embedding => linalg.generic gathering table rows with tensor.extract
/// (indices are clamped to [0, V))
struct EmbeddingOpLowering : OpConversionPattern<EmbeddingOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(EmbeddingOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    Value table = adaptor.getTable();
    Value indices = adaptor.getIndices();
    auto tableType = cast<RankedTensorType>(table.getType());
    int64_t rank = resultType.getRank();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> indexExprs;
    for (int64_t d = 0; d < rank - 1; ++d)
      indexExprs.push_back(getAffineDimExpr(d, ctx));
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, indexExprs, ctx),
                                   rewriter.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    Value init = emptyTensor(rewriter, loc, resultType);
    int64_t rows = tableType.getDimSize(0);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, indices, init, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value row =
              arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          row = arith::MaxSIOp::create(b, l, row, indexConstant(b, l, 0));
          row =
              arith::MinSIOp::create(b, l, row, indexConstant(b, l, rows - 1));
          Value col = linalg::IndexOp::create(b, l, rank - 1);
          Value value =
              tensor::ExtractOp::create(b, l, table, ValueRange{row, col});
          linalg::YieldOp::create(b, l, value);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void mlir::hetc::populateNNPatterns(const TypeConverter &converter,
                                    RewritePatternSet &patterns) {
  patterns.add<MatmulOpLowering, Conv2DOpLowering, MaxPool2DOpLowering,
               AvgPool2DOpLowering, BatchNormOpLowering, LayerNormOpLowering,
               EmbeddingOpLowering>(converter, patterns.getContext());
}
