// RUN: hetc-opt %s --pass-pipeline='builtin.module(convert-hetc-to-linalg,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(hetc-gpu-tile-contractions))' --split-input-file | FileCheck %s

// The GPU contraction tiling and the ops of HetcOpsConv.td: their
// gather-form generics (one unread window operand, tensor.extract in the
// body) are not a two-operand multiply-accumulate and keep the generic
// lowering, while the convolutions of conv_transpose2d's VJP (conv2d for
// the input, conv2d_backward_weight for the weight) are tiled.

// CHECK-LABEL: func.func @conv_transpose2d
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK: memref.load
// CHECK: gpu.launch
// CHECK: gpu.launch
// CHECK-NOT: gpu.launch
// CHECK-NOT: linalg.conv_2d
func.func @conv_transpose2d(%x: tensor<2x4x5x5xf32>, %w: tensor<4x3x3x3xf32>, %g: tensor<2x6x10x10xf32>)
    -> (tensor<2x6x10x10xf32>, tensor<2x4x5x5xf32>, tensor<4x3x3x3xf32>) {
  %0 = hetc.conv_transpose2d %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>, groups = 2 : i64}
      : (tensor<2x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<2x6x10x10xf32>
  %1 = hetc.conv2d %g, %w {groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x6x10x10xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x5x5xf32>
  %2 = hetc.conv2d_backward_weight %x, %g, %w {groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x4x5x5xf32>, tensor<2x6x10x10xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  return %0, %1, %2 : tensor<2x6x10x10xf32>, tensor<2x4x5x5xf32>, tensor<4x3x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @gathers
// CHECK-NOT: gpu.launch
// CHECK: return
func.func @gathers(%g: tensor<2x3x8x10xf32>, %x: tensor<2x3x4x5xf32>, %gp: tensor<2x3x6x5xf32>,
                   %ga: tensor<2x3x3x2xf32>)
    -> (tensor<2x3x4x5xf32>, tensor<2x3x4x5xf32>, tensor<2x3x4x5xf32>) {
  %0 = hetc.upsample_backward %g, %x bilinear {size = array<i64: 8, 10>} : (tensor<2x3x8x10xf32>, tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
  %1 = hetc.pad_backward %gp, %x edge {padding = array<i64: 0, 0, 2, 0, 0, 0, 0, 0>} : (tensor<2x3x6x5xf32>, tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
  %2 = hetc.adaptive_avg_pool2d_backward %ga, %x : (tensor<2x3x3x2xf32>, tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
  return %0, %1, %2 : tensor<2x3x4x5xf32>, tensor<2x3x4x5xf32>, tensor<2x3x4x5xf32>
}
