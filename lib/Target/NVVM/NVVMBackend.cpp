//===- NVVMBackend.cpp - the NVIDIA target --------------------------------===//
//
// The shared GPU lowering, then NVVM with bare-pointer kernel arguments (one
// device pointer per buffer, as the CUDA driver passes them). The artifact
// embeds both the cubin for the requested chip and the PTX, so a newer GPU
// (or one the cubin does not match) can JIT the PTX.
//
//===----------------------------------------------------------------------===//

#include "hetc/Target/Backends.h"

#include "hetc/Target/GPU/GPUCommon.h"
#include "hetc/Target/TargetBackend.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

using namespace mlir;
using namespace mlir::hetc;

namespace {

constexpr llvm::StringLiteral kDefaultChip = "sm_80";
/// What ptxas in the CUDA 13 toolkit accepts (it dropped sm_5x to sm_72).
const llvm::StringRef kChips[] = {"sm_75", "sm_80",  "sm_86",  "sm_87", "sm_89",
                                  "sm_90", "sm_90a", "sm_100", "sm_120"};

/// The CUDA toolkit: $CUDA_HOME, else /usr/local/cuda.
std::string toolkitPath() {
  if (std::optional<std::string> home = llvm::sys::Process::GetEnv("CUDA_HOME"))
    return *home;
  return "/usr/local/cuda";
}

/// The lowest PTX ISA version that supports `chip`.
llvm::StringRef ptxFeature(llvm::StringRef chip) {
  if (chip == "sm_100")
    return "+ptx86";
  if (chip == "sm_120")
    return "+ptx87";
  return "+ptx80";
}

/// The kernel module to NVVM: structured control flow goes first, since
/// convert-gpu-to-nvvm leaves scf ops it does not lower. `reproducible`
/// keeps ptxas from contracting multiplies and adds into fma.
void addDevicePasses(OpPassManager &pm, llvm::StringRef chip,
                     bool reproducible) {
  GpuNVVMAttachTargetOptions target;
  if (reproducible)
    target.cmdOptions = "--fmad=false";
  target.moduleMatcher = kKernelModuleName.str();
  target.chip = chip.str();
  target.features = ptxFeature(chip).str();
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(arith::createArithExpandOpsPass());
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(createConvertNVGPUToNVVMPass());
  ConvertGpuOpsToNVVMOpsOptions toNVVM;
  // One device pointer per buffer, as the CUDA driver passes them.
  toNVVM.useBarePtrCallConv = true;
  kernels.addPass(createConvertGpuOpsToNVVMOps(toNVVM));
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
}

class NVVMBackend final : public TargetBackend {
public:
  llvm::StringRef getName() const override { return "cuda"; }
  llvm::StringRef getDescription() const override {
    return "NVIDIA GPUs through NVVM (PTX and a cubin from ptxas)";
  }

  LogicalResult checkToolchain(Location loc,
                               const TargetOptions &options) const override {
    if (failed(checkChip(loc, getName(), resolveGPUChip(options, kDefaultChip),
                         kChips)))
      return failure();
    std::string toolkit = toolkitPath();
    for (llvm::StringRef piece :
         {"bin/ptxas", "nvvm/libdevice/libdevice.10.bc"}) {
      llvm::SmallString<128> path(toolkit);
      llvm::sys::path::append(path, piece);
      if (!llvm::sys::fs::exists(path))
        return emitError(loc)
               << "the cuda target needs " << path
               << ", which is missing: install the CUDA toolkit at "
                  "/usr/local/cuda or point CUDA_HOME at it";
    }
    return success();
  }

  LogicalResult buildPipeline(OpPassManager &pm,
                              const TargetOptions &options) const override {
    std::string chip = resolveGPUChip(options, kDefaultChip);
    // Turing (sm_75) has no TF32 MMA. TF32 rounds the operands, and the
    // MMA's internal order is the hardware's: none in reproducible mode.
    buildGPUCodegenPipeline(
        pm, {/*nvidiaTensorCores=*/chip != "sm_75" && !options.reproducible,
             /*reproducible=*/options.reproducible});
    addDevicePasses(pm, chip, options.reproducible);
    return success();
  }

  FailureOr<SerializedTarget>
  serialize(ModuleOp module, const TargetOptions &options, EmitStage stage,
            llvm::raw_ostream &debugOut) const override {
    // PTX from a copy: gpu-module-to-binary replaces the module it reads.
    OwningOpRef<ModuleOp> ptxModule(module.clone());
    FailureOr<std::string> ptx =
        serializeKernelModule(*ptxModule, "isa", toolkitPath());
    if (failed(ptx))
      return failure();
    if (stage == EmitStage::Asm || stage == EmitStage::LLVM) {
      debugOut << *ptx;
      return SerializedTarget();
    }
    FailureOr<std::string> cubin =
        serializeKernelModule(module, "bin", toolkitPath());
    if (failed(cubin))
      return failure();
    if (stage == EmitStage::Object) {
      debugOut << *cubin;
      return SerializedTarget();
    }
    return packageGPUTarget(
        module, resolveGPUChip(options, kDefaultChip),
        {{"cubin", std::move(*cubin)}, {"ptx", std::move(*ptx)}});
  }
};

} // namespace

std::unique_ptr<TargetBackend> mlir::hetc::createNVVMTargetBackend() {
  return std::make_unique<NVVMBackend>();
}
