//===- NVVMBackend.h - the NVIDIA target ------------------------*- C++ -*-===//

#ifndef HETC_TARGET_NVVM_NVVMBACKEND_H
#define HETC_TARGET_NVVM_NVVMBACKEND_H

#include <memory>

namespace mlir::hetc {

class TargetBackend;

/// "cuda": NVVM, then PTX and a cubin through ptxas.
std::unique_ptr<TargetBackend> createNVVMTargetBackend();

} // namespace mlir::hetc

#endif // HETC_TARGET_NVVM_NVVMBACKEND_H
