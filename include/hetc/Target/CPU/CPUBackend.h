//===- CPUBackend.h - the host CPU target -----------------------*- C++ -*-===//

#ifndef HETC_TARGET_CPU_CPUBACKEND_H
#define HETC_TARGET_CPU_CPUBACKEND_H

#include <memory>

namespace mlir::hetc {

class TargetBackend;

/// The "cpu" backend: LLVM for the host, linked into a shared object.
std::unique_ptr<TargetBackend> createCPUTargetBackend();

} // namespace mlir::hetc

#endif // HETC_TARGET_CPU_CPUBACKEND_H
