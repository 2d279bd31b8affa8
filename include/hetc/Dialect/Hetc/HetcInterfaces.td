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
        false.
      }],
      "::llvm::LogicalResult", "emitVjp",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ValueRange":$resultGrads,
           "::llvm::ArrayRef<bool>":$needed,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>
  ];
}

#endif // HETC_DIALECT_HETC_HETCINTERFACES_TD
