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

/// Decorates every float arithmetic op NoContraction (the Shader way).
void decorateArithmetic(spirv::ModuleOp module) {
  // The serializer writes a unit attribute named after a decoration, in
  // snake case, as that decoration.
  MLIRContext *context = module.getContext();
  StringAttr name = StringAttr::get(
      context, llvm::convertToSnakeFromCamelCase(spirv::stringifyDecoration(
                   spirv::Decoration::NoContraction)));
  UnitAttr unit = UnitAttr::get(context);
  module.walk([&](Operation *op) {
    if (isa<spirv::FAddOp, spirv::FSubOp, spirv::FMulOp, spirv::FDivOp,
            spirv::FRemOp, spirv::FModOp, spirv::FNegateOp>(op))
      op->setAttr(name, unit);
  });
}

/// Gives every kernel entry point the ContractionOff execution mode (the
/// OpenCL way: NoContraction needs the Shader capability).
void turnContractionOff(spirv::ModuleOp module) {
  OpBuilder builder(module.getContext());
  for (auto entry : llvm::to_vector(module.getOps<spirv::EntryPointOp>())) {
    auto fn = module.lookupSymbol<spirv::FuncOp>(entry.getFn());
    if (!fn || entry.getExecutionModel() != spirv::ExecutionModel::Kernel)
      continue;
    builder.setInsertionPointAfter(entry);
    spirv::ExecutionModeOp::create(builder, entry.getLoc(), fn,
                                   spirv::ExecutionMode::ContractionOff, {});
  }
}

struct HetcSPIRVNoContractionPass
    : mlir::hetc::impl::HetcSPIRVNoContractionBase<HetcSPIRVNoContractionPass> {
  void runOnOperation() override {
    spirv::ModuleOp module = getOperation();
    if (module.getMemoryModel() == spirv::MemoryModel::OpenCL)
      turnContractionOff(module);
    else
      decorateArithmetic(module);
  }
};

} // namespace
