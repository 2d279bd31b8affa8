//===- ExpandMath.cpp - polynomials for math ops a device lacks -----------===//

#include "hetc/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCGPUEXPANDMATH
#include "hetc/Codegen/GPU/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {
struct HetcGPUExpandMathPass
    : mlir::hetc::impl::HetcGPUExpandMathBase<HetcGPUExpandMathPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    if (erf)
      populatePolynomialApproximateErfPattern(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
