//===- GradientPatterns.cpp - hetc gradient ops to linalg -----------------===//
//
// Scatter-shaped gradients (transposed convolution, pooling, embedding) are
// written in gather form: one linalg.generic over the gradient's elements
// that reads the contributing output-gradient elements with tensor.extract.
// That keeps every lowering free of atomics, so the same IR maps to GPU
// threads later.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "hetc/Dialect/Hetc/HetcOps.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::hetc;
using namespace mlir::hetc::lowering;

namespace {

/// Signed integer comparison for integer operands.
Value cmpIntPredicate(OpBuilder &b, Location loc, ComparePredicate predicate,
                      Value x, Value y) {
  arith::CmpIPredicate p;
  switch (predicate) {
  case ComparePredicate::EQ:
    p = arith::CmpIPredicate::eq;
    break;
  case ComparePredicate::NE:
    p = arith::CmpIPredicate::ne;
    break;
  case ComparePredicate::LT:
    p = arith::CmpIPredicate::slt;
    break;
  case ComparePredicate::LE:
    p = arith::CmpIPredicate::sle;
    break;
  case ComparePredicate::GT:
    p = arith::CmpIPredicate::sgt;
    break;
  case ComparePredicate::GE:
    p = arith::CmpIPredicate::sge;
    break;
  default:
    llvm_unreachable("unknown compare predicate");
  }
  return arith::CmpIOp::create(b, loc, p, x, y);
}

Value cmpPredicate(OpBuilder &b, Location loc, ComparePredicate predicate,
                   Value x, Value y) {
  if (isa<IntegerType>(x.getType()))
    return cmpIntPredicate(b, loc, predicate, x, y);
  arith::CmpFPredicate p;
  switch (predicate) {
  case ComparePredicate::EQ:
    p = arith::CmpFPredicate::OEQ;
    break;
  case ComparePredicate::NE:
    p = arith::CmpFPredicate::UNE;
    break;
  case ComparePredicate::LT:
    p = arith::CmpFPredicate::OLT;
    break;
  case ComparePredicate::LE:
    p = arith::CmpFPredicate::OLE;
    break;
  case ComparePredicate::GT:
    p = arith::CmpFPredicate::OGT;
    break;
  case ComparePredicate::GE:
    p = arith::CmpFPredicate::OGE;
    break;
  default:
    llvm_unreachable("unknown compare predicate");
  }
  return arith::CmpFOp::create(b, loc, p, x, y);
}

/// hetc.compare => linalg.generic { arith.cmpf (cmpi for integers) +
/// select(1, 0) }
struct CompareOpLowering : OpConversionPattern<CompareOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CompareOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type elementType = op.getType().getElementType();
    Value result = buildElementwise(
        rewriter, op.getLoc(), op.getType(),
        {adaptor.getLhs(), adaptor.getRhs()},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value holds = cmpPredicate(b, l, op.getPredicate(), a[0], a[1]);
          Value one = floatConstant(b, l, elementType, 1.0);
          Value zero = floatConstant(b, l, elementType, 0.0);
          return arith::SelectOp::create(b, l, holds, one, zero);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// hetc.gelu_backward => linalg.generic { g * gelu'(x) }
struct GeluBackwardOpLowering : OpConversionPattern<GeluBackwardOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GeluBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool tanhApprox = op.getApproximate() == GeluApproximation::Tanh;
    Value result = buildElementwise(
        rewriter, op.getLoc(), op.getType(),
        {adaptor.getGrad(), adaptor.getInput()},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Type t = a[1].getType();
          Value x = a[1];
          auto c = [&](double v) { return floatConstant(b, l, t, v); };
          auto mul = [&](Value p, Value q) -> Value {
            return arith::MulFOp::create(b, l, p, q);
          };
          auto add = [&](Value p, Value q) -> Value {
            return arith::AddFOp::create(b, l, p, q);
          };
          Value derivative;
          if (tanhApprox) {
            // d/dx 0.5 x (1 + tanh(u)), u = k (x + 0.044715 x^3).
            double k = std::sqrt(2.0 / M_PI);
            // One op per statement: argument evaluation order is
            // unspecified, and the IR must not depend on the compiler.
            Value x2 = mul(x, x);
            Value x3 = mul(x2, x);
            Value cubic = mul(c(0.044715), x3);
            Value kk = c(k);
            Value u = mul(kk, add(x, cubic));
            Value t = math::TanhOp::create(b, l, u);
            Value slope = mul(c(3 * 0.044715), x2);
            Value onePlusSlope = add(c(1.0), slope);
            Value du = mul(c(k), onePlusSlope);
            Value t2 = mul(t, t);
            Value sech2 = arith::SubFOp::create(b, l, c(1.0), t2);
            Value onePlusT = add(c(1.0), t);
            Value left = mul(c(0.5), onePlusT);
            Value halfX = mul(c(0.5), x);
            Value right = mul(halfX, mul(sech2, du));
            derivative = add(left, right);
          } else {
            // Phi(x) + x phi(x).
            Value erf = math::ErfOp::create(b, l, mul(x, c(M_SQRT1_2)));
            Value onePlusErf = add(c(1.0), erf);
            Value cdf = mul(c(0.5), onePlusErf);
            Value square = mul(x, x);
            Value exponent = mul(c(-0.5), square);
            Value gauss = math::ExpOp::create(b, l, exponent);
            Value pdf = mul(c(1.0 / std::sqrt(2.0 * M_PI)), gauss);
            derivative = add(cdf, mul(x, pdf));
          }
          return mul(a[0], derivative);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// hetc.cross_entropy_backward => row max/sum reductions and a generic
/// computing (softmax - one_hot) * g / N
struct CrossEntropyBackwardOpLowering
    : OpConversionPattern<CrossEntropyBackwardOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CrossEntropyBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value logits = adaptor.getLogits();
    auto type = cast<RankedTensorType>(logits.getType());
    Type elementType = type.getElementType();
    int64_t n = type.getDimSize(0), c = type.getDimSize(1);
    auto column = RankedTensorType::get({n, 1}, elementType);
    SoftmaxStatistics stats = buildSoftmaxStatistics(rewriter, loc, logits, 1);
    Value shifted = stats.shiftedExp;
    Value sumCol = reshapeTo(rewriter, loc, stats.sum, column);
    auto labelsType = cast<RankedTensorType>(adaptor.getLabels().getType());
    Value labelsCol =
        reshapeTo(rewriter, loc, adaptor.getLabels(),
                  RankedTensorType::get({n, 1}, labelsType.getElementType()));
    double nan = std::numeric_limits<double>::quiet_NaN();
    Value result = buildElementwise(
        rewriter, loc, type, {shifted, sumCol, labelsCol, adaptor.getGrad()},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value softmax = arith::DivFOp::create(b, l, a[0], a[1]);
          Value label =
              arith::IndexCastOp::create(b, l, b.getIndexType(), a[2]);
          Value col = linalg::IndexOp::create(b, l, 1);
          Value isLabel =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, label, col);
          Value aboveZero = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::sge, label, indexConstant(b, l, 0));
          Value belowClasses = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::slt, label, indexConstant(b, l, c));
          Value inRange = arith::AndIOp::create(b, l, aboveZero, belowClasses);
          Value one = floatConstant(b, l, elementType, 1.0);
          Value zero = floatConstant(b, l, elementType, 0.0);
          Value oneHot = arith::SelectOp::create(b, l, isLabel, one, zero);
          Value diff = arith::SubFOp::create(b, l, softmax, oneHot);
          Value scale = arith::DivFOp::create(
              b, l, a[3], floatConstant(b, l, elementType, double(n)));
          Value grad = arith::MulFOp::create(b, l, diff, scale);
          return arith::SelectOp::create(b, l, inRange, grad,
                                         floatConstant(b, l, elementType, nan));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

/// Builds a gather-form generic: parallel over `resultType`'s dimensions and
/// reducing over `reductionShape` (carried by an unread tensor.empty), with
/// a body that returns the contribution to add.
Value lowering::buildGatherReduction(
    OpBuilder &b, Location loc, RankedTensorType resultType,
    ArrayRef<int64_t> reductionShape,
    function_ref<Value(OpBuilder &, Location, ValueRange ivs)> contribution) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = resultType.getRank();
  int64_t loops = rank + reductionShape.size();
  SmallVector<AffineExpr> outExprs, redExprs;
  for (int64_t d = 0; d < rank; ++d)
    outExprs.push_back(getAffineDimExpr(d, ctx));
  for (int64_t d = rank; d < loops; ++d)
    redExprs.push_back(getAffineDimExpr(d, ctx));
  Value window = tensor::EmptyOp::create(b, loc, reductionShape,
                                         resultType.getElementType());
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, redExprs, ctx),
                                 AffineMap::get(loops, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.append(reductionShape.size(), utils::IteratorType::reduction);
  Value init = filledTensor(b, loc, resultType, 0.0);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, window, init, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        SmallVector<Value> ivs;
        for (int64_t d = 0; d < loops; ++d)
          ivs.push_back(linalg::IndexOp::create(nb, l, d));
        Value add =
            arith::AddFOp::create(nb, l, args[1], contribution(nb, l, ivs));
        linalg::YieldOp::create(nb, l, add);
      });
  return generic.getResult(0);
}

/// For an input position `pos` and kernel offset `k * dilation`, returns
/// (valid, clamped output index) of the window that reads it.
std::pair<Value, Value> lowering::windowIndex(OpBuilder &b, Location l,
                                              Value pos, Value k, int64_t pad,
                                              int64_t stride, int64_t dilation,
                                              int64_t outSize) {
  Value padded = arith::AddIOp::create(b, l, pos, indexConstant(b, l, pad));
  Value offset = arith::MulIOp::create(b, l, k, indexConstant(b, l, dilation));
  Value num = arith::SubIOp::create(b, l, padded, offset);
  Value nonNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, num,
                                       indexConstant(b, l, 0));
  Value safeNum =
      arith::SelectOp::create(b, l, nonNeg, num, indexConstant(b, l, 0));
  Value rem =
      arith::RemUIOp::create(b, l, safeNum, indexConstant(b, l, stride));
  Value out =
      arith::DivUIOp::create(b, l, safeNum, indexConstant(b, l, stride));
  Value aligned = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, rem,
                                        indexConstant(b, l, 0));
  Value inRange = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, out,
                                        indexConstant(b, l, outSize));
  Value valid = arith::AndIOp::create(
      b, l, nonNeg, arith::AndIOp::create(b, l, aligned, inRange));
  Value clamped =
      arith::MinUIOp::create(b, l, out, indexConstant(b, l, outSize - 1));
  return {valid, clamped};
}

Value lowering::selectOrZero(OpBuilder &b, Location l, Value cond, Value v) {
  return arith::SelectOp::create(b, l, cond, v,
                                 floatConstant(b, l, v.getType(), 0.0));
}

Value lowering::buildConv2DBackwardInput(OpBuilder &rewriter, Location loc,
                                         Value grad, Value weight,
                                         RankedTensorType resultType,
                                         ArrayRef<int64_t> s,
                                         ArrayRef<int64_t> p,
                                         ArrayRef<int64_t> d, int64_t groups) {
  auto gradType = cast<RankedTensorType>(grad.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t fPerGroup = weightType.getDimSize(0) / groups;
  int64_t cPerGroup = weightType.getDimSize(1);
  int64_t kh = weightType.getDimSize(2), kw = weightType.getDimSize(3);
  return buildGatherReduction(
      rewriter, loc, resultType, {fPerGroup, kh, kw},
      [&](OpBuilder &b, Location l, ValueRange iv) {
        // iv = (n, c, h, w, f', kh, kw).
        auto [vh, oh] = windowIndex(b, l, iv[2], iv[5], p[0], s[0], d[0],
                                    gradType.getDimSize(2));
        auto [vw, ow] = windowIndex(b, l, iv[3], iv[6], p[1], s[1], d[1],
                                    gradType.getDimSize(3));
        Value group =
            arith::DivUIOp::create(b, l, iv[1], indexConstant(b, l, cPerGroup));
        Value f = arith::AddIOp::create(
            b, l,
            arith::MulIOp::create(b, l, group, indexConstant(b, l, fPerGroup)),
            iv[4]);
        Value cInGroup =
            arith::RemUIOp::create(b, l, iv[1], indexConstant(b, l, cPerGroup));
        Value g =
            tensor::ExtractOp::create(b, l, grad, ValueRange{iv[0], f, oh, ow});
        Value w = tensor::ExtractOp::create(
            b, l, weight, ValueRange{f, cInGroup, iv[5], iv[6]});
        Value valid = arith::AndIOp::create(b, l, vh, vw);
        return selectOrZero(b, l, valid, arith::MulFOp::create(b, l, g, w));
      });
}

namespace {

/// hetc.conv2d_backward_input => gather-form linalg.generic over the input
/// gradient, reducing over (output channel in group, kh, kw)
struct Conv2DBackwardInputOpLowering
    : OpConversionPattern<Conv2DBackwardInputOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DBackwardInputOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = buildConv2DBackwardInput(
        rewriter, op.getLoc(), adaptor.getGradOutput(), adaptor.getWeight(),
        op.getType(), op.getStrides(), op.getPadding(), op.getDilation(),
        op.getGroups());
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// hetc.conv2d_backward_weight => tensor.pad + a linalg.generic correlating
/// the padded input with the output gradient, per group
struct Conv2DBackwardWeightOpLowering
    : OpConversionPattern<Conv2DBackwardWeightOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DBackwardWeightOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    int64_t groups = op.getGroups();
    ArrayRef<int64_t> s = op.getStrides(), p = op.getPadding(),
                      d = op.getDilation();
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    auto gradType = cast<RankedTensorType>(adaptor.getGradOutput().getType());
    // Zero padding, then split channels into [groups, per group].
    SmallVector<OpFoldResult> low = {
        rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
        rewriter.getIndexAttr(p[0]), rewriter.getIndexAttr(p[1])};
    SmallVector<OpFoldResult> high = {
        rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
        rewriter.getIndexAttr(p[2]), rewriter.getIndexAttr(p[3])};
    SmallVector<int64_t> padded(inputType.getShape());
    padded[2] += p[0] + p[2];
    padded[3] += p[1] + p[3];
    Value input = tensor::PadOp::create(
        rewriter, loc, RankedTensorType::get(padded, elementType),
        adaptor.getInput(), low, high,
        floatConstant(rewriter, loc, elementType, 0.0));
    auto split = [&](Value v, ArrayRef<int64_t> shape, int64_t dim) {
      // shape[dim] split into (groups, shape[dim] / groups).
      SmallVector<int64_t> s2(shape.take_front(dim));
      s2.push_back(groups);
      s2.push_back(shape[dim] / groups);
      llvm::append_range(s2, shape.drop_front(dim + 1));
      return reshapeTo(rewriter, loc, v,
                       RankedTensorType::get(s2, elementType));
    };
    Value in5 = split(input, padded, 1); // N,G,C',H,W
    Value g5 =
        split(adaptor.getGradOutput(), gradType.getShape(), 1); // N,G,F',OH,OW
    SmallVector<int64_t> outShape(resultType.getShape());
    outShape.insert(outShape.begin(), groups);
    outShape[1] /= groups; // G,F',C',KH,KW
    auto outType = RankedTensorType::get(outShape, elementType);
    // Loops: (g, f', c', kh, kw, n, oh, ow).
    auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineMap> maps = {
        AffineMap::get(8, 0,
                       {dim(5), dim(0), dim(2), dim(6) * s[0] + dim(3) * d[0],
                        dim(7) * s[1] + dim(4) * d[1]},
                       ctx),
        AffineMap::get(8, 0, {dim(5), dim(0), dim(1), dim(6), dim(7)}, ctx),
        AffineMap::get(8, 0, {dim(0), dim(1), dim(2), dim(3), dim(4)}, ctx)};
    SmallVector<utils::IteratorType> iterators(5,
                                               utils::IteratorType::parallel);
    iterators.append(3, utils::IteratorType::reduction);
    Value init = filledTensor(rewriter, loc, outType, 0.0);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, outType, ValueRange{in5, g5}, init, maps, iterators,
        [](OpBuilder &b, Location l, ValueRange a) {
          Value prod = arith::MulFOp::create(b, l, a[0], a[1]);
          linalg::YieldOp::create(
              b, l, arith::AddFOp::create(b, l, a[2], prod).getResult());
        });
    rewriter.replaceOp(
        op, reshapeTo(rewriter, loc, generic.getResult(0), resultType));
    return success();
  }
};

/// kh * KW + kw as an i64: a window position's index in the argmax.
static Value flatWindowIndex(OpBuilder &b, Location l, Value kh, Value kw,
                             int64_t kernelWidth) {
  return arith::IndexCastOp::create(
      b, l, b.getI64Type(),
      arith::AddIOp::create(
          b, l,
          arith::MulIOp::create(b, l, kh, indexConstant(b, l, kernelWidth)),
          kw));
}

/// The input coordinate o * stride + k * dilation - pad of a window
/// position: whether it lies in [0, size), and it clamped into that range
/// (for a load whose value is then masked).
static std::pair<Value, Value>
windowInputCoord(OpBuilder &b, Location l, Value o, Value k, int64_t stride,
                 int64_t pad, int64_t dilation, int64_t size) {
  Value start = arith::MulIOp::create(b, l, o, indexConstant(b, l, stride));
  Value offset = arith::MulIOp::create(b, l, k, indexConstant(b, l, dilation));
  Value sum = arith::AddIOp::create(b, l, start, offset);
  Value pos = arith::SubIOp::create(b, l, sum, indexConstant(b, l, pad));
  Value aboveZero = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, pos,
                                          indexConstant(b, l, 0));
  Value belowSize = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, pos,
                                          indexConstant(b, l, size));
  Value inside = arith::AndIOp::create(b, l, aboveZero, belowSize);
  Value atLeastZero = arith::MaxSIOp::create(b, l, pos, indexConstant(b, l, 0));
  Value clamped =
      arith::MinSIOp::create(b, l, atLeastZero, indexConstant(b, l, size - 1));
  return std::make_pair(inside, clamped);
}

/// argmax[n, c, oh, ow] = kh * KW + kw of the first maximum of each pooling
/// window of `input`; padding never wins.
static Value buildWindowArgmax(ConversionPatternRewriter &rewriter,
                               Location loc, MaxPool2DBackwardOp op,
                               Value input, RankedTensorType gradType) {
  RankedTensorType resultType = op.getType();
  ArrayRef<int64_t> kernel = op.getKernelSize(), p = op.getPadding(),
                    dil = op.getDilation();
  SmallVector<int64_t> s = poolStrides(op.getStrides(), kernel);
  int64_t h = resultType.getDimSize(2), w = resultType.getDimSize(3);
  auto indexType =
      RankedTensorType::get(gradType.getShape(), rewriter.getI64Type());
  Value initMax = filledTensor(rewriter, loc, gradType,
                               -std::numeric_limits<double>::infinity());
  Value zeroIdx =
      arith::ConstantOp::create(rewriter, loc, rewriter.getI64IntegerAttr(0));
  Value initIdx = linalg::FillOp::create(rewriter, loc, zeroIdx,
                                         tensor::EmptyOp::create(
                                             rewriter, loc, gradType.getShape(),
                                             rewriter.getI64Type())
                                             .getResult())
                      .getResult(0);
  MLIRContext *ctx = rewriter.getContext();
  auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  Value window = tensor::EmptyOp::create(rewriter, loc, kernel,
                                         resultType.getElementType());
  SmallVector<AffineMap> maps = {
      AffineMap::get(6, 0, {dim(4), dim(5)}, ctx),
      AffineMap::get(6, 0, {dim(0), dim(1), dim(2), dim(3)}, ctx),
      AffineMap::get(6, 0, {dim(0), dim(1), dim(2), dim(3)}, ctx)};
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  iterators.append(2, utils::IteratorType::reduction);
  auto argmax = linalg::GenericOp::create(
      rewriter, loc, TypeRange{gradType, indexType}, ValueRange{window},
      ValueRange{initMax, initIdx}, maps, iterators,
      [&](OpBuilder &b, Location l, ValueRange a) {
        SmallVector<Value> iv;
        for (int64_t i = 0; i < 6; ++i)
          iv.push_back(linalg::IndexOp::create(b, l, i));
        auto [inH, hh] =
            windowInputCoord(b, l, iv[2], iv[4], s[0], p[0], dil[0], h);
        auto [inW, ww] =
            windowInputCoord(b, l, iv[3], iv[5], s[1], p[1], dil[1], w);
        Value v = tensor::ExtractOp::create(b, l, input,
                                            ValueRange{iv[0], iv[1], hh, ww});
        Value inside = arith::AndIOp::create(b, l, inH, inW);
        Value better = arith::AndIOp::create(
            b, l, inside,
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, a[1]));
        Value flat = flatWindowIndex(b, l, iv[4], iv[5], kernel[1]);
        Value newMax = arith::SelectOp::create(b, l, better, v, a[1]);
        Value newIdx = arith::SelectOp::create(b, l, better, flat, a[2]);
        linalg::YieldOp::create(b, l, ValueRange{newMax, newIdx});
      });
  return argmax.getResult(1);
}

/// hetc.max_pool2d_backward => a generic finding each window's first argmax,
/// then a gather-form generic routing gradients to it
struct MaxPool2DBackwardOpLowering : OpConversionPattern<MaxPool2DBackwardOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPool2DBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto gradType = cast<RankedTensorType>(adaptor.getGradOutput().getType());
    Value argIdx =
        buildWindowArgmax(rewriter, loc, op, adaptor.getInput(), gradType);
    ArrayRef<int64_t> kernel = op.getKernelSize(), p = op.getPadding(),
                      dil = op.getDilation();
    SmallVector<int64_t> s = poolStrides(op.getStrides(), kernel);
    Value grad = adaptor.getGradOutput();
    Value result = buildGatherReduction(
        rewriter, loc, op.getType(), kernel,
        [&](OpBuilder &b, Location l, ValueRange iv) {
          // iv = (n, c, h, w, kh, kw).
          auto [vh, oh] = windowIndex(b, l, iv[2], iv[4], p[0], s[0], dil[0],
                                      gradType.getDimSize(2));
          auto [vw, ow] = windowIndex(b, l, iv[3], iv[5], p[1], s[1], dil[1],
                                      gradType.getDimSize(3));
          Value chosen = tensor::ExtractOp::create(
              b, l, argIdx, ValueRange{iv[0], iv[1], oh, ow});
          Value flat = flatWindowIndex(b, l, iv[4], iv[5], kernel[1]);
          Value isMax = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                              chosen, flat);
          Value g = tensor::ExtractOp::create(b, l, grad,
                                              ValueRange{iv[0], iv[1], oh, ow});
          Value valid = arith::AndIOp::create(
              b, l, isMax, arith::AndIOp::create(b, l, vh, vw));
          return selectOrZero(b, l, valid, g);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// hetc.avg_pool2d_backward => gather-form linalg.generic dividing each
/// window's gradient by the forward divisor
struct AvgPool2DBackwardOpLowering : OpConversionPattern<AvgPool2DBackwardOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AvgPool2DBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    ArrayRef<int64_t> kernel = op.getKernelSize(), p = op.getPadding();
    SmallVector<int64_t> s = poolStrides(op.getStrides(), kernel);
    auto gradType = cast<RankedTensorType>(adaptor.getGradOutput().getType());
    int64_t h = resultType.getDimSize(2), w = resultType.getDimSize(3);
    bool includePad = op.getCountIncludePad();
    Value grad = adaptor.getGradOutput();
    Value result = buildGatherReduction(
        rewriter, op.getLoc(), resultType, kernel,
        [&](OpBuilder &b, Location l, ValueRange iv) {
          auto [vh, oh] = windowIndex(b, l, iv[2], iv[4], p[0], s[0], 1,
                                      gradType.getDimSize(2));
          auto [vw, ow] = windowIndex(b, l, iv[3], iv[5], p[1], s[1], 1,
                                      gradType.getDimSize(3));
          Value g = tensor::ExtractOp::create(b, l, grad,
                                              ValueRange{iv[0], iv[1], oh, ow});
          auto windowIndex = [&](unsigned d) { return d ? ow : oh; };
          Value divisor = avgPoolDivisor(b, l, windowIndex, s, p, kernel, h, w,
                                         includePad, elementType);
          Value valid = arith::AndIOp::create(b, l, vh, vw);
          return selectOrZero(b, l, valid,
                              arith::DivFOp::create(b, l, g, divisor));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// hetc.embedding_backward => gather-form linalg.generic over table rows,
/// reducing over every index position
struct EmbeddingBackwardOpLowering : OpConversionPattern<EmbeddingBackwardOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(EmbeddingBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    auto indicesType = cast<RankedTensorType>(adaptor.getIndices().getType());
    int64_t count = indicesType.getNumElements();
    int64_t rows = resultType.getDimSize(0), dimD = resultType.getDimSize(1);
    Value indices =
        reshapeTo(rewriter, loc, adaptor.getIndices(),
                  RankedTensorType::get({count}, indicesType.getElementType()));
    Value grad = reshapeTo(
        rewriter, loc, adaptor.getGradOutput(),
        RankedTensorType::get({count, dimD}, resultType.getElementType()));
    Value result = buildGatherReduction(
        rewriter, loc, resultType, {count},
        [&](OpBuilder &b, Location l, ValueRange iv) {
          // iv = (row, d, i).
          Value idx =
              tensor::ExtractOp::create(b, l, indices, ValueRange{iv[2]});
          Value row = arith::IndexCastOp::create(b, l, b.getIndexType(), idx);
          Value atLeastZero =
              arith::MaxSIOp::create(b, l, row, indexConstant(b, l, 0));
          row = arith::MinSIOp::create(b, l, atLeastZero,
                                       indexConstant(b, l, rows - 1));
          Value hit =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, row, iv[0]);
          Value g =
              tensor::ExtractOp::create(b, l, grad, ValueRange{iv[2], iv[1]});
          return selectOrZero(b, l, hit, g);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// hetc.slice_backward => zeros + tensor.insert_slice with the strides
struct SliceBackwardOpLowering : OpConversionPattern<SliceBackwardOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value zeros = filledTensor(rewriter, op.getLoc(), op.getType(), 0.0);
    Value result = tensor::InsertSliceOp::create(
        rewriter, op.getLoc(), adaptor.getGrad(), zeros,
        indexAttrs(rewriter, op.getOffsets()),
        indexAttrs(rewriter, op.getSizes()),
        indexAttrs(rewriter, op.getStrides()));
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::hetc::populateGradientPatterns(const TypeConverter &converter,
                                          RewritePatternSet &patterns) {
  patterns.add<CompareOpLowering, GeluBackwardOpLowering,
               CrossEntropyBackwardOpLowering, Conv2DBackwardInputOpLowering,
               Conv2DBackwardWeightOpLowering, MaxPool2DBackwardOpLowering,
               AvgPool2DBackwardOpLowering, EmbeddingBackwardOpLowering,
               SliceBackwardOpLowering>(converter, patterns.getContext());
}
