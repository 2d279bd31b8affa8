//===- Passes.td - hetc dialect passes ---------------------*- tablegen -*-===//

#ifndef HETC_DIALECT_HETC_PASSES_TD
#define HETC_DIALECT_HETC_PASSES_TD

include "mlir/Pass/PassBase.td"

def HetcVerifyModel : Pass<"hetc-verify-model", "::mlir::ModuleOp"> {
  let summary = "Checks that model functions follow the hetc training contract";
  let description = [{
    A model function is a `func.func` with at least one `hetc.param`
    argument (or the function named by `entry`). This pass checks what the
    training pipeline relies on, beyond what the op verifiers check:

    - the function has a body;
    - every argument has exactly one role: `hetc.param`, `hetc.input` or
      `hetc.label`;
    - the first result is the 0-d floating-point loss;
    - the body uses only hetc ops, `arith.constant` and `func.return`.

    Each violation is reported at the offending argument or op.

    Example:

    ```
    hetc-opt --hetc-verify-model examples/mlp_digits.mlir
    hetc-opt --hetc-verify-model=entry=mlp examples/mlp_digits.mlir
    ```
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"\"",
           "Name of the model function; by default every function with a "
           "hetc.param argument is checked">
  ];
  let dependentDialects = ["::mlir::hetc::HetcDialect"];
}

#endif // HETC_DIALECT_HETC_PASSES_TD
