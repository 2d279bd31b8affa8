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

struct VjpBuilder;

/// DifferentiableOpInterface::emitVjp's default: one null gradient per
/// operand of `op`, then `rule` (the op's buildVjp) when some is needed.
LogicalResult
emitVjpWithRule(Operation *op, OpBuilder &builder, ValueRange resultGrads,
                ArrayRef<bool> needed, SmallVectorImpl<Value> &operandGrads,
                llvm::function_ref<LogicalResult(VjpBuilder &)> rule);

/// Refuses an AccumulatingOpInterface op whose f16 or bf16 sums are too
/// long to be exact (see the interface).
LogicalResult verifyLowPrecisionAccumulation(Operation *op);

/// Op trait: rematerialization may recompute the op next to its backward
/// users (see Hetc_CheapToRecompute in HetcInterfaces.td).
template <typename ConcreteType>
class CheapToRecompute
    : public ::mlir::OpTrait::TraitBase<ConcreteType, CheapToRecompute> {};
} // namespace mlir::hetc

#include "hetc/Dialect/Hetc/HetcInterfaces.h.inc"

#define GET_OP_CLASSES
#include "hetc/Dialect/Hetc/HetcOps.h.inc"

#endif // HETC_DIALECT_HETC_HETCOPS_H
