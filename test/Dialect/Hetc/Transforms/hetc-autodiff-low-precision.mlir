// RUN: hetc-opt %s --hetc-autodiff --verify-diagnostics

// The f16/bf16 accumulation limit is checked by the op verifier
// (AccumulatingOpInterface), so it also covers the gradient ops autodiff
// creates, right after the pass that creates them. The forward conv2d sums
// one product per output, but its weight gradient sums N * OH * OW = 4096.
func.func @model(%x: tensor<64x1x8x8xf16> {hetc.input},
                 %w: tensor<1x1x1x1xf16> {hetc.param = #hetc.init<ones>})
    -> tensor<f16> {
  // expected-error @+1 {{'hetc.conv2d_backward_weight' op reduces 4096 'f16' elements, more than the 2048 hetc can sum exactly in that type}}
  %y = hetc.conv2d %x, %w : (tensor<64x1x8x8xf16>, tensor<1x1x1x1xf16>) -> tensor<64x1x8x8xf16>
  %s = hetc.reduce_sum %y [2, 3] : tensor<64x1x8x8xf16> -> tensor<64x1xf16>
  %l = hetc.reduce_sum %s [0, 1] : tensor<64x1xf16> -> tensor<f16>
  return %l : tensor<f16>
}
