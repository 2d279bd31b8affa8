//===- NVVMBackend.h - the NVIDIA target ------------------------*- C++ -*-===//

#ifndef HETC_TARGET_NVVM_NVVMBACKEND_H
#define HETC_TARGET_NVVM_NVVMBACKEND_H

namespace mlir::hetc {

/// Registers "cuda": NVVM, then PTX and a cubin through ptxas.
void registerNVVMTargetBackend();

} // namespace mlir::hetc

#endif // HETC_TARGET_NVVM_NVVMBACKEND_H
