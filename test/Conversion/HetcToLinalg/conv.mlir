// RUN: hetc-opt %s --convert-hetc-to-linalg --split-input-file | FileCheck %s
// RUN: hetc-opt %s --convert-hetc-to-linalg --split-input-file | hetc-opt --split-input-file --verify-each > /dev/null
// The gradients lower too, and leave no hetc op behind:
// RUN: hetc-opt %s --hetc-autodiff --convert-hetc-to-linalg --split-input-file | FileCheck %s --check-prefix=NOHETC

// NOHETC-NOT: = hetc.
// NOHETC-NOT: "hetc.

// ceil_mode grows the bottom and right padding so the last window fits:
// (6 - 1) * 2 + dilation * (kernel - 1) + 1 = 13 rows and columns; the
// dilation goes to the named op.
// CHECK-LABEL: func.func @max_pool2d
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 2, 2]
// CHECK: linalg.pooling_nchw_max {dilations = dense<[2, 1]> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%{{.*}} : tensor<2x3x13x13xf32>, tensor<2x3xf32>)
func.func @max_pool2d(%x: tensor<2x3x10x10xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.max_pool2d %x {kernel_size = array<i64: 2, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 2, 1>, ceil_mode} : tensor<2x3x10x10xf32> -> tensor<2x3x6x6xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2, 3] : tensor<2x3x6x6xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// conv_transpose2d is conv2d_backward_input's gather-form generic
// (parallel over the result, reducing over channel-in-group, kh, kw), then
// the bias.
// CHECK-LABEL: func.func @conv_transpose2d
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<2x6x10x10xf32>)
// CHECK: tensor.extract
// CHECK: tensor.extract
// CHECK: arith.mulf
// CHECK: linalg.generic
// CHECK: arith.addf
func.func @conv_transpose2d(%x: tensor<2x4x5x5xf32> {hetc.param = #hetc.init<zeros>},
                            %w: tensor<4x3x3x3xf32> {hetc.param = #hetc.init<zeros>},
                            %b: tensor<6xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.conv_transpose2d %x, %w, %b {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>, groups = 2 : i64}
      : (tensor<2x4x5x5xf32>, tensor<4x3x3x3xf32>, tensor<6xf32>) -> tensor<2x6x10x10xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2, 3] : tensor<2x6x10x10xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Bilinear upsampling reads four source elements per output, with f32
// coordinates (scale (4 - 1) / (8 - 1) with align_corners).
// CHECK-LABEL: func.func @upsample
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME: outs(%{{.*}} : tensor<2x3x8x10xf32>)
// CHECK: arith.constant 0.428571433 : f32
// CHECK-COUNT-4: tensor.extract
// CHECK: linalg.yield
func.func @upsample(%x: tensor<2x3x4x5xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.upsample %x bilinear align_corners {size = array<i64: 8, 10>} : tensor<2x3x4x5xf32> -> tensor<2x3x8x10xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2, 3] : tensor<2x3x8x10xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// The backward gathers over a static window of candidate outputs per input
// element: no scatter, so no atomics.
// CHECK-LABEL: func.func @upsample_backward
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<2x3x4x5xf32>)
func.func @upsample_backward(%g: tensor<2x3x8x10xf32>, %x: tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = hetc.upsample_backward %g, %x nearest {size = array<i64: 8, 10>} : (tensor<2x3x8x10xf32>, tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// Constant padding selects the fill value outside the input.
// CHECK-LABEL: func.func @pad
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK-SAME: outs(%{{.*}} : tensor<5x7xf32>)
// CHECK: %[[V:.*]] = tensor.extract
// CHECK: %[[FILL:.*]] = arith.constant 1.500000e+00 : f32
// CHECK: arith.select %{{.*}}, %[[V]], %[[FILL]] : f32
func.func @pad(%x: tensor<4x5xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.pad %x constant {padding = array<i64: 2, -1, -1, 3>, value = 1.5 : f64} : tensor<4x5xf32> -> tensor<5x7xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<5x7xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Reflect's backward gathers three candidates per padded dimension (the
// element and its two mirrors); an unpadded dimension has one.
// CHECK-LABEL: func.func @pad_backward
// CHECK: %[[WIN:.*]] = tensor.empty() : tensor<3x1xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: ins(%[[WIN]] : tensor<3x1xf32>) outs(%{{.*}} : tensor<4x5xf32>)
func.func @pad_backward(%g: tensor<7x5xf32>, %x: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %0 = hetc.pad_backward %g, %x reflect {padding = array<i64: 1, 0, 2, 0>} : (tensor<7x5xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// adaptive_avg_pool2d reduces over the longest window (10 rows into 3:
// windows [0, 4), [3, 7), [6, 10), so 4), masking past each window's end.
// CHECK-LABEL: func.func @adaptive_avg_pool2d
// CHECK: %[[WIN:.*]] = tensor.empty() : tensor<4x3xf32>
// CHECK: linalg.generic {{.*}}ins(%[[WIN]] : tensor<4x3xf32>) outs(%{{.*}} : tensor<2x3x3x4xf32>)
// CHECK: arith.divf
func.func @adaptive_avg_pool2d(%x: tensor<2x3x10x10xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.adaptive_avg_pool2d %x {output_size = array<i64: 3, 4>} : tensor<2x3x10x10xf32> -> tensor<2x3x3x4xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2, 3] : tensor<2x3x3x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// f16 and bf16 keep their element type; coordinates and interpolation
// weights are f32, the interpolated value is rounded back.
// CHECK-LABEL: func.func @upsample_f16
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<2x3x8x10xf16>)
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @upsample_f16(%x: tensor<2x3x4x5xf16>) -> tensor<2x3x8x10xf16> {
  %0 = hetc.upsample %x bilinear {size = array<i64: 8, 10>} : tensor<2x3x4x5xf16> -> tensor<2x3x8x10xf16>
  return %0 : tensor<2x3x8x10xf16>
}

// -----

// CHECK-LABEL: func.func @gathers_bf16
// CHECK-NOT: hetc.
// CHECK: return
func.func @gathers_bf16(%x: tensor<2x3x4x5xbf16>, %g: tensor<2x3x8x10xbf16>, %w: tensor<3x2x3x3xbf16>)
    -> (tensor<2x3x4x5xbf16>, tensor<2x3x3x2xbf16>, tensor<2x3x7x5xbf16>, tensor<2x2x6x7xbf16>) {
  %0 = hetc.upsample_backward %g, %x bilinear {size = array<i64: 8, 10>} : (tensor<2x3x8x10xbf16>, tensor<2x3x4x5xbf16>) -> tensor<2x3x4x5xbf16>
  %1 = hetc.adaptive_avg_pool2d %x {output_size = array<i64: 3, 2>} : tensor<2x3x4x5xbf16> -> tensor<2x3x3x2xbf16>
  %2 = hetc.pad %x reflect {padding = array<i64: 0, 0, 1, 0, 0, 0, 2, 0>} : tensor<2x3x4x5xbf16> -> tensor<2x3x7x5xbf16>
  %3 = hetc.conv_transpose2d %x, %w : (tensor<2x3x4x5xbf16>, tensor<3x2x3x3xbf16>) -> tensor<2x2x6x7xbf16>
  return %0, %1, %2, %3 : tensor<2x3x4x5xbf16>, tensor<2x3x3x2xbf16>, tensor<2x3x7x5xbf16>, tensor<2x2x6x7xbf16>
}
