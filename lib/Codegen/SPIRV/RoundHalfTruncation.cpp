//===- RoundHalfTruncation.cpp - f32 to f16 rounding where f16 is f32 -----===//

#include "hetc/Codegen/SPIRV/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <limits>

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCSPIRVROUNDHALFTRUNCATION
#include "hetc/Codegen/SPIRV/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {

/// `x` rounded to the nearest f16 value (ties to even, f16 subnormals and
/// overflow to infinity included), still as f32, from exact operations:
/// (|x| + c) - c with c = 2^(e + 13) (at least 2^-1) rounds |x|, whose
/// exponent is e, to a multiple of the f16 quantum 2^(e - 10) (2^-24).
Value roundToHalf(OpBuilder &b, Location loc, Value x) {
  Type i32 = b.getI32Type(), f32 = b.getF32Type();
  auto int32 = [&](int64_t v) {
    return arith::ConstantIntOp::create(b, loc, i32, v).getResult();
  };
  auto float32 = [&](float v) {
    return arith::ConstantFloatOp::create(b, loc, cast<FloatType>(f32),
                                          APFloat(v))
        .getResult();
  };
  Value bits = arith::BitcastOp::create(b, loc, i32, x);
  Value sign = arith::AndIOp::create(b, loc, bits, int32(0x80000000));
  Value absBits = arith::AndIOp::create(b, loc, bits, int32(0x7fffffff));
  Value abs = arith::BitcastOp::create(b, loc, f32, absBits);
  Value exponent = arith::AndIOp::create(b, loc, absBits, int32(0x7f800000));
  Value scaled = arith::AddIOp::create(b, loc, exponent, int32(13 << 23));
  // Also past the f16 range, where the sum overflows: replaced below.
  Value cBits = arith::MaxSIOp::create(b, loc, scaled, int32(0x3f000000));
  Value c = arith::BitcastOp::create(b, loc, f32, cBits);
  Value sum = arith::AddFOp::create(b, loc, abs, c);
  Value rounded = arith::SubFOp::create(b, loc, sum, c);
  // 65520 and above round to 65536: infinity in f16.
  Value overflows = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE,
                                          abs, float32(65520.0f));
  Value magnitude = arith::SelectOp::create(
      b, loc, overflows, float32(std::numeric_limits<float>::infinity()),
      rounded);
  Value magnitudeBits = arith::BitcastOp::create(b, loc, i32, magnitude);
  Value withSign = arith::OrIOp::create(b, loc, magnitudeBits, sign);
  return arith::BitcastOp::create(b, loc, f32, withSign);
}

struct HetcSPIRVRoundHalfTruncationPass
    : mlir::hetc::impl::HetcSPIRVRoundHalfTruncationBase<
          HetcSPIRVRoundHalfTruncationPass> {
  void runOnOperation() override {
    getOperation().walk([](arith::TruncFOp trunc) {
      if (!trunc.getIn().getType().isF32() || !trunc.getType().isF16())
        return;
      OpBuilder b(trunc);
      Value rounded = roundToHalf(b, trunc.getLoc(), trunc.getIn());
      trunc.getInMutable().assign(rounded);
    });
  }
};

} // namespace
