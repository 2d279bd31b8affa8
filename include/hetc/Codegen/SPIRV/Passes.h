//===- Passes.h - the SPIR-V code generation passes -------------*- C++ -*-===//

#ifndef HETC_CODEGEN_SPIRV_PASSES_H
#define HETC_CODEGEN_SPIRV_PASSES_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVDialect.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::hetc {

#define GEN_PASS_DECL
#include "hetc/Codegen/SPIRV/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "hetc/Codegen/SPIRV/Passes.h.inc"

} // namespace mlir::hetc

#endif // HETC_CODEGEN_SPIRV_PASSES_H
