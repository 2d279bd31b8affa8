//===- CPUBackend.h - the host CPU target -----------------------*- C++ -*-===//

#ifndef HETC_TARGET_CPU_CPUBACKEND_H
#define HETC_TARGET_CPU_CPUBACKEND_H

#include "mlir/Pass/PassManager.h"

namespace mlir::hetc {

/// Registers the "cpu" backend.
void registerCPUTargetBackend();

/// Adds the CPU lowering from linalg on tensors to the LLVM dialect.
LogicalResult buildCPULoweringPipeline(OpPassManager &pm);

} // namespace mlir::hetc

#endif // HETC_TARGET_CPU_CPUBACKEND_H
