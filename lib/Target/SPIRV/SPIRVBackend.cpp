//===- SPIRVBackend.cpp - the Vulkan and Level Zero targets ---------------===//
//
// Both targets share the GPU lowering and differ in the SPIR-V flavour:
// Vulkan consumes shaders (Shader capability, logical addressing, buffers
// bound through descriptor sets, workgroup size fixed per entry point);
// Level Zero consumes OpenCL-style kernels (Kernel capability, physical
// 64-bit pointers passed as kernel arguments). The artifact carries one
// SPIR-V module, section "spirv", with one entry point per kernel.
//
//===----------------------------------------------------------------------===//

#include "hetc/Target/SPIRV/SPIRVBackend.h"

#include "hetc/Target/GPU/GPUCommon.h"
#include "hetc/Target/TargetBackend.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/SPIRV/Serialization.h"

using namespace mlir;
using namespace mlir::hetc;

namespace {

enum class Flavour { Vulkan, OpenCL };

class SPIRVBackend final : public TargetBackend {
public:
  explicit SPIRVBackend(Flavour flavour) : flavour(flavour) {}

  llvm::StringRef getName() const override {
    return flavour == Flavour::Vulkan ? "vulkan" : "level-zero";
  }
  llvm::StringRef getDescription() const override {
    return flavour == Flavour::Vulkan
               ? "Vulkan compute shaders (SPIR-V, Shader capability)"
               : "Intel GPUs through Level Zero (SPIR-V, Kernel capability)";
  }

  LogicalResult checkToolchain(Location loc,
                               const TargetOptions &options) const override {
    // SPIR-V is produced in-process; the chip is the driver's business.
    if (!options.chip.empty() && options.chip != "generic")
      return emitError(loc)
             << "unknown chip '" << options.chip << "' for the " << getName()
             << " target (valid: generic; SPIR-V is compiled "
                "for the device by its driver)";
    return success();
  }

  LogicalResult buildPipeline(OpPassManager &pm,
                              const TargetOptions &) const override {
    buildGPUCommonPipeline(pm);
    std::string attach =
        flavour == Flavour::Vulkan
            ? "spirv-attach-target{module=hetc_kernels ver=v1.3 "
              "caps=Shader,Int64 exts=SPV_KHR_storage_buffer_storage_class "
              "client_api=Vulkan},"
            : "spirv-attach-target{module=hetc_kernels ver=v1.0 "
              "caps=Addresses,Int64,Kernel client_api=OpenCL},";
    std::string device =
        attach + "gpu.module(hetc-spirv-prepare-kernels," +
        "hetc-gpu-expand-math{erf=" +
        (flavour == Flavour::Vulkan ? "true" : "false") +
        "},arith-expand,convert-math-to-spirv)," +
        "convert-gpu-to-spirv{use-64bit-index=" +
        (flavour == Flavour::Vulkan ? "false" : "true") + "}," +
        (flavour == Flavour::Vulkan
             ? "spirv.module(spirv-lower-abi-attrs,spirv-update-vce)"
             : "gpu.module(spirv.module(spirv-lower-abi-attrs,"
               "spirv-update-vce))");
    return parsePassPipeline(device, pm, llvm::errs());
  }

  FailureOr<SerializedTarget>
  serialize(ModuleOp module, const TargetOptions &, EmitStage stage,
            llvm::raw_ostream &debugOut) const override {
    SmallVector<spirv::ModuleOp> spirvModules;
    module.walk([&](spirv::ModuleOp m) { spirvModules.push_back(m); });
    if (spirvModules.size() != 1)
      return module.emitError()
             << "expected one SPIR-V module after lowering, found "
             << spirvModules.size();
    if (stage == EmitStage::Asm || stage == EmitStage::LLVM) {
      spirvModules.front().print(debugOut);
      debugOut << "\n";
      return SerializedTarget();
    }
    SmallVector<uint32_t> words;
    if (failed(spirv::serialize(spirvModules.front(), words)))
      return spirvModules.front().emitError("cannot serialize to SPIR-V");
    std::string binary(reinterpret_cast<const char *>(words.data()),
                       words.size() * sizeof(uint32_t));
    if (stage == EmitStage::Object) {
      debugOut << binary;
      return SerializedTarget();
    }
    return packageGPUTarget(module, "generic", {{"spirv", std::move(binary)}});
  }

private:
  Flavour flavour;
};

} // namespace

void mlir::hetc::registerSPIRVTargetBackends() {
  registerTargetBackend(std::make_unique<SPIRVBackend>(Flavour::Vulkan));
  registerTargetBackend(std::make_unique<SPIRVBackend>(Flavour::OpenCL));
}
