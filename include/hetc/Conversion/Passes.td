//===- Passes.td - hetc conversion passes ------------------*- tablegen -*-===//

#ifndef HETC_CONVERSION_PASSES_TD
#define HETC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertHetcToLinalg : Pass<"convert-hetc-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lowers hetc ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every hetc op into destination-style ops on tensors: named
    linalg ops where they exist (matmul, batch_matmul, conv_2d_nchw_fchw,
    conv_2d_ngchw_gfchw, pooling_nchw_max, pooling_nchw_sum, transpose) and
    linalg.generic elsewhere, with tensor ops for shape manipulation. The
    result is ready for elementwise fusion and one-shot bufferization.

    Example:

    ```mlir
    %0 = hetc.relu %x : tensor<4x8xf32>
    ```

    becomes

    ```mlir
    %e = tensor.empty() : tensor<4x8xf32>
    %0 = linalg.generic {...} ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %zero = arith.constant 0.0 : f32
      %m = arith.maximumf %in, %zero : f32
      linalg.yield %m : f32
    } -> tensor<4x8xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def HetcTestPerturbOp : Pass<"hetc-test-perturb-op", "::mlir::ModuleOp"> {
  let summary = "Test only: adds one ULP to one hetc op's result";
  let description = [{
    A planted divergence for testing the verifier (hetc-verify,
    docs/reproducibility.md); never for real artifacts. In every function of
    the module, the first hetc op in program order that `match` selects
    gets its first result perturbed: a `linalg.generic` after it adds 1 to
    the integer bits of each f32 element (one ULP away from zero), and
    every later use, the function's results included, reads the perturbed
    value. It runs just before convert-hetc-to-linalg, so the op's lowering
    on this compilation's target is what changes.

    `match` is `NAME` or `NAME@LOCATION`: NAME is the op's name
    (`hetc.matmul`), LOCATION a suffix of its `file:line:col` (`mlp.py:12`
    matches `/src/mlp.py:12:0`; the line alone matches every column). An
    op with no f32 tensor result is never selected; a `match` that selects
    nothing in the whole module is an error.

    Example:

    ```
    hetc-opt --hetc-test-perturb-op="match=hetc.relu@mlp.py:14" model.mlir
    ```
  }];
  let options = [
    Option<"match", "match", "std::string", /*default=*/"\"\"",
           "The op to perturb: NAME or NAME@LOCATION">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // HETC_CONVERSION_PASSES_TD
