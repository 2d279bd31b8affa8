//===- HetcToLinalg.cpp - the convert-hetc-to-linalg pass -----------------===//

#include "hetc/Conversion/HetcToLinalg/HetcToLinalg.h"
#include "hetc/Conversion/Passes.h"

#include "Utils.h"

#include "hetc/Dialect/Hetc/HetcOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_CONVERTHETCTOLINALG
#include "hetc/Conversion/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

void mlir::hetc::populateHetcToLinalgConversionPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  populateElementwisePatterns(converter, patterns);
  populateReductionPatterns(converter, patterns);
  populateShapePatterns(converter, patterns);
  populateNNPatterns(converter, patterns);
  populateLossPatterns(converter, patterns);
  populateGradientPatterns(converter, patterns);
  populateExtraPatterns(converter, patterns);
  populateConvPatterns(converter, patterns);
}

/// Reductions (and the contractions of matmul and convolution) accumulate
/// in the element type. In f16 and bf16 a sum over
/// more than 2048 elements stops being exact (and a mean over more than
/// 65504 divides by infinity), so such reductions are refused instead of
/// silently computing a wrong result.
static constexpr int64_t kMaxLowPrecisionReduction = 2048;

static LogicalResult checkLowPrecisionReductions(ModuleOp module) {
  bool ok = true;
  module.walk([&](Operation *op) {
    if (!isa<HetcDialect>(op->getDialect()) || op->getNumOperands() == 0)
      return;
    auto input = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
    if (!input || !isa<Float16Type, BFloat16Type>(input.getElementType()))
      return;
    int64_t reduced = 0;
    if (auto r = dyn_cast<ReduceSumOp>(op))
      reduced = lowering::product(
          input.getShape(),
          lowering::normalizeAxes(r.getAxes(), input.getRank()));
    else if (auto r = dyn_cast<ReduceMeanOp>(op))
      reduced = lowering::product(
          input.getShape(),
          lowering::normalizeAxes(r.getAxes(), input.getRank()));
    else if (isa<MseOp, LayerNormOp>(op))
      reduced = input.getNumElements();
    else if (isa<BatchNormOp>(op))
      reduced = input.getNumElements() / input.getDimSize(1);
    else if (isa<CrossEntropyOp>(op))
      reduced = std::max(input.getDimSize(0), input.getDimSize(1));
    else if (auto s = dyn_cast<SoftmaxOp>(op))
      reduced = input.getDimSize(lowering::normalizeAxes(
          {static_cast<int64_t>(s.getAxis())}, input.getRank())[0]);
    else if (auto s = dyn_cast<LogSoftmaxOp>(op))
      reduced = input.getDimSize(lowering::normalizeAxes(
          {static_cast<int64_t>(s.getAxis())}, input.getRank())[0]);
    else if (auto m = dyn_cast<MatmulOp>(op))
      reduced =
          input.getDimSize(input.getRank() - (m.getTransposeLhs() ? 2 : 1));
    else if (auto c = dyn_cast<Conv2DOp>(op))
      reduced = c.getWeight().getType().getNumElements() /
                c.getWeight().getType().getDimSize(0);
    else if (auto c = dyn_cast<ConvTranspose2DOp>(op))
      // Each output sums C_in / groups * KH * KW products.
      reduced = c.getWeight().getType().getNumElements() /
                (c.getWeight().getType().getDimSize(1) * c.getGroups());
    else if (auto c = dyn_cast<Conv2DBackwardWeightOp>(op))
      reduced = c.getGradOutput().getType().getNumElements() /
                c.getGradOutput().getType().getDimSize(1);
    if (reduced > kMaxLowPrecisionReduction) {
      op->emitOpError() << "reduces " << reduced << " "
                        << input.getElementType() << " elements, more than the "
                        << kMaxLowPrecisionReduction
                        << " hetc can sum exactly in that type (reductions "
                           "accumulate in the element type); use f32";
      ok = false;
    }
  });
  return success(ok);
}

namespace {
struct ConvertHetcToLinalgPass
    : mlir::hetc::impl::ConvertHetcToLinalgBase<ConvertHetcToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    if (failed(checkLowPrecisionReductions(getOperation())))
      return signalPassFailure();
    // Tensors stay tensors: the converter is the identity.
    TypeConverter converter;
    converter.addConversion([](Type type) { return type; });

    ConversionTarget target(*ctx);
    target.addIllegalDialect<HetcDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, scf::SCFDialect,
                           tensor::TensorDialect, func::FuncDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });

    RewritePatternSet patterns(ctx);
    populateHetcToLinalgConversionPatterns(converter, patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
