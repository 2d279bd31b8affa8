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

#include "hetc/Target/Backends.h"

#include "hetc/Target/GPU/GPUCommon.h"
#include "hetc/Target/TargetBackend.h"

#include "hetc/Codegen/SPIRV/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Dialect/SPIRV/Transforms/Passes.h"
#include "mlir/Target/SPIRV/Serialization.h"

using namespace mlir;
using namespace mlir::hetc;

namespace {

enum class Flavour { Vulkan, OpenCL };

/// The SPIR-V target environment of each flavour.
GpuSPIRVAttachTargetOptions attachOptions(Flavour flavour) {
  GpuSPIRVAttachTargetOptions target{};
  target.moduleMatcher = kKernelModuleName.str();
  if (flavour == Flavour::Vulkan) {
    target.spirvVersion = "v1.3";
    target.spirvCapabilities = {"Shader", "Int64"};
    target.spirvExtensions = {"SPV_KHR_storage_buffer_storage_class"};
    target.clientApi = "Vulkan";
  } else {
    target.spirvVersion = "v1.0";
    target.spirvCapabilities = {"Addresses", "Int64", "Kernel"};
    target.clientApi = "OpenCL";
  }
  return target;
}

/// convert-gpu-to-spirv; OpenCL kernels index with 64 bits.
FailureOr<std::unique_ptr<Pass>> createGPUToSPIRVPass(Flavour flavour) {
  std::unique_ptr<Pass> pass = createConvertGPUToSPIRVPass();
  // MLIR 22 has no typed constructor for this one option.
  if (flavour == Flavour::OpenCL &&
      failed(pass->initializeOptions("use-64bit-index=true",
                                     [](const Twine &) { return failure(); })))
    return failure();
  return pass;
}

/// The kernel module to one SPIR-V module with the ABI of `flavour`;
/// `reproducible` forbids the consumer to contract multiplies and adds.
LogicalResult addDevicePasses(OpPassManager &pm, Flavour flavour,
                              bool reproducible) {
  pm.addPass(createGpuSPIRVAttachTarget(attachOptions(flavour)));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createHetcSPIRVPrepareKernels());
  HetcGPUExpandMathOptions expand;
  // GLSL has no erf; OpenCL has.
  expand.erf = flavour == Flavour::Vulkan;
  kernels.addPass(createHetcGPUExpandMath(expand));
  // Vulkan computes f16 in f32 (no Float16 capability): round explicitly.
  if (reproducible && flavour == Flavour::Vulkan)
    kernels.addPass(createHetcSPIRVRoundHalfTruncation());
  kernels.addPass(arith::createArithExpandOpsPass());
  kernels.addPass(createConvertMathToSPIRVPass());
  FailureOr<std::unique_ptr<Pass>> toSPIRV = createGPUToSPIRVPass(flavour);
  if (failed(toSPIRV))
    return failure();
  pm.addPass(std::move(*toSPIRV));
  // Vulkan modules replace their gpu.module; OpenCL ones sit inside it.
  OpPassManager &spirvModule =
      flavour == Flavour::Vulkan
          ? pm.nest<spirv::ModuleOp>()
          : pm.nest<gpu::GPUModuleOp>().nest<spirv::ModuleOp>();
  spirvModule.addPass(spirv::createSPIRVLowerABIAttributesPass());
  if (reproducible)
    spirvModule.addPass(createHetcSPIRVNoContraction());
  spirvModule.addPass(spirv::createSPIRVUpdateVCEPass());
  return success();
}

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
                              const TargetOptions &options) const override {
    buildGPUCodegenPipeline(pm, {/*nvidiaTensorCores=*/false,
                                 /*reproducible=*/options.reproducible});
    return addDevicePasses(pm, flavour, options.reproducible);
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

std::unique_ptr<TargetBackend> mlir::hetc::createVulkanTargetBackend() {
  return std::make_unique<SPIRVBackend>(Flavour::Vulkan);
}

std::unique_ptr<TargetBackend> mlir::hetc::createLevelZeroTargetBackend() {
  return std::make_unique<SPIRVBackend>(Flavour::OpenCL);
}
