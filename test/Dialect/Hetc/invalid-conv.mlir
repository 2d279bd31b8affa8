// RUN: hetc-opt %s -split-input-file -verify-diagnostics

// One case per verifier error of the ops in HetcOpsConv.td and of the
// ceil_mode / dilation pooling attributes.

func.func @conv_transpose2d_channels(%x: tensor<2x4x5x5xf32>, %w: tensor<3x3x3x3xf32>) {
  // expected-error @+2 {{'hetc.conv_transpose2d' op weight [3, 3, 3, 3] expects 3 input channels, but the input has 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv_transpose2d %x, %w : (tensor<2x4x5x5xf32>, tensor<3x3x3x3xf32>) -> tensor<2x3x7x7xf32>
  return
}

// -----

func.func @conv_transpose2d_groups(%x: tensor<2x4x5x5xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'hetc.conv_transpose2d' op input channels (4) are not divisible by groups (3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv_transpose2d %x, %w {groups = 3 : i64} : (tensor<2x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<2x9x7x7xf32>
  return
}

// -----

func.func @conv_transpose2d_output_padding(%x: tensor<2x4x5x5xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'hetc.conv_transpose2d' op output_padding [2, 0] must be smaller than the strides [2, 2] or the dilation [1, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv_transpose2d %x, %w {strides = array<i64: 2, 2>, output_padding = array<i64: 2, 0>} : (tensor<2x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x13x11xf32>
  return
}

// -----

func.func @conv_transpose2d_padding_removes_all(%x: tensor<2x4x1x5xf32>, %w: tensor<4x3x1x3xf32>) {
  // expected-error @+2 {{'hetc.conv_transpose2d' op the padding [1, 0, 0, 0] removes the whole height (1 before padding)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv_transpose2d %x, %w {padding = array<i64: 1, 0, 0, 0>} : (tensor<2x4x1x5xf32>, tensor<4x3x1x3xf32>) -> tensor<2x3x1x7xf32>
  return
}

// -----

func.func @conv_transpose2d_overflow(%x: tensor<2x4x5x5xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'hetc.conv_transpose2d' op the output height overflows}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv_transpose2d %x, %w {strides = array<i64: 4611686018427387904, 1>} : (tensor<2x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x7x7xf32>
  return
}

// -----

func.func @conv_transpose2d_bias(%x: tensor<2x4x5x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'hetc.conv_transpose2d' op bias must have shape [3], got [4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv_transpose2d %x, %w, %b : (tensor<2x4x5x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<2x3x7x7xf32>
  return
}

// -----

func.func @conv_transpose2d_result(%x: tensor<2x4x5x5xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'hetc.conv_transpose2d' op inferred type(s) 'tensor<2x3x7x7xf32>' are incompatible with return type(s) of operation 'tensor<2x3x5x5xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv_transpose2d %x, %w : (tensor<2x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x5x5xf32>
  return
}

// -----

func.func @upsample_rank(%x: tensor<3x4x5xf32>) {
  // expected-error @+2 {{'hetc.upsample' op input must be 4-D [N, C, H, W], got 'tensor<3x4x5xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.upsample %x nearest {size = array<i64: 8, 10>} : tensor<3x4x5xf32> -> tensor<3x8x10xf32>
  return
}

// -----

func.func @upsample_size(%x: tensor<2x3x4x5xf32>) {
  // expected-error @+2 {{'hetc.upsample' op 'size' values must be >= 1, got [0, 10]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.upsample %x nearest {size = array<i64: 0, 10>} : tensor<2x3x4x5xf32> -> tensor<2x3x1x10xf32>
  return
}

// -----

func.func @upsample_align_nearest(%x: tensor<2x3x4x5xf32>) {
  // expected-error @+2 {{'hetc.upsample' op align_corners applies to bilinear upsampling only}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.upsample %x nearest align_corners {size = array<i64: 8, 10>} : tensor<2x3x4x5xf32> -> tensor<2x3x8x10xf32>
  return
}

// -----

func.func @upsample_backward_grad(%g: tensor<2x3x8x9xf32>, %x: tensor<2x3x4x5xf32>) {
  // expected-error @+2 {{'hetc.upsample_backward' op grad_output has type 'tensor<2x3x8x9xf32>' but the forward op produces 'tensor<2x3x8x10xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.upsample_backward %g, %x bilinear {size = array<i64: 8, 10>} : (tensor<2x3x8x9xf32>, tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
  return
}

// -----

func.func @pad_count(%x: tensor<4x5xf32>) {
  // expected-error @+2 {{'hetc.pad' op 'padding' needs 2 * rank = 4 values (all befores, then all afters), got [1, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.pad %x constant {padding = array<i64: 1, 1>} : tensor<4x5xf32> -> tensor<5x6xf32>
  return
}

// -----

func.func @pad_crop_all(%x: tensor<4x5xf32>) {
  // expected-error @+2 {{'hetc.pad' op dimension 1: padding -3 and -2 leave 0 of 5 elements (at least 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.pad %x constant {padding = array<i64: 0, -3, 0, -2>} : tensor<4x5xf32> -> tensor<4x1xf32>
  return
}

// -----

func.func @pad_overflow(%x: tensor<4x5xf32>) {
  // expected-error @+2 {{'hetc.pad' op dimension 0: the padded size overflows}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.pad %x edge {padding = array<i64: 9223372036854775807, 0, 0, 0>} : tensor<4x5xf32> -> tensor<4x5xf32>
  return
}

// -----

func.func @pad_reflect_too_far(%x: tensor<4x5xf32>) {
  // expected-error @+2 {{'hetc.pad' op dimension 0: reflect padding (0, 4) must be smaller than the dimension (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.pad %x reflect {padding = array<i64: 0, 0, 4, 0>} : tensor<4x5xf32> -> tensor<8x5xf32>
  return
}

// -----

func.func @pad_value_mode(%x: tensor<4x5xf32>) {
  // expected-error @+2 {{'hetc.pad' op 'value' applies to constant padding only}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.pad %x edge {padding = array<i64: 1, 0, 0, 0>, value = 1.0 : f64} : tensor<4x5xf32> -> tensor<5x5xf32>
  return
}

// -----

func.func @pad_backward_grad(%g: tensor<5x5xf32>, %x: tensor<4x5xf32>) {
  // expected-error @+2 {{'hetc.pad_backward' op grad has type 'tensor<5x5xf32>' but the forward op produces 'tensor<6x5xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.pad_backward %g, %x edge {padding = array<i64: 2, 0, 0, 0>} : (tensor<5x5xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @adaptive_output_size(%x: tensor<2x3x7x7xf32>) {
  // expected-error @+2 {{'hetc.adaptive_avg_pool2d' op 'output_size' needs 2 values, got [1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.adaptive_avg_pool2d %x {output_size = array<i64: 1>} : tensor<2x3x7x7xf32> -> tensor<2x3x1x1xf32>
  return
}

// -----

func.func @adaptive_overflow(%x: tensor<2x3x7x7xf32>) {
  // expected-error @+2 {{'hetc.adaptive_avg_pool2d' op output_size [4611686018427387904, 1] overflows}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.adaptive_avg_pool2d %x {output_size = array<i64: 4611686018427387904, 1>} : tensor<2x3x7x7xf32> -> tensor<2x3x1x1xf32>
  return
}

// -----

func.func @adaptive_backward_grad(%g: tensor<2x3x2x2xf32>, %x: tensor<2x4x7x7xf32>) {
  // expected-error @+2 {{'hetc.adaptive_avg_pool2d_backward' op grad_output has type 'tensor<2x3x2x2xf32>' but the forward op produces 'tensor<2x4x2x2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.adaptive_avg_pool2d_backward %g, %x : (tensor<2x3x2x2xf32>, tensor<2x4x7x7xf32>) -> tensor<2x4x7x7xf32>
  return
}

// -----

func.func @max_pool2d_dilation(%x: tensor<2x3x10x10xf32>) {
  // expected-error @+2 {{'hetc.max_pool2d' op 'dilation' values must be >= 1, got [0, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.max_pool2d %x {kernel_size = array<i64: 3, 3>, dilation = array<i64: 0, 1>} : tensor<2x3x10x10xf32> -> tensor<2x3x3x3xf32>
  return
}

// -----

func.func @max_pool2d_dilated_window(%x: tensor<2x3x4x10xf32>) {
  // expected-error @+2 {{'hetc.max_pool2d' op the height window (5 with dilation 2) is larger than the padded input (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.max_pool2d %x {kernel_size = array<i64: 3, 3>, dilation = array<i64: 2, 1>} : tensor<2x3x4x10xf32> -> tensor<2x3x1x3xf32>
  return
}

// -----

func.func @avg_pool2d_ceil_result(%x: tensor<2x3x10x10xf32>) {
  // expected-error @+2 {{'hetc.avg_pool2d' op inferred type(s) 'tensor<2x3x6x6xf32>' are incompatible with return type(s) of operation 'tensor<2x3x5x5xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.avg_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, ceil_mode} : tensor<2x3x10x10xf32> -> tensor<2x3x5x5xf32>
  return
}

// -----

func.func @max_pool2d_backward_ceil(%g: tensor<2x3x5x5xf32>, %x: tensor<2x3x10x10xf32>) {
  // expected-error @+2 {{'hetc.max_pool2d_backward' op grad_output has type 'tensor<2x3x5x5xf32>' but the forward op produces 'tensor<2x3x6x6xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.max_pool2d_backward %g, %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, ceil_mode} : (tensor<2x3x5x5xf32>, tensor<2x3x10x10xf32>) -> tensor<2x3x10x10xf32>
  return
}
