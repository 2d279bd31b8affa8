//===- ROCDLBackend.cpp - the AMD target ----------------------------------===//
//
// The shared GPU lowering, then ROCDL with bare-pointer kernel arguments,
// then an HSACO (an AMDGPU ELF code object) linked by ld.lld against the
// ROCm device libraries. MLIR reads both from one toolkit folder, which the
// build assembles (lib/Target/ROCDL/Toolkit.cmake); HETC_ROCM_TOOLKIT
// points elsewhere.
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

constexpr llvm::StringLiteral kDefaultChip = "gfx90a";
const llvm::StringRef kChips[] = {"gfx908", "gfx90a", "gfx942", "gfx1030",
                                  "gfx1100"};

std::string toolkitPath() {
  if (std::optional<std::string> path =
          llvm::sys::Process::GetEnv("HETC_ROCM_TOOLKIT"))
    return *path;
  return HETC_ROCM_TOOLKIT_DIR;
}

/// "gfx90a" -> "90a": the suffix of the device library naming the ISA.
std::string isaVersion(llvm::StringRef chip) {
  return chip.drop_front(3).str();
}

/// The kernel module to ROCDL, with bare-pointer kernel arguments.
void addDevicePasses(OpPassManager &pm, llvm::StringRef chip) {
  GpuROCDLAttachTargetOptions target;
  target.moduleMatcher = kKernelModuleName.str();
  target.chip = chip.str();
  target.optLevel = 3;
  target.abiVersion = "500";
  // RDNA (gfx10, gfx11) runs 32-wide waves; CDNA 64-wide.
  target.wave64Flag = !chip.starts_with("gfx1");
  pm.addPass(createGpuROCDLAttachTarget(target));
  // Math through the OCML library first: the generic math-to-LLVM patterns
  // convert-gpu-to-rocdl also holds would emit intrinsics (llvm.tanh) the
  // AMDGPU backend cannot select.
  ConvertMathToROCDLOptions math;
  math.chipset = chip.str();
  pm.addPass(createConvertMathToROCDL(math));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(arith::createArithExpandOpsPass());
  kernels.addPass(createSCFToControlFlowPass());
  ConvertGpuOpsToROCDLOpsOptions toROCDL;
  toROCDL.chipset = chip.str();
  toROCDL.useBarePtrCallConv = true;
  kernels.addPass(createConvertGpuOpsToROCDLOps(toROCDL));
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
}

class ROCDLBackend final : public TargetBackend {
public:
  llvm::StringRef getName() const override { return "rocm"; }
  llvm::StringRef getDescription() const override {
    return "AMD GPUs through ROCDL (an HSACO linked with the ROCm device "
           "libraries)";
  }

  LogicalResult checkToolchain(Location loc,
                               const TargetOptions &options) const override {
    std::string target = resolveGPUChip(options, kDefaultChip);
    if (failed(checkChip(loc, getName(), target, kChips)))
      return failure();
    struct Piece {
      std::string relative, package;
    } pieces[] = {
        {"llvm/bin/ld.lld", "lld-22"},
        {"amdgcn/bitcode/ocml.bc", "rocm-device-libs"},
        {"amdgcn/bitcode/ockl.bc", "rocm-device-libs"},
        {"amdgcn/bitcode/oclc_isa_version_" + isaVersion(target) + ".bc",
         "rocm-device-libs"},
    };
    for (const Piece &piece : pieces) {
      llvm::SmallString<128> path(toolkitPath());
      llvm::sys::path::append(path, piece.relative);
      if (!llvm::sys::fs::exists(path))
        return emitError(loc)
               << "the rocm target needs " << path
               << ", which is missing: install Debian's " << piece.package
               << " package and reconfigure hetc (the build assembles the "
                  "toolkit folder), or set HETC_ROCM_TOOLKIT";
    }
    return success();
  }

  LogicalResult buildPipeline(OpPassManager &pm,
                              const TargetOptions &options) const override {
    buildGPUCodegenPipeline(pm, {/*nvidiaTensorCores=*/false,
                                 /*reproducible=*/options.reproducible});
    addDevicePasses(pm, resolveGPUChip(options, kDefaultChip));
    return success();
  }

  FailureOr<SerializedTarget>
  serialize(ModuleOp module, const TargetOptions &options, EmitStage stage,
            llvm::raw_ostream &debugOut) const override {
    bool text = stage == EmitStage::Asm || stage == EmitStage::LLVM;
    FailureOr<std::string> code =
        serializeKernelModule(module, text ? "isa" : "bin", toolkitPath());
    if (failed(code))
      return failure();
    if (stage != EmitStage::Artifact) {
      debugOut << *code;
      return SerializedTarget();
    }
    return packageGPUTarget(module, resolveGPUChip(options, kDefaultChip),
                            {{"hsaco", std::move(*code)}});
  }
};

} // namespace

std::unique_ptr<TargetBackend> mlir::hetc::createROCDLTargetBackend() {
  return std::make_unique<ROCDLBackend>();
}
