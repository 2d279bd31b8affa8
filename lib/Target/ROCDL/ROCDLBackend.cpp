//===- ROCDLBackend.cpp - the AMD target ----------------------------------===//
//
// The shared GPU lowering, then ROCDL with bare-pointer kernel arguments,
// then an HSACO (an AMDGPU ELF code object) linked by ld.lld against the
// ROCm device libraries. MLIR reads both from one toolkit folder, which the
// build assembles (lib/Target/ROCDL/Toolkit.cmake); HETC_ROCM_TOOLKIT
// points elsewhere.
//
//===----------------------------------------------------------------------===//

#include "hetc/Target/ROCDL/ROCDLBackend.h"

#include "hetc/Target/GPU/GPUCommon.h"
#include "hetc/Target/TargetBackend.h"

#include "mlir/Pass/PassRegistry.h"
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
    buildGPUCommonPipeline(pm);
    std::string target = resolveGPUChip(options, kDefaultChip);
    // RDNA (gfx10, gfx11) runs 32-wide waves; CDNA 64-wide.
    bool wave64 = !llvm::StringRef(target).starts_with("gfx1");
    std::string device =
        "rocdl-attach-target{module=hetc_kernels chip=" + target +
        " O=3 abi=500 wave64=" + (wave64 ? "true" : "false") +
        "},"
        // Math through the OCML library first: the generic math-to-LLVM
        // patterns convert-gpu-to-rocdl also holds would emit intrinsics
        // (llvm.tanh) the AMDGPU backend cannot select.
        "convert-math-to-rocdl{chipset=" +
        target +
        "},"
        "gpu.module(arith-expand,convert-scf-to-cf,"
        "convert-gpu-to-rocdl{chipset=" +
        target +
        " use-bare-ptr-memref-call-conv=true},"
        "canonicalize,cse,reconcile-unrealized-casts)";
    return parsePassPipeline(device, pm, llvm::errs());
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

void mlir::hetc::registerROCDLTargetBackend() {
  registerTargetBackend(std::make_unique<ROCDLBackend>());
}
