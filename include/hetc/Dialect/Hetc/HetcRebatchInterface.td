//===- HetcRebatchInterface.td - batch-size rules ----------*- tablegen -*-===//
//
// Kept apart from HetcInterfaces.td: the ops take this interface as external
// models (lib/Dialect/Hetc/HetcRebatch.cpp) attached when the dialect loads.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_DIALECT_HETC_HETCREBATCHINTERFACE_TD
#define HETC_DIALECT_HETC_HETCREBATCHINTERFACE_TD

include "mlir/IR/OpBase.td"

def Hetc_RebatchOpInterface : OpInterface<"RebatchOpInterface"> {
  let cppNamespace = "::mlir::hetc";
  let description = [{
    An op with shape-bearing attributes (a reshape's or broadcast's target
    shape, a slice's sizes) that can follow its operands to another batch
    size. hetc-rebatch has already given the operands their new types; the
    op rewrites its attributes for the new batch size, after which the pass
    re-infers its result types through InferTypeOpInterface. Ops without
    shape-bearing attributes need no rule: re-inference alone is exact, and
    for any other op it fails as a located error rather than a wrong shape.

    Example: `hetc.reshape %x [64, 16] : tensor<64x4x4xf32> ->
    tensor<64x16xf32>` with %x now `tensor<29x4x4xf32>` (batch axis 0)
    becomes `hetc.reshape %x [29, 16]`.
  }];
  let methods = [
    InterfaceMethod<[{
        Rewrites the op's shape-bearing attributes for batch size
        `newBatch` (it was `oldBatch`). `operandBatchAxes` holds, per
        operand, its batch axis or nullopt when it does not depend on the
        batch. Emits a located "cannot rebatch" error and fails when the
        batch dimension cannot be followed (folded into another dimension,
        sliced).
      }],
      "::llvm::LogicalResult", "rebatch",
      (ins "::llvm::ArrayRef<std::optional<int64_t>>":$operandBatchAxes,
           "int64_t":$oldBatch, "int64_t":$newBatch)>
  ];
}

#endif // HETC_DIALECT_HETC_HETCREBATCHINTERFACE_TD
