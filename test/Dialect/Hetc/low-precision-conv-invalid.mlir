// RUN: hetc-opt %s --split-input-file --verify-diagnostics

// conv_transpose2d sums C_in / groups * KH * KW products per output in the
// element type: too many for f16 is refused, as for conv2d.
func.func @conv_transpose2d(%x: tensor<1x512x2x2xf16>, %w: tensor<512x1x3x3xf16>) -> tensor<1x1x4x4xf16> {
  // expected-error @+1 {{'hetc.conv_transpose2d' op reduces 4608 'f16' elements, more than the 2048 hetc can sum exactly in that type}}
  %0 = hetc.conv_transpose2d %x, %w : (tensor<1x512x2x2xf16>, tensor<512x1x3x3xf16>) -> tensor<1x1x4x4xf16>
  return %0 : tensor<1x1x4x4xf16>
}

// -----

// With 4 groups each output sums 128 * 9 = 1152 products: accepted.
func.func @conv_transpose2d_groups(%x: tensor<1x512x2x2xf16>, %w: tensor<512x1x3x3xf16>) -> tensor<1x4x4x4xf16> {
  %0 = hetc.conv_transpose2d %x, %w {groups = 4 : i64} : (tensor<1x512x2x2xf16>, tensor<512x1x3x3xf16>) -> tensor<1x4x4x4xf16>
  return %0 : tensor<1x4x4x4xf16>
}
