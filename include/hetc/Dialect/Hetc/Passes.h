//===- Passes.h - hetc dialect passes ---------------------------*- C++ -*-===//

#ifndef HETC_DIALECT_HETC_PASSES_H
#define HETC_DIALECT_HETC_PASSES_H

#include "hetc/Dialect/Hetc/HetcDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::func {
class FuncOp;
} // namespace mlir::func

namespace mlir::hetc {

#define GEN_PASS_DECL
#include "hetc/Dialect/Hetc/Passes.h.inc"

/// Returns true when `fn` declares a model: it has a hetc.param argument.
bool isModelFunction(func::FuncOp fn);

#define GEN_PASS_REGISTRATION
#include "hetc/Dialect/Hetc/Passes.h.inc"

} // namespace mlir::hetc

#endif // HETC_DIALECT_HETC_PASSES_H
