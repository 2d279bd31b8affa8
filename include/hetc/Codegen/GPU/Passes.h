//===- Passes.h - the GPU code generation passes ----------------*- C++ -*-===//
//
// The passes and the pipeline every GPU target shares: linalg on tensors
// becomes host functions that only allocate buffers and launch kernels, and
// one gpu.module holding every kernel.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_CODEGEN_GPU_PASSES_H
#define HETC_CODEGEN_GPU_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::hetc {

#define GEN_PASS_DECL
#include "hetc/Codegen/GPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "hetc/Codegen/GPU/Passes.h.inc"

/// The name of the gpu.module holding every kernel.
constexpr llvm::StringLiteral kKernelModuleName = "hetc_kernels";

struct GPUCodegenOptions {
  /// Compute large contractions with nvgpu MMAs (NVIDIA sm_80 and newer).
  bool nvidiaTensorCores = false;
  /// Reproducible mode: no split reductions, every output accumulated in
  /// index order from its init by one thread; hetc's own math.
  bool reproducible = false;
};

/// Adds the passes from linalg on tensors to host functions that only
/// launch kernels, and one gpu.module of kernels named kKernelModuleName.
void buildGPUCodegenPipeline(OpPassManager &pm,
                             const GPUCodegenOptions &options);

} // namespace mlir::hetc

#endif // HETC_CODEGEN_GPU_PASSES_H
