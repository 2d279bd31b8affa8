// RUN: hetc-opt %s --hetc-autodiff -split-input-file | FileCheck %s

// The vector-Jacobian products of the ops in HetcOpsConv.td, of
// conv2d_backward_input, and the pooling attributes the backward ops carry.
// Each model feeds its ops into sums, so G is ones broadcast from the seed.
// The formulas are listed in docs/autodiff.md.

// conv_transpose2d: dx = conv2d(G, w), dw = conv2d_backward_weight(x, G, w)
// (x plays the output gradient of the conv2d whose input is G), db sums G.
// CHECK-LABEL: func.func @conv_transpose2d_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4x5x5xf32>{{[^,]*}}, %[[W:[^:]+]]: tensor<4x3x3x3xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [2, 6, 10, 10]
// CHECK: %[[DX:.*]] = hetc.conv2d %[[G]], %[[W]] {groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x6x10x10xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x5x5xf32>
// CHECK: %[[DW:.*]] = hetc.conv2d_backward_weight %[[X]], %[[G]], %[[W]] {groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x4x5x5xf32>, tensor<2x6x10x10xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
// CHECK: %[[DB:.*]] = hetc.reduce_sum %[[G]] [0, 2, 3] : tensor<2x6x10x10xf32> -> tensor<6xf32>
// CHECK: return %{{.*}}, %[[DX]], %[[DW]], %[[DB]]
func.func @conv_transpose2d(%x: tensor<2x4x5x5xf32> {hetc.param = #hetc.init<zeros>},
                            %w: tensor<4x3x3x3xf32> {hetc.param = #hetc.init<zeros>},
                            %b: tensor<6xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.conv_transpose2d %x, %w, %b {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>, groups = 2 : i64}
      : (tensor<2x4x5x5xf32>, tensor<4x3x3x3xf32>, tensor<6xf32>) -> tensor<2x6x10x10xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2, 3] : tensor<2x6x10x10xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// An output_padding of a whole stride or more (allowed below the dilation)
// adds rows no input reads: the VJP takes them from the bottom padding
// (here the one row of it), then from G (one more row, one column).
// CHECK-LABEL: func.func @conv_transpose2d_output_padding_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4x5x6xf32>{{[^,]*}}, %[[W:[^:]+]]: tensor<4x2x3x3xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [2, 2, 12, 11]
// CHECK: %[[GC:.*]] = hetc.slice %[[G]] offsets [0, 0, 0, 0] sizes [2, 2, 11, 10] strides [1, 1, 1, 1]
// CHECK: %[[DX:.*]] = hetc.conv2d %[[GC]], %[[W]] {dilation = array<i64: 3, 2>} : (tensor<2x2x11x10xf32>, tensor<4x2x3x3xf32>) -> tensor<2x4x5x6xf32>
// CHECK: %[[DW:.*]] = hetc.conv2d_backward_weight %[[X]], %[[GC]], %[[W]] {dilation = array<i64: 3, 2>}
// CHECK: return %{{.*}}, %[[DX]], %[[DW]]
func.func @conv_transpose2d_output_padding(%x: tensor<2x4x5x6xf32> {hetc.param = #hetc.init<zeros>},
                                           %w: tensor<4x2x3x3xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.conv_transpose2d %x, %w {padding = array<i64: 0, 0, 1, 0>, output_padding = array<i64: 2, 1>, dilation = array<i64: 3, 2>}
      : (tensor<2x4x5x6xf32>, tensor<4x2x3x3xf32>) -> tensor<2x2x12x11xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2, 3] : tensor<2x2x12x11xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// conv2d_backward_input is linear in the gradient and the weight: the same
// rule; the shape-only input gets no gradient (it is not differentiable).
// CHECK-LABEL: func.func @conv2d_backward_input_grad(
// CHECK-SAME: %[[GO:[^:]+]]: tensor<2x6x4x4xf32>{{[^,]*}}, %[[W:[^:]+]]: tensor<6x4x3x3xf32>
// CHECK-SAME: -> (tensor<f32>, tensor<2x6x4x4xf32>, tensor<6x4x3x3xf32>)
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [2, 4, 8, 8]
// CHECK: %[[DG:.*]] = hetc.conv2d %[[G]], %[[W]] {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x4x4xf32>
// CHECK: %[[DW:.*]] = hetc.conv2d_backward_weight %[[GO]], %[[G]], %[[W]] {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x6x4x4xf32>, tensor<2x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<6x4x3x3xf32>
// CHECK: return %{{.*}}, %[[DG]], %[[DW]]
func.func @conv2d_backward_input(%g: tensor<2x6x4x4xf32> {hetc.param = #hetc.init<zeros>},
                                 %w: tensor<6x4x3x3xf32> {hetc.param = #hetc.init<zeros>},
                                 %x: tensor<2x4x8x8xf32> {hetc.input}) -> tensor<f32> {
  %0 = hetc.conv2d_backward_input %g, %w, %x {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<2x6x4x4xf32>, tensor<6x4x3x3xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2, 3] : tensor<2x4x8x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// upsample: the gradient op with the forward attributes.
// CHECK-LABEL: func.func @upsample_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3x4x5xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [2, 3, 8, 10]
// CHECK: %[[DX:.*]] = hetc.upsample_backward %[[G]], %[[X]] bilinear align_corners {size = array<i64: 8, 10>} : (tensor<2x3x8x10xf32>, tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @upsample(%x: tensor<2x3x4x5xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.upsample %x bilinear align_corners {size = array<i64: 8, 10>} : tensor<2x3x4x5xf32> -> tensor<2x3x8x10xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2, 3] : tensor<2x3x8x10xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// pad: constant mode pads G by the negated amounts (a slice, zeros where
// the forward op cropped); reflect needs pad_backward.
// CHECK-LABEL: func.func @pad_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x5xf32>
// CHECK: %[[GR:.*]] = hetc.pad_backward %{{.*}}, %[[X]] reflect {padding = array<i64: 1, 2, 3, 0>} : (tensor<8x7xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
// CHECK: %[[GC:.*]] = hetc.pad %{{.*}} constant {padding = array<i64: -2, 1, 1, -3>} : tensor<5x7xf32> -> tensor<4x5xf32>
// CHECK: hetc.add %[[GR]], %[[GC]]
func.func @pad(%x: tensor<4x5xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.pad %x constant {padding = array<i64: 2, -1, -1, 3>, value = 1.5 : f64} : tensor<4x5xf32> -> tensor<5x7xf32>
  %1 = hetc.pad %x reflect {padding = array<i64: 1, 2, 3, 0>} : tensor<4x5xf32> -> tensor<8x7xf32>
  %l0 = hetc.reduce_sum %0 [0, 1] : tensor<5x7xf32> -> tensor<f32>
  %l1 = hetc.reduce_sum %1 [0, 1] : tensor<8x7xf32> -> tensor<f32>
  %l = hetc.add %l0, %l1 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Pooling: adaptive_avg_pool2d's gradient op; max and avg pooling pass
// dilation and ceil_mode on to theirs.
// CHECK-LABEL: func.func @pooling_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3x10x10xf32>
// CHECK: hetc.avg_pool2d_backward %{{.*}}, %[[X]] {ceil_mode, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x3x6x6xf32>, tensor<2x3x10x10xf32>) -> tensor<2x3x10x10xf32>
// CHECK: hetc.max_pool2d_backward %{{.*}}, %[[X]] {ceil_mode, dilation = array<i64: 2, 1>, kernel_size = array<i64: 2, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x3x6x6xf32>, tensor<2x3x10x10xf32>) -> tensor<2x3x10x10xf32>
// CHECK: hetc.adaptive_avg_pool2d_backward %{{.*}}, %[[X]] : (tensor<2x3x3x4xf32>, tensor<2x3x10x10xf32>) -> tensor<2x3x10x10xf32>
func.func @pooling(%x: tensor<2x3x10x10xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.adaptive_avg_pool2d %x {output_size = array<i64: 3, 4>} : tensor<2x3x10x10xf32> -> tensor<2x3x3x4xf32>
  %1 = hetc.max_pool2d %x {kernel_size = array<i64: 2, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 2, 1>, ceil_mode} : tensor<2x3x10x10xf32> -> tensor<2x3x6x6xf32>
  %2 = hetc.avg_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, ceil_mode} : tensor<2x3x10x10xf32> -> tensor<2x3x6x6xf32>
  %l0 = hetc.reduce_sum %0 [0, 1, 2, 3] : tensor<2x3x3x4xf32> -> tensor<f32>
  %l1 = hetc.reduce_sum %1 [0, 1, 2, 3] : tensor<2x3x6x6xf32> -> tensor<f32>
  %l2 = hetc.reduce_sum %2 [0, 1, 2, 3] : tensor<2x3x6x6xf32> -> tensor<f32>
  %s = hetc.add %l0, %l1 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %l = hetc.add %s, %l2 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %l : tensor<f32>
}
