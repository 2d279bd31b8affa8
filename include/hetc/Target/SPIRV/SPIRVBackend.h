//===- SPIRVBackend.h - the Vulkan and Level Zero targets -------*- C++ -*-===//

#ifndef HETC_TARGET_SPIRV_SPIRVBACKEND_H
#define HETC_TARGET_SPIRV_SPIRVBACKEND_H

namespace mlir::hetc {

/// Registers "vulkan" (SPIR-V shaders: the Shader capability, storage
/// buffers) and "level-zero" (SPIR-V kernels: the Kernel capability,
/// physical addressing, the OpenCL flavour Level Zero consumes).
void registerSPIRVTargetBackends();

} // namespace mlir::hetc

#endif // HETC_TARGET_SPIRV_SPIRVBACKEND_H
