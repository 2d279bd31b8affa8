//===- PrepareKernels.cpp - kernels in the form SPIR-V conversion takes ---===//

#include "hetc/Codegen/SPIRV/Passes.h"

#include "mlir/Dialect/SPIRV/IR/TargetAndABI.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCSPIRVPREPAREKERNELS
#include "hetc/Codegen/SPIRV/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {

/// The memory space SPIR-V's Vulkan and OpenCL mappings read as Workgroup.
constexpr unsigned kWorkgroupMemorySpace = 3;

void attributionsToAllocs(gpu::GPUFuncOp kernel) {
  unsigned count = kernel.getNumWorkgroupAttributions();
  if (count == 0)
    return;
  Block &entry = kernel.getBody().front();
  OpBuilder builder(&entry, entry.begin());
  unsigned first = kernel.getFirstWorkgroupAttributionIndex();
  for (unsigned i = 0; i < count; ++i) {
    BlockArgument arg = entry.getArgument(first + i);
    auto type = cast<MemRefType>(arg.getType());
    auto allocType = MemRefType::get(
        type.getShape(), type.getElementType(), type.getLayout(),
        builder.getI64IntegerAttr(kWorkgroupMemorySpace));
    Value alloc = memref::AllocOp::create(builder, arg.getLoc(), allocType);
    // Only loads and stores use the tiles, so the type change is local.
    arg.replaceAllUsesWith(alloc);
  }
  entry.eraseArguments(first, count);
  kernel->setAttr(kernel.getNumWorkgroupAttributionsAttrName(),
                  builder.getI64IntegerAttr(0));
}

struct HetcSPIRVPrepareKernelsPass
    : mlir::hetc::impl::HetcSPIRVPrepareKernelsBase<
          HetcSPIRVPrepareKernelsPass> {
  void runOnOperation() override {
    gpu::GPUModuleOp module = getOperation();
    // Patterns outside convert-gpu-to-spirv (math) look the target up in
    // this attribute, not in the module's targets list.
    if (ArrayAttr targets = module.getTargetsAttr())
      for (Attribute target : targets)
        if (auto env = dyn_cast<spirv::TargetEnvAttr>(target))
          module->setAttr(spirv::getTargetEnvAttrName(), env);
    for (auto kernel : module.getOps<gpu::GPUFuncOp>()) {
      if (!kernel.isKernel())
        continue;
      std::optional<ArrayRef<int32_t>> block = kernel.getKnownBlockSize();
      if (!block) {
        kernel.emitOpError("has no constant block size; SPIR-V needs one");
        return signalPassFailure();
      }
      kernel->setAttr(spirv::getEntryPointABIAttrName(),
                      spirv::getEntryPointABIAttr(&getContext(), *block));
      attributionsToAllocs(kernel);
    }
  }
};

} // namespace
