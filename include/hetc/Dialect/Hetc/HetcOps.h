//===- HetcOps.h - hetc ops -------------------------------------*- C++ -*-===//
//
// Declares the ops of the hetc dialect.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_DIALECT_HETC_HETCOPS_H
#define HETC_DIALECT_HETC_HETCOPS_H

#include "hetc/Dialect/Hetc/HetcDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::hetc {
/// True for a value of a statically shaped f32, f16 or bf16 tensor type.
bool isFloatTensorValue(Value value);
} // namespace mlir::hetc

#include "hetc/Dialect/Hetc/HetcInterfaces.h.inc"

#define GET_OP_CLASSES
#include "hetc/Dialect/Hetc/HetcOps.h.inc"

#endif // HETC_DIALECT_HETC_HETCOPS_H
