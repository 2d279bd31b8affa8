//===- HetcInterfaces.td - hetc op interfaces --------------*- tablegen -*-===//

#ifndef HETC_DIALECT_HETC_HETCINTERFACES_TD
#define HETC_DIALECT_HETC_HETCINTERFACES_TD

include "mlir/IR/OpBase.td"

def Hetc_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::mlir::hetc";
  let description = [{
    An op that reverse-mode autodiff can differentiate through. Given the
    gradient of the loss with respect to each result, the op emits the
    vector-Jacobian product with respect to each differentiable operand, as
    hetc ops at the builder's insertion point. Broadcasting is undone inside
    the rules, so each operand gradient has its operand's type.

    Example: for `%z = hetc.mul %x, %y`, the rule emits
    `%gx = hetc.mul %gz, %y` and `%gy = hetc.mul %gz, %x`, each summed over
    the axes along which its operand was broadcast.
  }];
  let methods = [
    InterfaceMethod<[{
        Returns whether the gradient flows into operand `index`. Labels,
        indices, dropout seeds and shape-only operands return false.
      }],
      "bool", "isDifferentiableOperand", (ins "unsigned":$index), [{}], [{
        return ::mlir::hetc::isFloatTensorValue($_op->getOperand(index));
      }]>,
    InterfaceMethod<[{
        Emits the gradients of the operands given `resultGrads` (one per
        result, never null). `operandGrads` receives one value per operand:
        null where the operand is not differentiable or `needed[i]` is
        false. The default sizes `operandGrads`, does nothing when no
        gradient is needed, and otherwise runs the op's `buildVjp` at the
        op's location.
      }],
      "::llvm::LogicalResult", "emitVjp",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ValueRange":$resultGrads,
           "::llvm::ArrayRef<bool>":$needed,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads),
      [{}], [{
        return ::mlir::hetc::emitVjpWithRule(
            $_op, builder, resultGrads, needed, operandGrads,
            [&](::mlir::hetc::VjpBuilder &vjp) { return $_op.buildVjp(vjp); });
      }]>,
    InterfaceMethod<[{
        The op's vector-Jacobian product rule, which states only the math:
        it builds, with `vjp`'s TensorMath, the gradient of each operand i
        that `vjp.needed[i]` asks for, from `vjp.gz()` (the gradient of the
        first result) or `vjp.resultGrads`, and stores it in `vjp.grad(i)`.
        At least one gradient is needed when it runs.
      }],
      "::llvm::LogicalResult", "buildVjp",
      (ins "::mlir::hetc::VjpBuilder &":$vjp)>
  ];
}

// Marks an op that rematerialization (hetc-autodiff's `rematerialize`) may
// recompute next to its backward users instead of keeping its forward result
// alive: elementwise ops and data movement without reductions, each one pass
// over its result. An op without it (matmul, convolution, pooling,
// reductions, normalizations, softmax, losses, dropout) is always kept.
def Hetc_CheapToRecompute : NativeOpTrait<"CheapToRecompute"> {
  let cppNamespace = "::mlir::hetc";
}

def Hetc_AccumulatingOpInterface : OpInterface<"AccumulatingOpInterface"> {
  let cppNamespace = "::mlir::hetc";
  let description = [{
    An op that sums many elements or products into each result element (a
    reduction, a normalization's statistics, a loss, a contraction). hetc
    accumulates in the element type, and in f16 and bf16 a sum of more than
    2048 terms stops being exact (a mean over more than 65504 divides by
    infinity), so the verifier refuses such an op when its first operand is
    f16 or bf16 and its accumulated count exceeds 2048, rather than let it
    compute a silently wrong result.

    Example: `hetc.reduce_sum %x [-1] : tensor<4x4096xbf16> -> tensor<4xbf16>`
    accumulates 4096 terms per result element and is refused.
  }];
  let methods = [
    InterfaceMethod<[{
        Returns the number of terms summed into one result element (the
        largest, where they differ). Called on a verified op only.
      }],
      "int64_t", "getAccumulatedCount">
  ];
  let verify = [{
    return ::mlir::hetc::verifyLowPrecisionAccumulation($_op);
  }];
  // After the op's own verifier, so the count is computed on valid shapes.
  let verifyWithRegions = 1;
}

#endif // HETC_DIALECT_HETC_HETCINTERFACES_TD
