//===- ConvPatterns.cpp - transposed conv, resampling, padding to linalg --===//
//
// Every op here is an index computation: each result element reads the
// elements it depends on with tensor.extract inside one linalg.generic, and
// each gradient op gathers (one result element sums its own contributions),
// so no lowering needs atomics and the same IR runs on every target. None
// of these generics is a plain multiply-accumulate of two operands, so the
// GPU contraction tiling leaves them to the generic lowering.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "hetc/Dialect/Hetc/HetcOps.h"

using namespace mlir;
using namespace mlir::hetc;
using namespace mlir::hetc::lowering;

namespace {

/// An all-parallel generic over `resultType` whose body computes each
/// element from its indices.
Value buildIndexed(OpBuilder &b, Location loc, RankedTensorType resultType,
                   function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, ValueRange{}, emptyTensor(b, loc, resultType), maps,
      iterators, [&](OpBuilder &nb, Location l, ValueRange) {
        SmallVector<Value> ivs;
        for (int64_t d = 0; d < rank; ++d)
          ivs.push_back(linalg::IndexOp::create(nb, l, d));
        linalg::YieldOp::create(nb, l, fn(nb, l, ivs));
      });
  return generic.getResult(0);
}

Value idx(OpBuilder &b, Location l, int64_t v) {
  return indexConstant(b, l, v);
}
Value addi(OpBuilder &b, Location l, Value x, Value y) {
  return arith::AddIOp::create(b, l, x, y);
}
Value subi(OpBuilder &b, Location l, Value x, Value y) {
  return arith::SubIOp::create(b, l, x, y);
}
Value muli(OpBuilder &b, Location l, Value x, Value y) {
  return arith::MulIOp::create(b, l, x, y);
}
Value cmpi(OpBuilder &b, Location l, arith::CmpIPredicate p, Value x, Value y) {
  return arith::CmpIOp::create(b, l, p, x, y);
}
Value andi(OpBuilder &b, Location l, Value x, Value y) {
  return arith::AndIOp::create(b, l, x, y);
}
Value select(OpBuilder &b, Location l, Value c, Value x, Value y) {
  return arith::SelectOp::create(b, l, c, x, y);
}
/// `lo <= v < hi` for index values.
Value inRange(OpBuilder &b, Location l, Value v, int64_t lo, int64_t hi) {
  Value aboveLo = cmpi(b, l, arith::CmpIPredicate::sge, v, idx(b, l, lo));
  Value belowHi = cmpi(b, l, arith::CmpIPredicate::slt, v, idx(b, l, hi));
  return andi(b, l, aboveLo, belowHi);
}
Value clampIndex(OpBuilder &b, Location l, Value v, int64_t lo, int64_t hi) {
  Value atLeastLo = arith::MaxSIOp::create(b, l, v, idx(b, l, lo));
  return arith::MinSIOp::create(b, l, atLeastLo, idx(b, l, hi));
}
Value toF32(OpBuilder &b, Location l, Value v) {
  if (v.getType().isF32())
    return v;
  return arith::ExtFOp::create(b, l, b.getF32Type(), v);
}
Value fromF32(OpBuilder &b, Location l, Value v, Type type) {
  if (type.isF32())
    return v;
  return arith::TruncFOp::create(b, l, type, v);
}
Value f32(OpBuilder &b, Location l, float v) {
  return arith::ConstantOp::create(b, l, b.getF32FloatAttr(v));
}

//===----------------------------------------------------------------------===//
// conv_transpose2d
//===----------------------------------------------------------------------===//

/// hetc.conv_transpose2d => the gather-form transposed convolution of
/// conv2d_backward_input (one builder for both), + a bias linalg.generic
struct ConvTranspose2DOpLowering : OpConversionPattern<ConvTranspose2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvTranspose2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    Value result = buildConv2DBackwardInput(
        rewriter, loc, adaptor.getInput(), adaptor.getWeight(), resultType,
        op.getStrides(), op.getPadding(), op.getDilation(), op.getGroups());
    if (Value bias = adaptor.getBias()) {
      auto biasType = RankedTensorType::get({resultType.getDimSize(1), 1, 1},
                                            resultType.getElementType());
      Value bias3 = reshapeTo(rewriter, loc, bias, biasType);
      result =
          buildElementwise(rewriter, loc, resultType, {result, bias3},
                           [](OpBuilder &b, Location l, ValueRange a) {
                             return arith::AddFOp::create(b, l, a[0], a[1]);
                           });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// upsample
//===----------------------------------------------------------------------===//

/// One spatial axis of an upsample: torch's source coordinates, evaluated
/// in f32 both here (to size the backward gather windows) and in the
/// generated code, with the same operations in the same order.
struct UpsampleAxis {
  int64_t in, out;
  bool bilinear, alignCorners;
  float scale;

  UpsampleAxis(int64_t in, int64_t out, UpsampleMode mode, bool alignCorners)
      : in(in), out(out), bilinear(mode == UpsampleMode::Bilinear),
        alignCorners(alignCorners) {
    if (bilinear && alignCorners)
      scale = out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
                      : 0.0f;
    else
      scale = static_cast<float>(in) / static_cast<float>(out);
  }

  /// The (index, weight) pairs output `dst` reads.
  SmallVector<std::pair<int64_t, float>, 2> sources(int64_t dst) const {
    float d = static_cast<float>(dst);
    if (!bilinear)
      return {{std::min(static_cast<int64_t>(d * scale), in - 1), 1.0f}};
    float real =
        alignCorners ? scale * d : std::max(scale * (d + 0.5f) - 0.5f, 0.0f);
    int64_t i0 = std::min(static_cast<int64_t>(real), in - 1);
    int64_t i1 = i0 < in - 1 ? i0 + 1 : i0;
    float l1 = std::min(std::max(real - static_cast<float>(i0), 0.0f), 1.0f);
    return {{i0, 1.0f - l1}, {i1, l1}};
  }

  struct Code {
    Value i0, i1, l0, l1; // nearest: i0 and l0 = 1 only
  };
  /// The same computation as `sources`, emitted for an index value.
  Code emit(OpBuilder &b, Location l, Value dst) const {
    Value d = arith::SIToFPOp::create(
        b, l, b.getF32Type(),
        arith::IndexCastOp::create(b, l, b.getI64Type(), dst));
    auto toIndex = [&](Value f) {
      Value i = arith::FPToSIOp::create(b, l, b.getI64Type(), f);
      Value index = arith::IndexCastOp::create(b, l, b.getIndexType(), i);
      return arith::MinSIOp::create(b, l, index, idx(b, l, in - 1));
    };
    Value s = f32(b, l, scale);
    if (!bilinear)
      // The product is >= 0, so truncation is floor.
      return {toIndex(arith::MulFOp::create(b, l, d, s)), Value(),
              f32(b, l, 1.0f), Value()};
    Value real;
    if (alignCorners) {
      real = arith::MulFOp::create(b, l, s, d);
    } else {
      Value half = f32(b, l, 0.5f);
      Value r = arith::SubFOp::create(
          b, l,
          arith::MulFOp::create(b, l, s, arith::AddFOp::create(b, l, d, half)),
          half);
      Value zero = f32(b, l, 0.0f);
      real = select(
          b, l, arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, r, zero),
          r, zero);
    }
    Value i0 = toIndex(real);
    Value hasNext =
        cmpi(b, l, arith::CmpIPredicate::slt, i0, idx(b, l, in - 1));
    Value next = addi(b, l, i0, idx(b, l, 1));
    Value i1 = select(b, l, hasNext, next, i0);
    Value i0f = arith::SIToFPOp::create(
        b, l, b.getF32Type(),
        arith::IndexCastOp::create(b, l, b.getI64Type(), i0));
    Value l1 = arith::SubFOp::create(b, l, real, i0f);
    Value zero = f32(b, l, 0.0f), one = f32(b, l, 1.0f);
    l1 = select(
        b, l, arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, l1, zero),
        zero, l1);
    l1 = select(b, l,
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, l1, one),
                one, l1);
    Value l0 = arith::SubFOp::create(b, l, one, l1);
    return {i0, i1, l0, l1};
  }

  /// The backward gather window: input i receives from the outputs
  /// i * out / in + offset + k, k in [0, count). Derived by enumerating
  /// the forward mapping, with a margin of one on each side.
  int64_t offset = 0, count = 1;
  void sizeGather() {
    SmallVector<int64_t> lo(in, std::numeric_limits<int64_t>::max());
    SmallVector<int64_t> hi(in, std::numeric_limits<int64_t>::min());
    for (int64_t dst = 0; dst < out; ++dst)
      for (auto [i, w] : sources(dst)) {
        lo[i] = std::min(lo[i], dst);
        hi[i] = std::max(hi[i], dst);
      }
    int64_t minOff = std::numeric_limits<int64_t>::max(), maxEnd = 0;
    for (int64_t i = 0; i < in; ++i) {
      if (lo[i] > hi[i])
        continue;
      minOff = std::min(minOff, lo[i] - i * out / in);
    }
    if (minOff == std::numeric_limits<int64_t>::max())
      minOff = 0;
    offset = minOff - 1;
    for (int64_t i = 0; i < in; ++i)
      if (lo[i] <= hi[i])
        maxEnd = std::max(maxEnd, hi[i] - (i * out / in + offset) + 1);
    count = maxEnd + 1;
  }

  /// For input index `i` and window position `k`: whether the candidate
  /// output exists, the candidate (clamped), and its weight for `i`.
  std::tuple<Value, Value, Value> emitCandidate(OpBuilder &b, Location l,
                                                Value i, Value k) const {
    Value scaled = muli(b, l, i, idx(b, l, out));
    Value base = arith::DivUIOp::create(b, l, scaled, idx(b, l, in));
    Value dst = addi(b, l, addi(b, l, base, idx(b, l, offset)), k);
    Value valid = inRange(b, l, dst, 0, out);
    Value clamped = clampIndex(b, l, dst, 0, out - 1);
    Code c = emit(b, l, clamped);
    Value zero = f32(b, l, 0.0f);
    Value w =
        select(b, l, cmpi(b, l, arith::CmpIPredicate::eq, c.i0, i), c.l0, zero);
    if (bilinear)
      w = arith::AddFOp::create(
          b, l, w,
          select(b, l, cmpi(b, l, arith::CmpIPredicate::eq, c.i1, i), c.l1,
                 zero));
    return {valid, clamped, w};
  }
};

/// hetc.upsample => linalg.generic reading the (one or four) source
/// elements of each output with tensor.extract
struct UpsampleOpLowering : OpConversionPattern<UpsampleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UpsampleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    UpsampleAxis ah(inputType.getDimSize(2), resultType.getDimSize(2),
                    op.getMode(), op.getAlignCorners());
    UpsampleAxis aw(inputType.getDimSize(3), resultType.getDimSize(3),
                    op.getMode(), op.getAlignCorners());
    Value input = adaptor.getInput();
    Value result = buildIndexed(
        rewriter, op.getLoc(), resultType,
        [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
          UpsampleAxis::Code h = ah.emit(b, l, iv[2]);
          UpsampleAxis::Code w = aw.emit(b, l, iv[3]);
          auto at = [&](Value hh, Value ww) {
            return toF32(b, l,
                         tensor::ExtractOp::create(
                             b, l, input, ValueRange{iv[0], iv[1], hh, ww}));
          };
          if (op.getMode() == UpsampleMode::Nearest)
            return tensor::ExtractOp::create(
                b, l, input, ValueRange{iv[0], iv[1], h.i0, w.i0});
          auto mulf = [&](Value x, Value y) -> Value {
            return arith::MulFOp::create(b, l, x, y);
          };
          auto addf = [&](Value x, Value y) -> Value {
            return arith::AddFOp::create(b, l, x, y);
          };
          // As torch: h0 * (w0 * x00 + w1 * x01) + h1 * (w0 * x10 + w1 * x11).
          // One op per statement: argument evaluation order is unspecified.
          auto lerp = [&](Value l0, Value x0, Value l1, Value x1) {
            Value first = mulf(l0, x0);
            Value second = mulf(l1, x1);
            return addf(first, second);
          };
          Value x00 = at(h.i0, w.i0);
          Value x01 = at(h.i0, w.i1);
          Value top = lerp(w.l0, x00, w.l1, x01);
          Value x10 = at(h.i1, w.i0);
          Value x11 = at(h.i1, w.i1);
          Value bottom = lerp(w.l0, x10, w.l1, x11);
          return fromF32(b, l, lerp(h.l0, top, h.l1, bottom), elementType);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// hetc.upsample_backward => gather-form linalg.generic: each input element
/// sums the weighted gradients of the outputs in its (static) window
struct UpsampleBackwardOpLowering : OpConversionPattern<UpsampleBackwardOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UpsampleBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    auto gradType = cast<RankedTensorType>(adaptor.getGradOutput().getType());
    UpsampleAxis ah(resultType.getDimSize(2), gradType.getDimSize(2),
                    op.getMode(), op.getAlignCorners());
    UpsampleAxis aw(resultType.getDimSize(3), gradType.getDimSize(3),
                    op.getMode(), op.getAlignCorners());
    ah.sizeGather();
    aw.sizeGather();
    Value grad = adaptor.getGradOutput();
    Value result = buildGatherReduction(
        rewriter, op.getLoc(), resultType, {ah.count, aw.count},
        [&](OpBuilder &b, Location l, ValueRange iv) {
          // iv = (n, c, h, w, kh, kw).
          auto [vh, dh, wh] = ah.emitCandidate(b, l, iv[2], iv[4]);
          auto [vw, dw, ww] = aw.emitCandidate(b, l, iv[3], iv[5]);
          Value g = toF32(b, l,
                          tensor::ExtractOp::create(
                              b, l, grad, ValueRange{iv[0], iv[1], dh, dw}));
          Value contribution = arith::MulFOp::create(
              b, l, g, arith::MulFOp::create(b, l, wh, ww));
          Value valid = andi(b, l, vh, vw);
          return selectOrZero(b, l, valid,
                              fromF32(b, l, contribution, elementType));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// pad
//===----------------------------------------------------------------------===//

/// The source index of output index `o` along a dimension of size `in`
/// padded by `before`; `inside` is whether it lies in the input.
std::pair<Value, Value> padSource(OpBuilder &b, Location l, Value o, int64_t in,
                                  int64_t before, PadMode mode) {
  Value p = subi(b, l, o, idx(b, l, before));
  Value inside = inRange(b, l, p, 0, in);
  if (mode == PadMode::Reflect) {
    // Mirror without repeating the edge: -p, then 2 (in - 1) - p.
    Value before = cmpi(b, l, arith::CmpIPredicate::slt, p, idx(b, l, 0));
    Value q = select(b, l, before, subi(b, l, idx(b, l, 0), p), p);
    Value after = cmpi(b, l, arith::CmpIPredicate::sge, q, idx(b, l, in));
    q = select(b, l, after, subi(b, l, idx(b, l, 2 * (in - 1)), q), q);
    return {inside, clampIndex(b, l, q, 0, in - 1)};
  }
  return {inside, clampIndex(b, l, p, 0, in - 1)};
}

/// hetc.pad => linalg.generic reading each output's source element (or the
/// fill value) with tensor.extract
struct PadOpLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType = op.getType();
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    int64_t rank = inputType.getRank();
    ArrayRef<int64_t> padding = op.getPadding();
    PadMode mode = op.getMode();
    double fill = op.getValue().convertToDouble();
    Value input = adaptor.getInput();
    Value result =
        buildIndexed(rewriter, op.getLoc(), resultType,
                     [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
                       SmallVector<Value> src;
                       Value inside;
                       for (int64_t d = 0; d < rank; ++d) {
                         auto [in, s] =
                             padSource(b, l, iv[d], inputType.getDimSize(d),
                                       padding[d], mode);
                         src.push_back(s);
                         inside = inside ? andi(b, l, inside, in) : in;
                       }
                       Value v = tensor::ExtractOp::create(b, l, input, src);
                       if (mode != PadMode::Constant || rank == 0)
                         return v;
                       return select(b, l, inside, v,
                                     floatConstant(b, l, v.getType(), fill));
                     });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Candidate outputs of one dimension that copied input index i.
struct PadAxis {
  int64_t in, out, before;
  PadMode mode;
  int64_t count;

  PadAxis(int64_t in, int64_t out, int64_t before, PadMode mode)
      : in(in), out(out), before(before), mode(mode) {
    int64_t after = out - in - before;
    if (mode == PadMode::Reflect)
      // Itself, its left mirror and its right mirror.
      count = before > 0 || after > 0 ? 3 : 1;
    else if (mode == PadMode::Edge)
      // The edges collect every padded position beyond them.
      count = in == 1 ? out : std::max<int64_t>({1, before + 1, after + 1});
    else
      count = 1;
  }

  /// (valid, clamped output index) of candidate k for input index i.
  std::pair<Value, Value> emit(OpBuilder &b, Location l, Value i,
                               Value k) const {
    Value direct = addi(b, l, i, idx(b, l, before));
    Value o, valid;
    if (mode == PadMode::Reflect) {
      Value left = subi(b, l, idx(b, l, before), i);
      Value right = subi(b, l, idx(b, l, before + 2 * (in - 1)), i);
      Value isK1 = cmpi(b, l, arith::CmpIPredicate::eq, k, idx(b, l, 1));
      Value isK2 = cmpi(b, l, arith::CmpIPredicate::eq, k, idx(b, l, 2));
      o = select(b, l, isK1, left, select(b, l, isK2, right, direct));
      // The mirrors of the edge elements are the elements themselves.
      Value k1ok = cmpi(b, l, arith::CmpIPredicate::sgt, i, idx(b, l, 0));
      Value k2ok = cmpi(b, l, arith::CmpIPredicate::slt, i, idx(b, l, in - 1));
      valid =
          select(b, l, isK1, k1ok,
                 select(b, l, isK2, k2ok,
                        arith::ConstantOp::create(b, l, b.getBoolAttr(true))));
    } else if (mode == PadMode::Edge) {
      // Input i owns the outputs [lo, hi]: the edges extend to the ends.
      Value first = cmpi(b, l, arith::CmpIPredicate::eq, i, idx(b, l, 0));
      Value last = cmpi(b, l, arith::CmpIPredicate::eq, i, idx(b, l, in - 1));
      Value lo = select(b, l, first, idx(b, l, 0), direct);
      Value hi = select(b, l, last, idx(b, l, out - 1), direct);
      o = addi(b, l, lo, k);
      valid = cmpi(b, l, arith::CmpIPredicate::sle, o, hi);
    } else {
      o = direct;
      valid = cmpi(b, l, arith::CmpIPredicate::eq, k, idx(b, l, 0));
    }
    valid = andi(b, l, valid, inRange(b, l, o, 0, out));
    return {valid, clampIndex(b, l, o, 0, out - 1)};
  }
};

/// hetc.pad_backward => gather-form linalg.generic: each input element sums
/// the gradients of the outputs that copied it
struct PadBackwardOpLowering : OpConversionPattern<PadBackwardOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType = op.getType();
    auto gradType = cast<RankedTensorType>(adaptor.getGrad().getType());
    int64_t rank = resultType.getRank();
    SmallVector<PadAxis> axes;
    SmallVector<int64_t> window;
    for (int64_t d = 0; d < rank; ++d) {
      axes.emplace_back(resultType.getDimSize(d), gradType.getDimSize(d),
                        op.getPadding()[d], op.getMode());
      window.push_back(axes.back().count);
    }
    Value grad = adaptor.getGrad();
    Value result = buildGatherReduction(
        rewriter, op.getLoc(), resultType, window,
        [&](OpBuilder &b, Location l, ValueRange iv) {
          SmallVector<Value> at;
          Value valid = arith::ConstantOp::create(b, l, b.getBoolAttr(true));
          for (int64_t d = 0; d < rank; ++d) {
            auto [v, o] = axes[d].emit(b, l, iv[d], iv[rank + d]);
            at.push_back(o);
            valid = andi(b, l, valid, v);
          }
          Value g = tensor::ExtractOp::create(b, l, grad, at);
          return selectOrZero(b, l, valid, g);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// adaptive_avg_pool2d
//===----------------------------------------------------------------------===//

/// floor(a * b / c) and ceil(a * b / c) for non-negative index values.
Value floorMulDiv(OpBuilder &b, Location l, Value a, int64_t m, int64_t c) {
  Value product = muli(b, l, a, idx(b, l, m));
  return arith::DivUIOp::create(b, l, product, idx(b, l, c));
}
Value ceilMulDiv(OpBuilder &b, Location l, Value a, int64_t m, int64_t c) {
  Value product = muli(b, l, a, idx(b, l, m));
  Value roundedUp = addi(b, l, product, idx(b, l, c - 1));
  return arith::DivUIOp::create(b, l, roundedUp, idx(b, l, c));
}

/// torch's adaptive windows along one axis: output i averages inputs
/// [floor(i * in / out), ceil((i + 1) * in / out)).
struct AdaptiveAxis {
  int64_t in, out;
  int64_t start(int64_t i) const { return i * in / out; }
  int64_t end(int64_t i) const { return ((i + 1) * in + out - 1) / out; }
  /// The longest window.
  int64_t maxWindow() const {
    int64_t m = 1;
    for (int64_t i = 0; i < out; ++i)
      m = std::max(m, end(i) - start(i));
    return m;
  }
  /// The most windows one input belongs to: input h is in the windows
  /// [floor(h * out / in), ceil((h + 1) * out / in)).
  int64_t maxCover() const {
    int64_t m = 1;
    for (int64_t h = 0; h < in; ++h)
      m = std::max(m, ((h + 1) * out + in - 1) / in - h * out / in);
    return m;
  }
  Value emitStart(OpBuilder &b, Location l, Value i) const {
    return floorMulDiv(b, l, i, in, out);
  }
  Value emitEnd(OpBuilder &b, Location l, Value i) const {
    return ceilMulDiv(b, l, addi(b, l, i, idx(b, l, 1)), in, out);
  }
};

/// The f32 element count of window (i, j).
Value windowCount(OpBuilder &b, Location l, const AdaptiveAxis &ah,
                  const AdaptiveAxis &aw, Value i, Value j) {
  Value rowEnd = ah.emitEnd(b, l, i);
  Value rows = subi(b, l, rowEnd, ah.emitStart(b, l, i));
  Value colEnd = aw.emitEnd(b, l, j);
  Value cols = subi(b, l, colEnd, aw.emitStart(b, l, j));
  return arith::SIToFPOp::create(
      b, l, b.getF32Type(),
      arith::IndexCastOp::create(b, l, b.getI64Type(), muli(b, l, rows, cols)));
}

/// hetc.adaptive_avg_pool2d => gather-form linalg.generic over the longest
/// window, masking the positions past each window's end
struct AdaptiveAvgPool2DOpLowering : OpConversionPattern<AdaptiveAvgPool2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AdaptiveAvgPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    AdaptiveAxis ah{inputType.getDimSize(2), resultType.getDimSize(2)};
    AdaptiveAxis aw{inputType.getDimSize(3), resultType.getDimSize(3)};
    Value input = adaptor.getInput();
    Value result = buildGatherReduction(
        rewriter, op.getLoc(), resultType, {ah.maxWindow(), aw.maxWindow()},
        [&](OpBuilder &b, Location l, ValueRange iv) {
          // iv = (n, c, i, j, kh, kw).
          Value h = addi(b, l, ah.emitStart(b, l, iv[2]), iv[4]);
          Value w = addi(b, l, aw.emitStart(b, l, iv[3]), iv[5]);
          Value inRows =
              cmpi(b, l, arith::CmpIPredicate::slt, h, ah.emitEnd(b, l, iv[2]));
          Value inCols =
              cmpi(b, l, arith::CmpIPredicate::slt, w, aw.emitEnd(b, l, iv[3]));
          Value valid = andi(b, l, inRows, inCols);
          Value x = toF32(
              b, l,
              tensor::ExtractOp::create(
                  b, l, input,
                  ValueRange{iv[0], iv[1], clampIndex(b, l, h, 0, ah.in - 1),
                             clampIndex(b, l, w, 0, aw.in - 1)}));
          Value avg = arith::DivFOp::create(
              b, l, x, windowCount(b, l, ah, aw, iv[2], iv[3]));
          return selectOrZero(b, l, valid, fromF32(b, l, avg, elementType));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// hetc.adaptive_avg_pool2d_backward => gather-form linalg.generic: each
/// input element sums g / count over the windows that contain it
struct AdaptiveAvgPool2DBackwardOpLowering
    : OpConversionPattern<AdaptiveAvgPool2DBackwardOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AdaptiveAvgPool2DBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    auto gradType = cast<RankedTensorType>(adaptor.getGradOutput().getType());
    AdaptiveAxis ah{resultType.getDimSize(2), gradType.getDimSize(2)};
    AdaptiveAxis aw{resultType.getDimSize(3), gradType.getDimSize(3)};
    Value grad = adaptor.getGradOutput();
    Value result = buildGatherReduction(
        rewriter, op.getLoc(), resultType, {ah.maxCover(), aw.maxCover()},
        [&](OpBuilder &b, Location l, ValueRange iv) {
          // iv = (n, c, h, w, ki, kj): window i = floor(h * out / in) + ki.
          Value i = addi(b, l, floorMulDiv(b, l, iv[2], ah.out, ah.in), iv[4]);
          Value j = addi(b, l, floorMulDiv(b, l, iv[3], aw.out, aw.in), iv[5]);
          Value iEnd =
              ceilMulDiv(b, l, addi(b, l, iv[2], idx(b, l, 1)), ah.out, ah.in);
          Value jEnd =
              ceilMulDiv(b, l, addi(b, l, iv[3], idx(b, l, 1)), aw.out, aw.in);
          Value inRows = cmpi(b, l, arith::CmpIPredicate::slt, i, iEnd);
          Value inCols = cmpi(b, l, arith::CmpIPredicate::slt, j, jEnd);
          Value valid = andi(b, l, inRows, inCols);
          Value ic = clampIndex(b, l, i, 0, ah.out - 1);
          Value jc = clampIndex(b, l, j, 0, aw.out - 1);
          Value g = toF32(b, l,
                          tensor::ExtractOp::create(
                              b, l, grad, ValueRange{iv[0], iv[1], ic, jc}));
          Value share =
              arith::DivFOp::create(b, l, g, windowCount(b, l, ah, aw, ic, jc));
          return selectOrZero(b, l, valid, fromF32(b, l, share, elementType));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::hetc::populateConvPatterns(const TypeConverter &converter,
                                      RewritePatternSet &patterns) {
  patterns
      .add<ConvTranspose2DOpLowering, UpsampleOpLowering,
           UpsampleBackwardOpLowering, PadOpLowering, PadBackwardOpLowering,
           AdaptiveAvgPool2DOpLowering, AdaptiveAvgPool2DBackwardOpLowering>(
          converter, patterns.getContext());
}
