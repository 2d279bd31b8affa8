// RUN: hetc-opt %s --hetc-rebatch="batch-size=29" -split-input-file | FileCheck %s

// A CNN with batch normalization, a flatten and a dropout seed: the inputs
// and labels take 29 rows, the reshape keeps the batch as its first
// dimension, parameters and the 0-d seed keep their shapes, and the
// eval-mode function follows the model.
// CHECK-LABEL: func.func @model(
// CHECK-SAME: %{{[^:]+}}: tensor<29x1x4x4xf32> {hetc.input, hetc.name = "x"}
// CHECK-SAME: %{{[^:]+}}: tensor<29xi32> {hetc.label, hetc.name = "labels"}
// CHECK-SAME: %{{[^:]+}}: tensor<2x1x3x3xf32>
// CHECK-SAME: %{{[^:]+}}: tensor<i64> {hetc.input, hetc.name = "dropout_seed0"}
// CHECK-SAME: -> (tensor<f32>, tensor<29x10xf32>)
// CHECK: hetc.conv2d {{.*}} -> tensor<29x2x4x4xf32>
// CHECK: hetc.batch_norm {{.*}} -> tensor<29x2x4x4xf32>
// CHECK: hetc.reshape %{{.*}} [29, 32] : tensor<29x2x4x4xf32> -> tensor<29x32xf32>
// CHECK: hetc.dropout {{.*}} -> tensor<29x32xf32>
// CHECK: hetc.matmul {{.*}} -> tensor<29x10xf32>
// CHECK: hetc.broadcast_to %{{.*}} [29, 10] : tensor<29x1xf32> -> tensor<29x10xf32>
// CHECK: hetc.slice %{{.*}} offsets [0, 0] sizes [29, 5] strides [1, 2] : tensor<29x10xf32> -> tensor<29x5xf32>
// CHECK: hetc.cross_entropy {{.*}} -> tensor<f32>
// CHECK: return %{{.*}}, %{{.*}} : tensor<f32>, tensor<29x10xf32>
// CHECK-LABEL: func.func @model_eval(
// CHECK-SAME: tensor<29x1x4x4xf32>
// CHECK: hetc.reshape %{{.*}} [29, 32]
// CHECK: return %{{.*}}, %{{.*}} : tensor<f32>, tensor<29x10xf32>
func.func @model(%x: tensor<64x1x4x4xf32> {hetc.input, hetc.name = "x"},
                 %labels: tensor<64xi32> {hetc.label, hetc.name = "labels"},
                 %w: tensor<2x1x3x3xf32> {hetc.param = #hetc.init<uniform, 0.3>, hetc.name = "w"},
                 %g: tensor<2xf32> {hetc.param = #hetc.init<ones>, hetc.name = "g"},
                 %beta: tensor<2xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "beta"},
                 %fc: tensor<10x32xf32> {hetc.param = #hetc.init<uniform, 0.1>, hetc.name = "fc"},
                 %seed: tensor<i64> {hetc.input, hetc.name = "dropout_seed0"})
    -> (tensor<f32>, tensor<64x10xf32>) {
  %c = hetc.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<64x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<64x2x4x4xf32>
  %n = hetc.batch_norm %c, %g, %beta : (tensor<64x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<64x2x4x4xf32>
  %f = hetc.reshape %n [64, 32] : tensor<64x2x4x4xf32> -> tensor<64x32xf32>
  %d = hetc.dropout %f, %seed {p = 0.25 : f64} : (tensor<64x32xf32>, tensor<i64>) -> tensor<64x32xf32>
  %o = hetc.matmul %d, %fc transpose_rhs : (tensor<64x32xf32>, tensor<10x32xf32>) -> tensor<64x10xf32>
  %m = hetc.reduce_max %o [1] keepdims : tensor<64x10xf32> -> tensor<64x1xf32>
  %mb = hetc.broadcast_to %m [64, 10] : tensor<64x1xf32> -> tensor<64x10xf32>
  %s = hetc.sub %o, %mb : (tensor<64x10xf32>, tensor<64x10xf32>) -> tensor<64x10xf32>
  %half = hetc.slice %s offsets [0, 0] sizes [64, 5] strides [1, 2] : tensor<64x10xf32> -> tensor<64x5xf32>
  %loss = hetc.cross_entropy %half, %labels : (tensor<64x5xf32>, tensor<64xi32>) -> tensor<f32>
  return %loss, %s : tensor<f32>, tensor<64x10xf32>
}

func.func @model_eval(%x: tensor<64x1x4x4xf32> {hetc.input, hetc.name = "x"},
                      %labels: tensor<64xi32> {hetc.label, hetc.name = "labels"},
                      %w: tensor<2x1x3x3xf32> {hetc.param = #hetc.init<uniform, 0.3>, hetc.name = "w"},
                      %g: tensor<2xf32> {hetc.param = #hetc.init<ones>, hetc.name = "g"},
                      %beta: tensor<2xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "beta"},
                      %fc: tensor<10x32xf32> {hetc.param = #hetc.init<uniform, 0.1>, hetc.name = "fc"})
    -> (tensor<f32>, tensor<64x10xf32>) attributes {hetc.eval_of = "model"} {
  %c = hetc.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<64x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<64x2x4x4xf32>
  %f = hetc.reshape %c [64, 32] : tensor<64x2x4x4xf32> -> tensor<64x32xf32>
  %o = hetc.matmul %f, %fc transpose_rhs : (tensor<64x32xf32>, tensor<10x32xf32>) -> tensor<64x10xf32>
  %loss = hetc.cross_entropy %o, %labels : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<f32>
  return %loss, %o : tensor<f32>, tensor<64x10xf32>
}

// -----

// A reshape written with -1, and one that splits a feature dimension while
// keeping the batch in second place after a transpose.
// CHECK-LABEL: func.func @inferred(
// CHECK: hetc.reshape %{{.*}} [29, 8] : tensor<29x2x4xf32> -> tensor<29x8xf32>
// CHECK: hetc.transpose %{{.*}} [1, 0] : tensor<29x8xf32> -> tensor<8x29xf32>
// CHECK: hetc.reshape %{{.*}} [2, 4, 29] : tensor<8x29xf32> -> tensor<2x4x29xf32>
// CHECK: hetc.reduce_mean {{.*}} : tensor<2x4x29xf32> -> tensor<f32>
func.func @inferred(%x: tensor<64x2x4xf32> {hetc.input},
                    %w: tensor<8xf32> {hetc.param = #hetc.init<zeros>})
    -> tensor<f32> {
  %f = hetc.reshape %x [-1, 8] : tensor<64x2x4xf32> -> tensor<64x8xf32>
  %a = hetc.add %f, %w : (tensor<64x8xf32>, tensor<8xf32>) -> tensor<64x8xf32>
  %t = hetc.transpose %a [1, 0] : tensor<64x8xf32> -> tensor<8x64xf32>
  %r = hetc.reshape %t [2, 4, 64] : tensor<8x64xf32> -> tensor<2x4x64xf32>
  %l = hetc.reduce_mean %r [0, 1, 2] : tensor<2x4x64xf32> -> tensor<f32>
  return %l : tensor<f32>
}
