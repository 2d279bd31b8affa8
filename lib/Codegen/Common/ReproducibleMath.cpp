//===- ReproducibleMath.cpp - float math from IEEE-exact operations -------===//
//
// The reproducible mode computes every transcendental function, division and
// square root with hetc's own sequences of operations that each target
// rounds identically: add, sub and mul (never fused), compares, selects,
// bitcasts, exact int <-> float conversions and integer arithmetic. Division
// and sqrt are correctly rounded; docs/reproducibility.md gives the
// algorithms, the exactness argument and the measured errors.
//
//===----------------------------------------------------------------------===//

#include "hetc/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cstdint>
#include <initializer_list>

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCREPRODUCIBLEMATH
#include "hetc/Codegen/Common/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {

constexpr uint32_t kSignBit = 0x80000000u;
constexpr uint32_t kAbsMask = 0x7fffffffu;
constexpr uint32_t kInfBits = 0x7f800000u;
constexpr uint32_t kQuietNaN = 0x7fc00000u;

/// Builds f32 / i32 operations of one shape (scalar or vector). Every float
/// operation it emits is correctly rounded on every target.
class Emitter {
public:
  Emitter(OpBuilder &b, Location loc, Type f32Like)
      : b(b), loc(loc), fType(f32Like), iType(withElement(b.getI32Type())),
        bType(withElement(b.getI1Type())) {}

  Value f(double v) { return constant(fType, b.getF32FloatAttr(v)); }
  Value i(int64_t v) {
    return constant(iType, b.getI32IntegerAttr(static_cast<int32_t>(v)));
  }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value iadd(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value isub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value imul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value iand(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value ior(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value ixor(Value x, Value y) { return arith::XOrIOp::create(b, loc, x, y); }
  Value shl(Value x, Value y) { return arith::ShLIOp::create(b, loc, x, y); }
  Value lshr(Value x, Value y) { return arith::ShRUIOp::create(b, loc, x, y); }
  Value ashr(Value x, Value y) { return arith::ShRSIOp::create(b, loc, x, y); }
  Value bnot(Value x) {
    return arith::XOrIOp::create(b, loc, x,
                                 constant(bType, b.getBoolAttr(true)));
  }
  Value sel(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value icmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value fcmp(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value bits(Value x) { return arith::BitcastOp::create(b, loc, iType, x); }
  Value fromBits(Value x) { return arith::BitcastOp::create(b, loc, fType, x); }
  /// Exact for |x| < 2^24 (the only way the expansions use it).
  Value toFloat(Value x) { return arith::SIToFPOp::create(b, loc, fType, x); }
  /// Exact for integral x, truncating otherwise; x must be in i32 range.
  Value toInt(Value x) { return arith::FPToSIOp::create(b, loc, iType, x); }
  Value bit1(Value c) { return arith::ExtUIOp::create(b, loc, iType, c); }

  Value ult(Value x, Value y) { return icmp(arith::CmpIPredicate::ult, x, y); }
  Value slt(Value x, Value y) { return icmp(arith::CmpIPredicate::slt, x, y); }
  Value sgt(Value x, Value y) { return icmp(arith::CmpIPredicate::sgt, x, y); }
  Value sge(Value x, Value y) { return icmp(arith::CmpIPredicate::sge, x, y); }
  Value ieq(Value x, Value y) { return icmp(arith::CmpIPredicate::eq, x, y); }
  Value ine(Value x, Value y) { return icmp(arith::CmpIPredicate::ne, x, y); }
  Value flt(Value x, Value y) { return fcmp(arith::CmpFPredicate::OLT, x, y); }
  Value fgt(Value x, Value y) { return fcmp(arith::CmpFPredicate::OGT, x, y); }
  Value imin(Value x, Value y) { return sel(slt(x, y), x, y); }
  Value imax(Value x, Value y) { return sel(sgt(x, y), x, y); }

  /// |x| as bits, and the classifications, on bits so that no target's NaN
  /// handling of float compares matters.
  Value absBits(Value x) { return iand(bits(x), i(kAbsMask)); }
  Value isNaN(Value x) { return sgt(absBits(x), i(kInfBits)); }
  Value isInf(Value x) { return ieq(absBits(x), i(kInfBits)); }
  Value isZero(Value x) { return ieq(absBits(x), i(0)); }
  Value signBit(Value x) { return iand(bits(x), i(kSignBit)); }
  Value fabs(Value x) { return fromBits(absBits(x)); }
  Value nan() { return fromBits(i(kQuietNaN)); }
  /// |magnitude| with the sign bit of `sign`.
  Value copySign(Value magnitude, Value sign) {
    return fromBits(ior(absBits(magnitude), signBit(sign)));
  }
  /// Clamps x into [lo, hi]; NaN stays NaN (callers handle it).
  Value clamp(Value x, double lo, double hi) {
    Value l = f(lo), h = f(hi);
    x = sel(flt(x, l), l, x);
    return sel(fgt(x, h), h, x);
  }
  /// c[0] + t * (c[1] + t * (...)), one rounding per operation.
  Value horner(std::initializer_list<double> coeffs, Value t) {
    const double *c = coeffs.end();
    Value acc = f(*--c);
    while (c != coeffs.begin())
      acc = add(mul(acc, t), f(*--c));
    return acc;
  }

  Type floatType() const { return fType; }

private:
  Type withElement(Type element) {
    if (auto vec = dyn_cast<VectorType>(fType))
      return vec.clone(element);
    return element;
  }
  Value constant(Type type, TypedAttr scalar) {
    if (auto vec = dyn_cast<VectorType>(type))
      return arith::ConstantOp::create(b, loc,
                                       DenseElementsAttr::get(vec, scalar));
    return arith::ConstantOp::create(b, loc, scalar);
  }

  OpBuilder &b;
  Location loc;
  Type fType, iType, bType;
};

/// A normalized finite operand: value = m * 2^(e - 150) with m in
/// [2^23, 2^24) (for zero, m = 2^23 and the caller special-cases it).
struct Normalized {
  Value e; // biased exponent, below 1 for subnormals
  Value m;
};

/// Subnormals are normalized through the exact conversion of their mantissa
/// to float, whose exponent field counts the leading zeros.
Normalized normalize(Emitter &em, Value x) {
  Value u = em.absBits(x);
  Value field = em.lshr(u, em.i(23));
  Value frac = em.iand(u, em.i(0x7fffff));
  Value sub = em.ieq(field, em.i(0));
  Value asFloat = em.bits(em.toFloat(frac));
  Value subE = em.isub(em.lshr(asFloat, em.i(23)), em.i(149));
  Value subM = em.iand(asFloat, em.i(0x7fffff));
  Value e = em.sel(sub, subE, field);
  Value m = em.ior(em.sel(sub, subM, frac), em.i(0x800000));
  return {e, m};
}

/// Rounds q * 2^-2 (q in [2^25, 2^26), `sticky` true when bits below q are
/// nonzero) to nearest even, as a float whose biased exponent is `e` when
/// normal, and as a subnormal (or zero) when e < 1. Overflow is left to the
/// caller; a carry out of the mantissa correctly bumps the exponent.
Value roundToFloat(Emitter &em, Value e, Value q, Value sticky) {
  Value normal = em.sge(e, em.i(1));
  // Bits to drop: 2 for a normal result, 2 + (1 - e) for a subnormal one.
  Value shift = em.sel(normal, em.i(2), em.imin(em.isub(em.i(3), e), em.i(27)));
  Value kept = em.lshr(q, shift);
  Value half = em.shl(em.i(1), em.isub(shift, em.i(1)));
  Value dropped = em.iand(q, em.isub(em.shl(em.i(1), shift), em.i(1)));
  Value below =
      em.ior(sticky, em.ine(em.iand(dropped, em.isub(half, em.i(1))), em.i(0)));
  Value odd = em.ine(em.iand(kept, em.i(1)), em.i(0));
  Value up =
      em.iand(em.ine(em.iand(dropped, half), em.i(0)), em.ior(below, odd));
  Value base = em.sel(normal, em.shl(em.isub(e, em.i(1)), em.i(23)), em.i(0));
  return em.iadd(em.iadd(base, kept), em.bit1(up));
}

/// Correctly rounded a / b. The quotient of the normalized mantissas is
/// estimated in float (Newton reciprocal), then corrected until the exact
/// integer remainder lies in [0, mb); two more remainder steps give the
/// guard bits. Every remainder is below 2^27, so i32 arithmetic is exact.
Value expandDiv(Emitter &em, Value a, Value b) {
  Normalized na = normalize(em, a), nb = normalize(em, b);
  Value small = em.ult(na.m, nb.m);
  Value ma = em.sel(small, em.shl(na.m, em.i(1)), na.m);
  Value e = em.iadd(em.isub(em.isub(na.e, nb.e), em.bit1(small)), em.i(127));

  Value scale = em.f(0x1p-23);
  Value an = em.mul(em.toFloat(ma), scale);
  Value bn = em.mul(em.toFloat(nb.m), scale);
  Value y = em.sub(em.f(24.0 / 17.0), em.mul(em.f(8.0 / 17.0), bn));
  for (int k = 0; k < 3; ++k)
    y = em.add(y, em.mul(y, em.sub(em.f(1.0), em.mul(bn, y))));
  Value q = em.toInt(em.mul(em.mul(an, y), em.f(0x1p23)));
  Value r = em.isub(em.shl(ma, em.i(23)), em.imul(q, nb.m));
  // The estimate is within [-1, 2] of the floor (measured); one more step
  // each way is margin.
  for (int k = 0; k < 3; ++k) {
    Value neg = em.slt(r, em.i(0));
    q = em.sel(neg, em.isub(q, em.i(1)), q);
    r = em.sel(neg, em.iadd(r, nb.m), r);
  }
  for (int k = 0; k < 2; ++k) {
    Value over = em.sge(r, nb.m);
    q = em.sel(over, em.iadd(q, em.i(1)), q);
    r = em.sel(over, em.isub(r, nb.m), r);
  }
  for (int k = 0; k < 2; ++k) {
    r = em.shl(r, em.i(1));
    Value bit = em.sge(r, nb.m);
    q = em.ior(em.shl(q, em.i(1)), em.bit1(bit));
    r = em.sel(bit, em.isub(r, nb.m), r);
  }
  Value rounded = roundToFloat(em, e, q, em.ine(r, em.i(0)));
  Value sign = em.ixor(em.signBit(a), em.signBit(b));
  Value result = em.sel(em.sge(e, em.i(255)), em.i(kInfBits), rounded);

  Value aZero = em.isZero(a), bZero = em.isZero(b);
  Value aInf = em.isInf(a), bInf = em.isInf(b);
  result = em.sel(em.ior(aZero, bInf), em.i(0), result);
  result = em.sel(em.ior(aInf, bZero), em.i(kInfBits), result);
  result = em.ior(result, sign);
  Value invalid = em.ior(em.ior(em.isNaN(a), em.isNaN(b)),
                         em.ior(em.iand(aZero, bZero), em.iand(aInf, bInf)));
  return em.sel(invalid, em.nan(), em.fromBits(result));
}

/// Correctly rounded sqrt(x): a float rsqrt estimate of the root of the
/// normalized mantissa, corrected until s^2 <= N < (s+1)^2 with the exact
/// remainder N - s^2. A square root is never halfway between two floats,
/// so the remainder alone decides the rounding.
Value expandSqrt(Emitter &em, Value x) {
  Normalized n = normalize(em, x);
  Value unbiased = em.isub(n.e, em.i(127));
  Value odd = em.ine(em.iand(unbiased, em.i(1)), em.i(0));
  Value m = em.sel(odd, em.shl(n.m, em.i(1)), n.m);
  Value half = em.ashr(em.isub(unbiased, em.bit1(odd)), em.i(1));

  Value sn = em.mul(em.toFloat(m), em.f(0x1p-23));
  Value y =
      em.fromBits(em.isub(em.i(0x5f3759df), em.lshr(em.bits(sn), em.i(1))));
  Value halfSn = em.mul(em.f(0.5), sn);
  for (int k = 0; k < 3; ++k)
    y = em.mul(y, em.sub(em.f(1.5), em.mul(halfSn, em.mul(y, y))));
  Value s = em.toInt(em.mul(em.mul(sn, y), em.f(0x1p23)));
  Value r = em.isub(em.shl(m, em.i(23)), em.imul(s, s));
  // The estimate is within [-3, 4] of the floor (measured exhaustively over
  // every mantissa); one more step each way is margin.
  for (int k = 0; k < 5; ++k) {
    Value neg = em.slt(r, em.i(0));
    r = em.sel(neg, em.iadd(r, em.isub(em.shl(s, em.i(1)), em.i(1))), r);
    s = em.sel(neg, em.isub(s, em.i(1)), s);
  }
  for (int k = 0; k < 5; ++k) {
    Value over = em.sgt(r, em.shl(s, em.i(1)));
    r = em.sel(over, em.isub(r, em.iadd(em.shl(s, em.i(1)), em.i(1))), r);
    s = em.sel(over, em.iadd(s, em.i(1)), s);
  }
  Value up = em.sgt(r, s);
  Value bitsOut = em.iadd(
      em.iadd(em.shl(em.iadd(half, em.i(126)), em.i(23)), s), em.bit1(up));
  Value result = em.fromBits(bitsOut);
  // +-0 and +inf are their own roots; negative numbers and NaN give NaN.
  result = em.sel(em.ior(em.isZero(x), em.isInf(x)), x, result);
  Value negative =
      em.iand(em.ine(em.signBit(x), em.i(0)), em.bnot(em.isZero(x)));
  return em.sel(em.ior(negative, em.isNaN(x)), em.nan(), result);
}

/// y * 2^n for integral float n in [-152, 128]: two exact power-of-two
/// factors, so a subnormal result is rounded once.
Value scaleByPow2(Emitter &em, Value y, Value n) {
  Value ni = em.toInt(n);
  Value n1 = em.ashr(ni, em.i(1));
  Value n2 = em.isub(ni, n1);
  Value p1 = em.fromBits(em.shl(em.iadd(n1, em.i(127)), em.i(23)));
  Value p2 = em.fromBits(em.shl(em.iadd(n2, em.i(127)), em.i(23)));
  return em.mul(em.mul(y, p1), p2);
}

/// exp(x): x = n ln2 + r with n = round(x / ln2) and r from a Cody-Waite
/// split of ln2 (n * kLn2Hi is exact), e^r = 1 + r + r^2 P(r) on
/// |r| <= ln2 / 2, then scaled by 2^n.
Value expandExp(Emitter &em, Value x) {
  Value nanIn = em.isNaN(x);
  Value xc = em.sel(nanIn, em.f(0.0), em.clamp(x, -104.0, 89.0));
  Value rounder = em.f(12582912.0); // 1.5 * 2^23: adding it rounds to int
  Value n =
      em.sub(em.add(em.mul(xc, em.f(1.4426950408889634)), rounder), rounder);
  constexpr double kLn2Hi = 0x1.62e4p-1; // 15 significant bits
  constexpr double kLn2Lo = 0.6931471805599453 - kLn2Hi;
  Value r =
      em.sub(em.sub(xc, em.mul(n, em.f(kLn2Hi))), em.mul(n, em.f(kLn2Lo)));
  Value p =
      em.horner({0.49999988079071045, 0.166665181517601, 0.04166953265666962,
                 0.008368921466171741, 0.001375138876028359},
                r);
  Value y = em.add(em.f(1.0), em.add(r, em.mul(em.mul(r, r), p)));
  Value result = scaleByPow2(em, y, n);
  return em.sel(nanIn, em.nan(), result);
}

/// log(x): x = 2^e * m with m in [sqrt(1/2), sqrt(2)), f = m - 1 exact,
/// log(1 + f) = f - f^2/2 + f^3 Q(f), and e ln2 added in two parts.
Value expandLog(Emitter &em, Value x) {
  Value u = em.bits(x);
  Value sub = em.ult(u, em.i(0x800000));
  Value xn = em.bits(em.sel(sub, em.toFloat(u), x));
  Value adjust = em.sel(sub, em.i(-149), em.i(0));
  Value e = em.iadd(em.isub(em.lshr(xn, em.i(23)), em.i(127)), adjust);
  Value frac = em.iand(xn, em.i(0x7fffff));
  Value big = em.sgt(frac, em.i(0x3504f3));
  Value mBits = em.ior(frac, em.sel(big, em.i(0x3f000000), em.i(0x3f800000)));
  e = em.iadd(e, em.bit1(big));
  Value f = em.sub(em.fromBits(mBits), em.f(1.0));
  Value ef = em.toFloat(e);
  Value q = em.horner({0.3333335518836975, -0.2500085234642029,
                       0.19999825954437256, -0.16621370613574982,
                       0.14227114617824554, -0.13202103972434998,
                       0.1262032687664032, -0.07362867891788483},
                      f);
  Value f2 = em.mul(f, f);
  Value tail = em.mul(em.mul(f2, f), q);
  constexpr double kLn2Hi = 0x1.62e4p-1;
  constexpr double kLn2Lo = 0.6931471805599453 - kLn2Hi;
  Value low =
      em.add(em.mul(ef, em.f(kLn2Lo)), em.sub(tail, em.mul(em.f(0.5), f2)));
  Value result = em.add(em.mul(ef, em.f(kLn2Hi)), em.add(low, f));

  Value inf = em.fromBits(em.i(kInfBits));
  result = em.sel(em.ieq(u, em.i(kInfBits)), inf, result);
  result = em.sel(em.isZero(x), em.fromBits(em.i(0xff800000u)), result);
  Value negative =
      em.iand(em.ine(em.signBit(x), em.i(0)), em.bnot(em.isZero(x)));
  return em.sel(em.ior(negative, em.isNaN(x)), em.nan(), result);
}

/// tanh(x) = x + x^3 P(x^2) for |x| < 0.625, else 1 - 2 / (e^{2|x|} + 1)
/// with hetc's exp and correctly rounded division; 1 beyond 9.1.
Value expandTanh(Emitter &em, Value x) {
  Value a = em.fabs(x);
  Value z = em.mul(a, a);
  Value small =
      em.add(a, em.mul(em.mul(z, a),
                       em.horner({-0.3333328664302826, 0.13331513106822968,
                                  -0.053744662553071976, 0.020653141662478447,
                                  -0.005718979053199291},
                                 z)));
  Value ac = em.sel(em.fgt(a, em.f(9.5)), em.f(9.5), a);
  Value e = expandExp(em, em.add(ac, ac));
  Value large =
      em.sub(em.f(1.0), expandDiv(em, em.f(2.0), em.add(e, em.f(1.0))));
  Value result = em.sel(em.flt(a, em.f(0.625)), small, large);
  result = em.sel(em.fgt(a, em.f(9.1)), em.f(1.0), result);
  result = em.copySign(result, x);
  return em.sel(em.isNaN(x), em.nan(), result);
}

/// erf(x): x P(x^2) on [0, 1), a polynomial in |x| - 1.5 on [1, 2) and in
/// |x| - 2.96 on [2, 3.92), 1 beyond (erf rounds to 1 there).
Value expandErf(Emitter &em, Value x) {
  Value a = em.fabs(x);
  Value p0 = em.mul(
      a, em.horner({1.128379225730896, -0.3761262893676758, 0.11283612251281738,
                    -0.026854807510972023, 0.0051900530233979225,
                    -0.000802435155492276, 7.898201874922961e-05},
                   em.mul(a, a)));
  Value p1 = em.horner({0.9661051630973816, 0.11893028765916824,
                        -0.17839542031288147, 0.13875220715999603,
                        -0.04459944739937782, -0.014870842918753624,
                        0.019333429634571075, -0.004701163619756699,
                        -0.0024019302800297737, 0.0015404114965349436},
                       em.sub(a, em.f(1.5)));
  Value p2 = em.horner({0.9999716281890869, 0.0001766676432453096,
                        -0.0005249631940387189, 0.0009750831522978842,
                        -0.0012507853098213673, 0.0011972424108535051,
                        -0.0008999177953228354, 0.00045975431567057967,
                        -8.31641154945828e-05, -2.1823065253556706e-05},
                       em.sub(a, em.f(2.96)));
  Value result = em.sel(em.flt(a, em.f(1.0)), p0,
                        em.sel(em.flt(a, em.f(2.0)), p1,
                               em.sel(em.flt(a, em.f(3.92)), p2, em.f(1.0))));
  result = em.copySign(result, x);
  return em.sel(em.isNaN(x), em.nan(), result);
}

/// pow(x, y) = exp(y log|x|) with C99's special cases: a negative x needs an
/// integral y (odd y keeps the sign), x == 1 or y == 0 gives 1.
Value expandPow(Emitter &em, Value x, Value y) {
  Value ax = em.fabs(x), ay = em.fabs(y);
  Value magnitude = expandExp(em, em.mul(y, expandLog(em, ax)));
  Value rounder = em.f(8388608.0);                       // 2^23
  Value large = em.sge(em.absBits(y), em.i(0x4b000000)); // |y| >= 2^23
  Value integral =
      em.ior(large, em.ieq(em.bits(em.sub(em.add(ay, rounder), rounder)),
                           em.bits(ay)));
  Value below24 = em.ult(em.absBits(y), em.i(0x4b800000)); // |y| < 2^24
  Value ayInt = em.toInt(em.sel(below24, ay, em.f(0.0)));
  Value oddInt = em.iand(em.iand(integral, below24),
                         em.ine(em.iand(ayInt, em.i(1)), em.i(0)));
  Value xNeg = em.ine(em.signBit(x), em.i(0));
  Value result = em.sel(em.iand(xNeg, oddInt),
                        em.fromBits(em.ior(em.bits(magnitude), em.i(kSignBit))),
                        magnitude);
  Value finiteNonzero =
      em.bnot(em.ior(em.ior(em.isZero(x), em.isInf(x)), em.isNaN(x)));
  Value invalid = em.iand(em.iand(xNeg, finiteNonzero),
                          em.iand(em.bnot(integral), em.bnot(em.isInf(y))));
  result = em.sel(em.ior(invalid, em.ior(em.isNaN(x), em.isNaN(y))), em.nan(),
                  result);
  Value one = em.f(1.0);
  Value unitPower = em.iand(em.ieq(em.bits(ax), em.bits(one)), em.isInf(y));
  Value isOne = em.ior(em.ieq(em.bits(x), em.bits(one)), em.isZero(y));
  return em.sel(em.ior(isOne, unitPower), one, result);
}

/// maximumf / minimumf (NaN-propagating, -0 < +0) and maxnumf / minnumf
/// (NaN-ignoring) with explicit rules, as targets differ on +-0 and NaN.
Value expandMinMax(Emitter &em, Value a, Value b, bool isMax,
                   bool propagateNaN) {
  Value pick = isMax ? em.fgt(a, b) : em.flt(a, b);
  Value result = em.sel(pick, a, b);
  Value ab = em.bits(a), bb = em.bits(b);
  // Equal values differ only for +-0: max keeps +0 (and), min -0 (or).
  Value zeros = isMax ? em.iand(ab, bb) : em.ior(ab, bb);
  Value equal = em.fcmp(arith::CmpFPredicate::OEQ, a, b);
  result = em.sel(equal, em.fromBits(zeros), result);
  Value aNaN = em.isNaN(a), bNaN = em.isNaN(b);
  if (propagateNaN)
    return em.sel(em.ior(aNaN, bNaN), em.nan(), result);
  result = em.sel(aNaN, b, em.sel(bNaN, a, result));
  return em.sel(em.iand(aNaN, bNaN), em.nan(), result);
}

/// The f32 expansion of one op, or null when the op has none.
Value expandF32(Emitter &em, Operation *op, ValueRange args) {
  return TypeSwitch<Operation *, Value>(op)
      .Case([&](arith::DivFOp) { return expandDiv(em, args[0], args[1]); })
      .Case([&](math::SqrtOp) { return expandSqrt(em, args[0]); })
      .Case([&](math::RsqrtOp) {
        return expandDiv(em, em.f(1.0), expandSqrt(em, args[0]));
      })
      .Case([&](math::ExpOp) { return expandExp(em, args[0]); })
      .Case([&](math::LogOp) { return expandLog(em, args[0]); })
      .Case([&](math::TanhOp) { return expandTanh(em, args[0]); })
      .Case([&](math::ErfOp) { return expandErf(em, args[0]); })
      .Case([&](math::PowFOp) { return expandPow(em, args[0], args[1]); })
      .Case([&](arith::MaximumFOp) {
        return expandMinMax(em, args[0], args[1], true, true);
      })
      .Case([&](arith::MinimumFOp) {
        return expandMinMax(em, args[0], args[1], false, true);
      })
      .Case([&](arith::MaxNumFOp) {
        return expandMinMax(em, args[0], args[1], true, false);
      })
      .Case([&](arith::MinNumFOp) {
        return expandMinMax(em, args[0], args[1], false, false);
      })
      .Default([](Operation *) { return Value(); });
}

/// Element type of a float scalar or vector, or null.
FloatType floatElement(Type type) {
  return dyn_cast<FloatType>(getElementTypeOrSelf(type));
}

/// Ops that are exact or correctly rounded on every target, left as they
/// are. Every other float math / arith op must be expanded.
bool isReproducible(Operation *op) {
  return isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::NegFOp,
             arith::CmpFOp, arith::SelectOp, arith::ConstantOp,
             arith::BitcastOp, arith::ExtFOp, arith::TruncFOp, arith::SIToFPOp,
             arith::UIToFPOp, arith::FPToSIOp, arith::FPToUIOp, math::AbsFOp,
             math::CopySignOp>(op);
}

bool touchesFloat(Operation *op) {
  auto isFloat = [](Type t) { return floatElement(t) != nullptr; };
  return llvm::any_of(op->getOperandTypes(), isFloat) ||
         llvm::any_of(op->getResultTypes(), isFloat);
}

bool needsExpansion(Operation *op) {
  Dialect *dialect = op->getDialect();
  if (!dialect || !isa<arith::ArithDialect, math::MathDialect>(dialect))
    return false;
  return touchesFloat(op) && !isReproducible(op);
}

bool isExpandable(Operation *op) {
  return isa<arith::DivFOp, math::SqrtOp, math::RsqrtOp, math::ExpOp,
             math::LogOp, math::TanhOp, math::ErfOp, math::PowFOp,
             arith::MaximumFOp, arith::MinimumFOp, arith::MaxNumFOp,
             arith::MinNumFOp>(op);
}

/// Rewrites one op: f16 / bf16 operands go through f32.
LogicalResult rewrite(Operation *op) {
  if (!isExpandable(op))
    return failure();
  Type resultType = op->getResult(0).getType();
  FloatType element = floatElement(resultType);
  if (!element || !(element.isF32() || element.isF16() || element.isBF16()))
    return failure();
  OpBuilder b(op);
  Location loc = op->getLoc();
  Type f32Type = b.getF32Type();
  if (auto vec = dyn_cast<VectorType>(resultType))
    f32Type = vec.clone(f32Type);
  SmallVector<Value> args;
  for (Value operand : op->getOperands())
    args.push_back(element.isF32()
                       ? operand
                       : arith::ExtFOp::create(b, loc, f32Type, operand));
  Emitter em(b, loc, f32Type);
  Value result = expandF32(em, op, args);
  if (!element.isF32())
    result = arith::TruncFOp::create(b, loc, resultType, result);
  op->getResult(0).replaceAllUsesWith(result);
  op->erase();
  return success();
}

struct HetcReproducibleMathPass
    : mlir::hetc::impl::HetcReproducibleMathBase<HetcReproducibleMathPass> {
  void runOnOperation() override {
    if (failed(generalizeNamedOps()))
      return signalPassFailure();
    pinPositiveZeroConversions();
    roundHalfArithmetic();
    SmallVector<Operation *> todo;
    getOperation()->walk([&](Operation *op) {
      if (needsExpansion(op))
        todo.push_back(op);
    });
    bool failedAny = false;
    for (Operation *op : todo) {
      if (succeeded(rewrite(op)))
        continue;
      op->emitError() << "hetc-reproducible-math: '" << op->getName()
                      << "' has no reproducible expansion (supported: "
                         "arith.divf/maximumf/minimumf/maxnumf/minnumf, "
                         "math.exp/log/sqrt/rsqrt/tanh/erf/powf on "
                         "f32/f16/bf16)";
      failedAny = true;
    }
    if (failedAny)
      signalPassFailure();
  }

  /// An integer converted to float is never -0, but lavapipe folds
  /// sitofp(fptosi(x)) into trunc(x), which is -0 for x in (-1, 0). The
  /// conversion's f32 result has -0's bits replaced by +0's, on the
  /// integer side, where no float folding reaches.
  void pinPositiveZeroConversions() {
    SmallVector<Operation *> conversions;
    getOperation()->walk([&](Operation *op) {
      FloatType element = op->getNumResults()
                              ? floatElement(op->getResult(0).getType())
                              : FloatType();
      if (isa<arith::SIToFPOp, arith::UIToFPOp>(op) && element &&
          element.isF32())
        conversions.push_back(op);
    });
    for (Operation *op : conversions) {
      OpBuilder b(op->getContext());
      b.setInsertionPointAfter(op);
      Value converted = op->getResult(0);
      Emitter em(b, op->getLoc(), converted.getType());
      Value bits = em.bits(converted);
      Value pinned =
          em.fromBits(em.sel(em.ieq(bits, em.i(kSignBit)), em.i(0), bits));
      converted.replaceAllUsesExcept(pinned, bits.getDefiningOp());
    }
  }

  /// f16 / bf16 add, sub and mul become f32 ops rounded back once, in the
  /// IR: a target that holds half values in f32 (Vulkan without Float16)
  /// then rounds after each op as the cpu does. f32 holds the exact sum or
  /// product's rounding to 11 (8) bits: 24 >= 2 * 11 + 2, so rounding
  /// twice equals rounding once.
  void roundHalfArithmetic() {
    SmallVector<Operation *> halves;
    getOperation()->walk([&](Operation *op) {
      if (!isa<arith::AddFOp, arith::SubFOp, arith::MulFOp>(op))
        return;
      FloatType element = floatElement(op->getResult(0).getType());
      if (element && (element.isF16() || element.isBF16()))
        halves.push_back(op);
    });
    for (Operation *op : halves) {
      OpBuilder b(op);
      Location loc = op->getLoc();
      Type type = op->getResult(0).getType();
      Type wide = b.getF32Type();
      if (auto vec = dyn_cast<VectorType>(type))
        wide = vec.clone(wide);
      SmallVector<Value> args;
      for (Value operand : op->getOperands())
        args.push_back(arith::ExtFOp::create(b, loc, wide, operand));
      OperationState state(loc, op->getName(), args, {wide}, op->getAttrs());
      Value result = b.create(state)->getResult(0);
      op->getResult(0).replaceAllUsesWith(
          arith::TruncFOp::create(b, loc, type, result));
      op->erase();
    }
  }

  /// A named linalg op's body is rebuilt from its definition, so one whose
  /// body needs an expansion becomes a linalg.generic first.
  LogicalResult generalizeNamedOps() {
    SmallVector<linalg::LinalgOp> named;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (isa<linalg::GenericOp>(op.getOperation()))
        return;
      bool needs = false;
      op->walk([&](Operation *inner) { needs |= needsExpansion(inner); });
      if (needs)
        named.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : named) {
      rewriter.setInsertionPoint(op);
      if (failed(linalg::generalizeNamedOp(rewriter, op)))
        return op->emitError() << "hetc-reproducible-math: cannot generalize '"
                               << op->getName() << "' to expand its body";
    }
    return success();
  }
};

} // namespace
