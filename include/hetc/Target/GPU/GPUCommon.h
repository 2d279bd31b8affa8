//===- GPUCommon.h - the lowering every GPU target shares -------*- C++ -*-===//
//
// The GPU targets share everything up to the device code: the GPU codegen
// pipeline (hetc/Codegen/GPU) leaves host functions that only allocate
// buffers and launch kernels, and one gpu.module holding every kernel. Each
// backend then lowers that module to its device code (SPIR-V, NVVM, ROCDL),
// and the host functions become the artifact's device program: the list of
// launches the runtime replays.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_TARGET_GPU_GPUCOMMON_H
#define HETC_TARGET_GPU_GPUCOMMON_H

#include "hetc/Codegen/GPU/Passes.h"
#include "hetc/Target/TargetBackend.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace mlir::hetc {

/// What the runtime replays: the manifest's "device" object and the bytes
/// of the constants it uploads.
struct DeviceProgram {
  llvm::json::Object manifest;
  std::string constants;
};

/// Reads the host functions left by the common pipeline (only buffer
/// allocations, constants and gpu.launch_func) into a device program.
/// Anything else left on the host is an error naming the op.
FailureOr<DeviceProgram> buildDeviceProgram(ModuleOp module);

/// Runs gpu-module-to-binary with `format` (isa, bin) and `toolkit` on the
/// kernel module and returns the bytes of the object it produced.
FailureOr<std::string> serializeKernelModule(ModuleOp module,
                                             llvm::StringRef format,
                                             llvm::StringRef toolkit);

/// The artifact contents of a GPU target: its device code sections, the
/// device program read off the host functions, and the constants.
FailureOr<SerializedTarget>
packageGPUTarget(ModuleOp module, llvm::StringRef chip,
                 std::vector<ArtifactSection> deviceCode);

/// The chip to compile for: `options.chip`, or `defaultChip` when it is
/// empty or "native" (the compiling machine has no GPU to ask).
std::string resolveGPUChip(const TargetOptions &options,
                           llvm::StringRef defaultChip);

/// Whether `chip` is in `valid`; else an error listing the valid chips.
LogicalResult checkChip(Location loc, llvm::StringRef target,
                        llvm::StringRef chip,
                        llvm::ArrayRef<llvm::StringRef> valid);

} // namespace mlir::hetc

#endif // HETC_TARGET_GPU_GPUCOMMON_H
