// RUN: hetc-opt %s -split-input-file -verify-diagnostics

// Shape arithmetic on huge dimensions is checked: an element count, byte
// size or window extent that overflows 64 bits is a verifier error, never a
// wrapped (undefined) value. 4611686018427387904 is 2^62.

func.func @operand_bytes(%x: tensor<4611686018427387904xf32>) {
  // expected-error @+2 {{'hetc.reshape' op input [4611686018427387904] has more elements or bytes than fit in 64 bits}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reshape %x [4611686018427387904] : tensor<4611686018427387904xf32> -> tensor<4611686018427387904xf32>
  return
}

// -----

func.func @operand_elements(%x: tensor<4611686018427387904x4xbf16>) {
  // expected-error @+2 {{'hetc.reshape' op input [4611686018427387904, 4] has more elements or bytes than fit in 64 bits}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reshape %x [4, -1] : tensor<4611686018427387904x4xbf16> -> tensor<4x4611686018427387904xbf16>
  return
}

// -----

func.func @reshape_product(%x: tensor<16xf32>) {
  // expected-error @+2 {{'hetc.reshape' op shape [4611686018427387904, 4, 1] has more elements than fit in 64 bits}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reshape %x [4611686018427387904, 4, 1] : tensor<16xf32> -> tensor<4611686018427387904x4x1xf32>
  return
}

// -----

// Each input fits (2^63 - 2 bytes of bf16); three of them do not.
func.func @concat_sum(%a: tensor<4611686018427387903xbf16>) {
  // expected-error @+2 {{'hetc.concat' op the concatenated dimension 0 overflows 64 bits at input #2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.concat %a, %a, %a axis 0 : (tensor<4611686018427387903xbf16>, tensor<4611686018427387903xbf16>, tensor<4611686018427387903xbf16>) -> tensor<4xbf16>
  return
}

// -----

func.func @slice_reach(%a: tensor<4x5xf32>) {
  // expected-error @+2 {{'hetc.slice' op dimension 1: the window's last index overflows 64 bits (offset 0, size 3, stride 4611686018427387904)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.slice %a offsets [0, 0] sizes [2, 3] strides [1, 4611686018427387904] : tensor<4x5xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @conv_span(%x: tensor<1x1x8x8xf32>, %w: tensor<1x1x3x3xf32>) {
  // expected-error @+2 {{'hetc.conv2d' op the height window (kernel 3, dilation 4611686018427387904) or padded input (8 + 0 + 0) overflows 64 bits}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w {dilation = array<i64: 4611686018427387904, 1>} : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x6x6xf32>
  return
}

// -----

func.func @conv_padding(%x: tensor<1x1x8x8xf32>, %w: tensor<1x1x3x3xf32>) {
  // expected-error @+2 {{'hetc.conv2d' op the width window (kernel 3, dilation 1) or padded input (8 + 9223372036854775807 + 1) overflows 64 bits}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w {padding = array<i64: 0, 9223372036854775807, 0, 1>} : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x6x6xf32>
  return
}

// -----

func.func @pool_padding(%x: tensor<2x3x10x10xf32>) {
  // expected-error @+2 {{'hetc.max_pool2d' op padding [4611686018427387904, 0, 0, 0] exceeds half the kernel size [3, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.max_pool2d %x {kernel_size = array<i64: 3, 3>, padding = array<i64: 4611686018427387904, 0, 0, 0>} : tensor<2x3x10x10xf32> -> tensor<2x3x3x3xf32>
  return
}
