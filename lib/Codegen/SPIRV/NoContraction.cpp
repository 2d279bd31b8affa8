//===- NoContraction.cpp - no fused multiply-add in SPIR-V consumers ------===//

#include "hetc/Codegen/SPIRV/Passes.h"

#include "llvm/ADT/StringExtras.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCSPIRVNOCONTRACTION
#include "hetc/Codegen/SPIRV/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {

struct HetcSPIRVNoContractionPass
    : mlir::hetc::impl::HetcSPIRVNoContractionBase<HetcSPIRVNoContractionPass> {
  void runOnOperation() override {
    // The serializer writes a unit attribute named after a decoration, in
    // snake case, as that decoration.
    StringAttr name = StringAttr::get(
        &getContext(),
        llvm::convertToSnakeFromCamelCase(
            spirv::stringifyDecoration(spirv::Decoration::NoContraction)));
    UnitAttr unit = UnitAttr::get(&getContext());
    getOperation().walk([&](Operation *op) {
      if (isa<spirv::FAddOp, spirv::FSubOp, spirv::FMulOp, spirv::FDivOp,
              spirv::FRemOp, spirv::FModOp, spirv::FNegateOp>(op))
        op->setAttr(name, unit);
    });
  }
};

} // namespace
