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

#endif // HETC_CONVERSION_PASSES_TD
