//===- IEEEDenormals.cpp - no flush to zero in any kernel -----------------===//

#include "hetc/Codegen/GPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCGPUIEEEDENORMALS
#include "hetc/Codegen/GPU/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {
/// LLVM's spelling of "inputs and outputs keep their subnormals".
constexpr llvm::StringLiteral kIEEE = "ieee,ieee";

struct HetcGPUIEEEDenormalsPass
    : mlir::hetc::impl::HetcGPUIEEEDenormalsBase<HetcGPUIEEEDenormalsPass> {
  using Base::Base;
  void runOnOperation() override {
    StringAttr ieee = StringAttr::get(&getContext(), kIEEE);
    getOperation().walk([&](LLVM::LLVMFuncOp func) {
      func.setDenormalFpMathAttr(ieee);
      func.setDenormalFpMathF32Attr(ieee);
    });
  }
};
} // namespace
