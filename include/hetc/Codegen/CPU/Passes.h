//===- Passes.h - the CPU code generation passes ----------------*- C++ -*-===//
//
// The passes and the pipeline that lower entry functions on linalg tensors
// to the LLVM dialect for the host CPU.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_CODEGEN_CPU_PASSES_H
#define HETC_CODEGEN_CPU_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::hetc {

#define GEN_PASS_DECL
#include "hetc/Codegen/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "hetc/Codegen/CPU/Passes.h.inc"

struct CPUCodegenOptions {
  /// Reproducible mode: the GEMM ukernel accumulates each output in k order
  /// from C, with separate multiplies and adds; hetc's own math.
  bool reproducible = false;
};

/// Adds the CPU lowering from linalg on tensors to the LLVM dialect: entry
/// functions taking one bare pointer per buffer, loops run by OpenMP.
void buildCPUCodegenPipeline(OpPassManager &pm,
                             const CPUCodegenOptions &options);

} // namespace mlir::hetc

#endif // HETC_CODEGEN_CPU_PASSES_H
