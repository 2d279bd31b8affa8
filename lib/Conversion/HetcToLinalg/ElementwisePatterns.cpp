//===- ElementwisePatterns.cpp - hetc elementwise ops to linalg -----------===//
//
// Every elementwise op becomes one all-parallel linalg.generic whose operands
// are read through broadcasting maps, so elementwise fusion can later merge
// chains of them into a single loop nest (or a single GPU kernel).
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "hetc/Dialect/Hetc/HetcOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::hetc;
using namespace mlir::hetc::lowering;

namespace {

/// Shared driver: subclasses provide the scalar computation.
template <typename SourceOp>
struct ElementwiseLowering : OpConversionPattern<SourceOp> {
  using OpConversionPattern<SourceOp>::OpConversionPattern;
  using OpAdaptor = typename SourceOp::Adaptor;

  virtual Value scalar(OpBuilder &b, Location loc, SourceOp op,
                       ValueRange args) const = 0;

  LogicalResult
  matchAndRewrite(SourceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    SmallVector<Value> inputs;
    for (Value operand : adaptor.getOperands())
      if (isa<FloatType>(getElementTypeOrSelf(operand.getType())))
        inputs.push_back(operand);
    Value result =
        buildElementwise(rewriter, op.getLoc(), resultType, inputs,
                         [&](OpBuilder &b, Location loc, ValueRange args) {
                           return scalar(b, loc, op, args);
                         });
    rewriter.replaceOp(op, result);
    return success();
  }
};

#define HETC_ELEMENTWISE(NAME, OP)                                             \
  struct NAME : ElementwiseLowering<OP> {                                      \
    using ElementwiseLowering::ElementwiseLowering;                            \
    Value scalar(OpBuilder &b, Location loc, OP op,                            \
                 ValueRange args) const override;                              \
  };                                                                           \
  Value NAME::scalar(OpBuilder &b, Location loc, OP op, ValueRange args) const

/// hetc.add => linalg.generic { arith.addf }
HETC_ELEMENTWISE(AddOpLowering, AddOp) {
  return arith::AddFOp::create(b, loc, args[0], args[1]);
}

/// hetc.sub => linalg.generic { arith.subf }
HETC_ELEMENTWISE(SubOpLowering, SubOp) {
  return arith::SubFOp::create(b, loc, args[0], args[1]);
}

/// hetc.mul => linalg.generic { arith.mulf }
HETC_ELEMENTWISE(MulOpLowering, MulOp) {
  return arith::MulFOp::create(b, loc, args[0], args[1]);
}

/// hetc.div => linalg.generic { arith.divf }
HETC_ELEMENTWISE(DivOpLowering, DivOp) {
  return arith::DivFOp::create(b, loc, args[0], args[1]);
}

/// hetc.maximum => linalg.generic { arith.maximumf } (NaN-propagating, as
/// torch.maximum)
HETC_ELEMENTWISE(MaximumOpLowering, MaximumOp) {
  return arith::MaximumFOp::create(b, loc, args[0], args[1]);
}

/// hetc.minimum => linalg.generic { arith.minimumf }
HETC_ELEMENTWISE(MinimumOpLowering, MinimumOp) {
  return arith::MinimumFOp::create(b, loc, args[0], args[1]);
}

/// hetc.neg => linalg.generic { arith.negf }
HETC_ELEMENTWISE(NegOpLowering, NegOp) {
  return arith::NegFOp::create(b, loc, args[0]);
}

/// hetc.exp => linalg.generic { math.exp }
HETC_ELEMENTWISE(ExpOpLowering, ExpOp) {
  return math::ExpOp::create(b, loc, args[0]);
}

/// hetc.log => linalg.generic { math.log }
HETC_ELEMENTWISE(LogOpLowering, LogOp) {
  return math::LogOp::create(b, loc, args[0]);
}

/// hetc.sqrt => linalg.generic { math.sqrt }
HETC_ELEMENTWISE(SqrtOpLowering, SqrtOp) {
  return math::SqrtOp::create(b, loc, args[0]);
}

/// hetc.rsqrt => linalg.generic { math.rsqrt }
HETC_ELEMENTWISE(RsqrtOpLowering, RsqrtOp) {
  return math::RsqrtOp::create(b, loc, args[0]);
}

/// hetc.tanh => linalg.generic { math.tanh }
HETC_ELEMENTWISE(TanhOpLowering, TanhOp) {
  return math::TanhOp::create(b, loc, args[0]);
}

/// hetc.sigmoid => linalg.generic { 1 / (1 + exp(-x)) }
HETC_ELEMENTWISE(SigmoidOpLowering, SigmoidOp) {
  Type type = args[0].getType();
  Value one = floatConstant(b, loc, type, 1.0);
  Value negX = arith::NegFOp::create(b, loc, args[0]);
  Value expNegX = math::ExpOp::create(b, loc, negX);
  Value denom = arith::AddFOp::create(b, loc, one, expNegX);
  return arith::DivFOp::create(b, loc, one, denom);
}

/// hetc.relu => linalg.generic { x > 0 ? x : 0 } (NaN stays NaN, as in
/// torch.relu)
HETC_ELEMENTWISE(ReluOpLowering, ReluOp) {
  Value zero = floatConstant(b, loc, args[0].getType(), 0.0);
  Value isNeg =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, args[0], zero);
  return arith::SelectOp::create(b, loc, isNeg, zero, args[0]);
}

/// hetc.gelu => linalg.generic { x * Phi(x) } with math.erf, or PyTorch's
/// tanh approximation
HETC_ELEMENTWISE(GeluOpLowering, GeluOp) {
  Type type = args[0].getType();
  Value x = args[0];
  Value half = floatConstant(b, loc, type, 0.5);
  Value one = floatConstant(b, loc, type, 1.0);
  Value inner;
  if (op.getApproximate() == GeluApproximation::Tanh) {
    Value c = floatConstant(b, loc, type, std::sqrt(2.0 / M_PI));
    Value k = floatConstant(b, loc, type, 0.044715);
    Value x3 =
        arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
    Value poly =
        arith::AddFOp::create(b, loc, x, arith::MulFOp::create(b, loc, k, x3));
    inner =
        math::TanhOp::create(b, loc, arith::MulFOp::create(b, loc, c, poly));
  } else {
    Value invSqrt2 = floatConstant(b, loc, type, M_SQRT1_2);
    inner =
        math::ErfOp::create(b, loc, arith::MulFOp::create(b, loc, x, invSqrt2));
  }
  Value cdf = arith::MulFOp::create(b, loc, half,
                                    arith::AddFOp::create(b, loc, one, inner));
  return arith::MulFOp::create(b, loc, x, cdf);
}

/// hetc.pow => linalg.generic { math.powf(x, c) }, or repeated multiplies
/// for small integer exponents (exact, and defined for negative bases)
HETC_ELEMENTWISE(PowOpLowering, PowOp) {
  double exponent = op.getExponent().convertToDouble();
  Type type = args[0].getType();
  Value x = args[0];
  double integral;
  if (std::modf(exponent, &integral) == 0.0 && std::fabs(exponent) <= 4.0) {
    int64_t n = static_cast<int64_t>(std::fabs(exponent));
    Value result = floatConstant(b, loc, type, 1.0);
    for (int64_t i = 0; i < n; ++i)
      result = i == 0 ? x : arith::MulFOp::create(b, loc, result, x);
    if (exponent < 0)
      result = arith::DivFOp::create(b, loc, floatConstant(b, loc, type, 1.0),
                                     result);
    return result;
  }
  return math::PowFOp::create(b, loc, x, floatConstant(b, loc, type, exponent));
}

#undef HETC_ELEMENTWISE

/// The integer form of `u >= p` for u = t / 2^24, t an integer in
/// [0, 2^24): t >= ceil(p * 2^24). p * 2^24 is exact in double, so the
/// threshold is exact and the comparison needs no float arithmetic.
static uint64_t dropoutThreshold(double p) {
  return static_cast<uint64_t>(std::ceil(std::ldexp(p, 24)));
}

/// hetc.dropout => linalg.generic { keep iff hash(seed, index) >= p }
///
/// The mask is splitmix64 of seed * 0x9E3779B97F4A7C15 + the row-major linear
/// index, a pure function of (seed, element index) in 64-bit integer ops;
/// its top 24 bits t keep the element iff t >= ceil(p * 2^24). Survivors are
/// scaled by 1 / (1 - p). Every target and launch geometry computes the same
/// mask from the same seed (docs/reproducibility.md).
struct DropoutLowering : OpConversionPattern<DropoutOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DropoutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type elementType = type.getElementType();
    double p = op.getP().convertToDouble();
    Value seed = tensor::ExtractOp::create(rewriter, loc, adaptor.getSeed(),
                                           ValueRange{});
    ArrayRef<int64_t> shape = type.getShape();
    Value result = buildElementwise(
        rewriter, loc, type, adaptor.getInput(),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Type i64 = b.getI64Type();
          auto c64 = [&](uint64_t v) -> Value {
            return arith::ConstantOp::create(
                b, l, i64, b.getIntegerAttr(i64, static_cast<int64_t>(v)));
          };
          // Row-major linear index of the element.
          Value linear = c64(0);
          for (int64_t d = 0, e = shape.size(); d < e; ++d) {
            Value idx = arith::IndexCastOp::create(
                b, l, i64, linalg::IndexOp::create(b, l, d));
            linear = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, linear, c64(shape[d])), idx);
          }
          Value z = arith::AddIOp::create(
              b, l,
              arith::MulIOp::create(b, l, seed, c64(0x9E3779B97F4A7C15ull)),
              linear);
          auto mix = [&](Value v, uint64_t shift, uint64_t mul) -> Value {
            Value s = arith::ShRUIOp::create(b, l, v, c64(shift));
            Value x = arith::XOrIOp::create(b, l, v, s);
            return mul ? arith::MulIOp::create(b, l, x, c64(mul)).getResult()
                       : x;
          };
          z = mix(z, 30, 0xBF58476D1CE4E5B9ull);
          z = mix(z, 27, 0x94D049BB133111EBull);
          z = mix(z, 31, 0);
          Value top = arith::ShRUIOp::create(b, l, z, c64(40));
          Value keep = arith::CmpIOp::create(b, l, arith::CmpIPredicate::uge,
                                             top, c64(dropoutThreshold(p)));
          Value scaled = arith::MulFOp::create(
              b, l, args[0], floatConstant(b, l, elementType, 1.0 / (1.0 - p)));
          return arith::SelectOp::create(b, l, keep, scaled,
                                         floatConstant(b, l, elementType, 0.0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::hetc::populateElementwisePatterns(const TypeConverter &converter,
                                             RewritePatternSet &patterns) {
  patterns.add<AddOpLowering, SubOpLowering, MulOpLowering, DivOpLowering,
               MaximumOpLowering, MinimumOpLowering, NegOpLowering,
               ExpOpLowering, LogOpLowering, SqrtOpLowering, RsqrtOpLowering,
               TanhOpLowering, SigmoidOpLowering, ReluOpLowering,
               GeluOpLowering, PowOpLowering, DropoutLowering>(
      converter, patterns.getContext());
}
