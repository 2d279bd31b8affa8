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

namespace {
struct ConvertHetcToLinalgPass
    : mlir::hetc::impl::ConvertHetcToLinalgBase<ConvertHetcToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
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
