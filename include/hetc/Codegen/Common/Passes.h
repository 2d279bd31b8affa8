//===- Passes.h - passes every target pipeline shares -----------*- C++ -*-===//
//
// The passes that apply the train-step aliasing contract around
// bufferization and the copy lowering every target needs.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_CODEGEN_COMMON_PASSES_H
#define HETC_CODEGEN_COMMON_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::hetc {

#define GEN_PASS_DECL
#include "hetc/Codegen/Common/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "hetc/Codegen/Common/Passes.h.inc"

/// Adds the passes from linalg on tensors to buffers that every target
/// runs: one-shot bufferization of whole functions with identity layouts at
/// their boundaries, updated state written in place (hetc-drop-tied-results)
/// and results returned through out-parameters.
void addBufferizationPasses(OpPassManager &pm);

} // namespace mlir::hetc

#endif // HETC_CODEGEN_COMMON_PASSES_H
