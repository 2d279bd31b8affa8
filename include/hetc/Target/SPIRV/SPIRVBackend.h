//===- SPIRVBackend.h - the Vulkan and Level Zero targets -------*- C++ -*-===//

#ifndef HETC_TARGET_SPIRV_SPIRVBACKEND_H
#define HETC_TARGET_SPIRV_SPIRVBACKEND_H

#include <memory>

namespace mlir::hetc {

class TargetBackend;

/// "vulkan": SPIR-V shaders (the Shader capability, storage buffers).
std::unique_ptr<TargetBackend> createVulkanTargetBackend();

/// "level-zero": SPIR-V kernels (the Kernel capability, physical
/// addressing, the OpenCL flavour Level Zero consumes).
std::unique_ptr<TargetBackend> createLevelZeroTargetBackend();

} // namespace mlir::hetc

#endif // HETC_TARGET_SPIRV_SPIRVBACKEND_H
