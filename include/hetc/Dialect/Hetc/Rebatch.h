//===- Rebatch.h - ops across batch sizes -----------------------*- C++ -*-===//
//
// RebatchOpInterface: the rule by which an op with shape-bearing attributes
// follows its operands to another batch size (see the hetc-rebatch pass).
//
//===----------------------------------------------------------------------===//

#ifndef HETC_DIALECT_HETC_REBATCH_H
#define HETC_DIALECT_HETC_REBATCH_H

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OpDefinition.h"

#include <optional>

#include "hetc/Dialect/Hetc/HetcRebatchInterface.h.inc"

namespace mlir::hetc {

/// Attaches the rules of the ops with shape-bearing attributes (reshape,
/// broadcast_to, slice); called when the hetc dialect loads.
void attachRebatchInterfaces(MLIRContext &context);

} // namespace mlir::hetc

#endif // HETC_DIALECT_HETC_REBATCH_H
