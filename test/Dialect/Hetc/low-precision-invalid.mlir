// RUN: hetc-opt %s --split-input-file --verify-diagnostics

// Reductions accumulate in the element type: large f16 and bf16 ones are
// refused rather than computed wrongly.
func.func @mean(%x: tensor<8x100x100xf16>) -> tensor<f16> {
  // expected-error @+1 {{'hetc.mse' op reduces 80000 'f16' elements, more than the 2048 hetc can sum exactly in that type}}
  %0 = hetc.mse %x, %x : (tensor<8x100x100xf16>, tensor<8x100x100xf16>) -> tensor<f16>
  return %0 : tensor<f16>
}

// -----

func.func @sum(%x: tensor<4x4096xbf16>) -> tensor<4xbf16> {
  // expected-error @+1 {{'hetc.reduce_sum' op reduces 4096 'bf16' elements}}
  %0 = hetc.reduce_sum %x [-1] : tensor<4x4096xbf16> -> tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

func.func @batch_norm(%x: tensor<64x3x8x8xf16>, %g: tensor<3xf16>) -> tensor<64x3x8x8xf16> {
  // expected-error @+1 {{'hetc.batch_norm' op reduces 4096 'f16' elements}}
  %0 = hetc.batch_norm %x, %g, %g : (tensor<64x3x8x8xf16>, tensor<3xf16>, tensor<3xf16>) -> tensor<64x3x8x8xf16>
  return %0 : tensor<64x3x8x8xf16>
}

// -----

func.func @matmul(%a: tensor<2x4096xf16>, %b: tensor<4096x2xf16>) -> tensor<2x2xf16> {
  // expected-error @+1 {{'hetc.matmul' op reduces 4096 'f16' elements}}
  %0 = hetc.matmul %a, %b : (tensor<2x4096xf16>, tensor<4096x2xf16>) -> tensor<2x2xf16>
  return %0 : tensor<2x2xf16>
}

// -----

// Small ones lower as usual.
func.func @small(%x: tensor<4x64xf16>) -> tensor<4xf16> {
  %0 = hetc.reduce_sum %x [1] : tensor<4x64xf16> -> tensor<4xf16>
  return %0 : tensor<4xf16>
}
