//===- Backends.h - the built-in target backends ----------------*- C++ -*-===//
//
// Each backend lives in its own library (lib/Target/<backend>) and exports
// one factory; registerAllTargetBackends registers what they create by name.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_TARGET_BACKENDS_H
#define HETC_TARGET_BACKENDS_H

#include <memory>

namespace mlir::hetc {

class TargetBackend;

/// "cpu": LLVM for the host, linked into a shared object.
std::unique_ptr<TargetBackend> createCPUTargetBackend();

/// "cuda": NVVM, then PTX and a cubin through ptxas.
std::unique_ptr<TargetBackend> createNVVMTargetBackend();

/// "rocm": ROCDL, then an HSACO linked with the ROCm device libraries and
/// ld.lld.
std::unique_ptr<TargetBackend> createROCDLTargetBackend();

/// "vulkan": SPIR-V shaders (the Shader capability, storage buffers).
std::unique_ptr<TargetBackend> createVulkanTargetBackend();

/// "level-zero": SPIR-V kernels (the Kernel capability, physical
/// addressing, the OpenCL flavour Level Zero consumes).
std::unique_ptr<TargetBackend> createLevelZeroTargetBackend();

} // namespace mlir::hetc

#endif // HETC_TARGET_BACKENDS_H
