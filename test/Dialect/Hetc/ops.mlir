// RUN: hetc-opt %s | hetc-opt | FileCheck %s
// RUN: hetc-opt %s --mlir-print-op-generic | hetc-opt | FileCheck %s

// CHECK-LABEL: func.func @model_contract
// CHECK-SAME: {hetc.input}
// CHECK-SAME: {hetc.label}
// CHECK-SAME: {hetc.param = #hetc.init<uniform, 1.250000e-01>}
// CHECK-SAME: {hetc.param = #hetc.init<zeros>}
// CHECK-SAME: {hetc.param = #hetc.init<ones>}
// CHECK-SAME: {hetc.param = #hetc.init<normal, 1.000000e+00>}
// CHECK-SAME: {hetc.param = #hetc.init<constant, -2.500000e-01>}
func.func @model_contract(%x: tensor<2x4xf32> {hetc.input},
                          %y: tensor<2xi32> {hetc.label},
                          %a: tensor<4xf32> {hetc.param = #hetc.init<uniform, 0.125>},
                          %b: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                          %c: tensor<4xf32> {hetc.param = #hetc.init<ones>},
                          %d: tensor<4xf32> {hetc.param = #hetc.init<normal, 1.0>},
                          %e: tensor<4xf32> {hetc.param = #hetc.init<constant, -0.25>}) {
  return
}

// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>, %bt: tensor<4x16xf32>,
                  %at: tensor<16x8xf32>, %batch: tensor<3x1x8x16xf32>,
                  %wb: tensor<5x16x4xf32>) {
  // CHECK: hetc.matmul %{{.*}}, %{{.*}} : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  %0 = hetc.matmul %a, %b : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  // CHECK: hetc.matmul %{{.*}}, %{{.*}} transpose_rhs : (tensor<8x16xf32>, tensor<4x16xf32>) -> tensor<8x4xf32>
  %1 = hetc.matmul %a, %bt transpose_rhs : (tensor<8x16xf32>, tensor<4x16xf32>) -> tensor<8x4xf32>
  // CHECK: hetc.matmul %{{.*}}, %{{.*}} transpose_lhs transpose_rhs : (tensor<16x8xf32>, tensor<4x16xf32>) -> tensor<8x4xf32>
  %2 = hetc.matmul %at, %bt transpose_lhs transpose_rhs : (tensor<16x8xf32>, tensor<4x16xf32>) -> tensor<8x4xf32>
  // Batch dimensions [3, 1] and [5] broadcast to [3, 5].
  // CHECK: hetc.matmul %{{.*}}, %{{.*}} : (tensor<3x1x8x16xf32>, tensor<5x16x4xf32>) -> tensor<3x5x8x4xf32>
  %3 = hetc.matmul %batch, %wb : (tensor<3x1x8x16xf32>, tensor<5x16x4xf32>) -> tensor<3x5x8x4xf32>
  return
}

// CHECK-LABEL: func.func @binary
func.func @binary(%a: tensor<4x8xf32>, %b: tensor<8xf32>, %c: tensor<4x1xf32>, %s: tensor<f32>) {
  // CHECK: hetc.add %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %0 = hetc.add %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK: hetc.sub %{{.*}}, %{{.*}} : (tensor<4x1xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = hetc.sub %c, %b : (tensor<4x1xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK: hetc.mul %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %2 = hetc.mul %a, %s : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  // CHECK: hetc.div
  %3 = hetc.div %a, %c : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  // CHECK: hetc.maximum
  %4 = hetc.maximum %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK: hetc.minimum
  %5 = hetc.minimum %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return
}

// CHECK-LABEL: func.func @unary
func.func @unary(%a: tensor<4x8xf32>, %h: tensor<4x8xf16>, %bf: tensor<4x8xbf16>) {
  // CHECK: hetc.neg %{{.*}} : tensor<4x8xf32>
  %0 = hetc.neg %a : tensor<4x8xf32>
  // CHECK: hetc.exp
  %1 = hetc.exp %a : tensor<4x8xf32>
  // CHECK: hetc.log
  %2 = hetc.log %a : tensor<4x8xf32>
  // CHECK: hetc.sqrt
  %3 = hetc.sqrt %a : tensor<4x8xf32>
  // CHECK: hetc.rsqrt
  %4 = hetc.rsqrt %a : tensor<4x8xf32>
  // CHECK: hetc.tanh %{{.*}} : tensor<4x8xf16>
  %5 = hetc.tanh %h : tensor<4x8xf16>
  // CHECK: hetc.sigmoid %{{.*}} : tensor<4x8xbf16>
  %6 = hetc.sigmoid %bf : tensor<4x8xbf16>
  // CHECK: hetc.relu
  %7 = hetc.relu %a : tensor<4x8xf32>
  // CHECK: hetc.gelu %{{.*}} : tensor<4x8xf32>
  %8 = hetc.gelu %a : tensor<4x8xf32>
  // CHECK: hetc.gelu %{{.*}} approximate tanh : tensor<4x8xf32>
  %9 = hetc.gelu %a approximate tanh : tensor<4x8xf32>
  // CHECK: hetc.pow %{{.*}}, 3.000000e+00 : tensor<4x8xf32>
  %10 = hetc.pow %a, 3.0 : tensor<4x8xf32>
  return
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%a: tensor<4x8x2xf32>) {
  // CHECK: hetc.reduce_sum %{{.*}} [1] : tensor<4x8x2xf32> -> tensor<4x2xf32>
  %0 = hetc.reduce_sum %a [1] : tensor<4x8x2xf32> -> tensor<4x2xf32>
  // CHECK: hetc.reduce_mean %{{.*}} [0, 2] keepdims : tensor<4x8x2xf32> -> tensor<1x8x1xf32>
  %1 = hetc.reduce_mean %a [0, 2] keepdims : tensor<4x8x2xf32> -> tensor<1x8x1xf32>
  // CHECK: hetc.reduce_max %{{.*}} [-1] : tensor<4x8x2xf32> -> tensor<4x8xf32>
  %2 = hetc.reduce_max %a [-1] : tensor<4x8x2xf32> -> tensor<4x8xf32>
  // CHECK: hetc.reduce_sum %{{.*}} [0, 1, 2] : tensor<4x8x2xf32> -> tensor<f32>
  %3 = hetc.reduce_sum %a [0, 1, 2] : tensor<4x8x2xf32> -> tensor<f32>
  // CHECK: hetc.softmax %{{.*}} axis 1 : tensor<4x8x2xf32>
  %4 = hetc.softmax %a axis 1 : tensor<4x8x2xf32>
  // CHECK: hetc.log_softmax %{{.*}} axis -1 : tensor<4x8x2xf32>
  %5 = hetc.log_softmax %a axis -1 : tensor<4x8x2xf32>
  return
}

// CHECK-LABEL: func.func @shapes
func.func @shapes(%a: tensor<8x4x4xf32>, %b: tensor<10xf32>, %c: tensor<4x3xf32>, %d: tensor<4x5xf32>) {
  // CHECK: hetc.reshape %{{.*}} [8, -1] : tensor<8x4x4xf32> -> tensor<8x16xf32>
  %0 = hetc.reshape %a [8, -1] : tensor<8x4x4xf32> -> tensor<8x16xf32>
  // CHECK: hetc.transpose %{{.*}} [2, 0, 1] : tensor<8x4x4xf32> -> tensor<4x8x4xf32>
  %1 = hetc.transpose %a [2, 0, 1] : tensor<8x4x4xf32> -> tensor<4x8x4xf32>
  // CHECK: hetc.broadcast_to %{{.*}} [32, 10] : tensor<10xf32> -> tensor<32x10xf32>
  %2 = hetc.broadcast_to %b [32, 10] : tensor<10xf32> -> tensor<32x10xf32>
  // CHECK: hetc.concat %{{.*}}, %{{.*}} axis 1 : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x8xf32>
  %3 = hetc.concat %c, %d axis 1 : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x8xf32>
  // CHECK: hetc.slice %{{.*}} offsets [0, 1] sizes [4, 2] strides [1, 2] : tensor<4x5xf32> -> tensor<4x2xf32>
  %4 = hetc.slice %d offsets [0, 1] sizes [4, 2] strides [1, 2] : tensor<4x5xf32> -> tensor<4x2xf32>
  return
}

// CHECK-LABEL: func.func @nn
func.func @nn(%x: tensor<8x4x16x16xf32>, %w: tensor<6x4x3x3xf32>, %b: tensor<6xf32>,
              %wg: tensor<6x2x3x3xf32>, %g: tensor<4xf32>, %beta: tensor<4xf32>,
              %h: tensor<8x10xf32>, %g10: tensor<10xf32>, %seq: tensor<2x5x16xf32>,
              %lg: tensor<5x16xf32>, %table: tensor<100x16xf32>, %ids: tensor<2x5xi64>,
              %ids32: tensor<7xi32>, %seed: tensor<i64>) {
  // CHECK: hetc.conv2d %{{.*}}, %{{.*}}, %{{.*}} {padding = array<i64: 1, 1, 1, 1>} : (tensor<8x4x16x16xf32>, tensor<6x4x3x3xf32>, tensor<6xf32>) -> tensor<8x6x16x16xf32>
  %0 = hetc.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<8x4x16x16xf32>, tensor<6x4x3x3xf32>, tensor<6xf32>) -> tensor<8x6x16x16xf32>
  // CHECK: hetc.conv2d %{{.*}}, %{{.*}} {dilation = array<i64: 2, 2>, groups = 2 : i64, strides = array<i64: 2, 1>} : (tensor<8x4x16x16xf32>, tensor<6x2x3x3xf32>) -> tensor<8x6x6x12xf32>
  %1 = hetc.conv2d %x, %wg {strides = array<i64: 2, 1>, dilation = array<i64: 2, 2>, groups = 2 : i64}
      : (tensor<8x4x16x16xf32>, tensor<6x2x3x3xf32>) -> tensor<8x6x6x12xf32>
  // CHECK: hetc.max_pool2d %{{.*}} {kernel_size = array<i64: 2, 2>} : tensor<8x4x16x16xf32> -> tensor<8x4x8x8xf32>
  %2 = hetc.max_pool2d %x {kernel_size = array<i64: 2, 2>} : tensor<8x4x16x16xf32> -> tensor<8x4x8x8xf32>
  // CHECK: hetc.avg_pool2d %{{.*}} {count_include_pad = false, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<8x4x16x16xf32> -> tensor<8x4x16x16xf32>
  %3 = hetc.avg_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = false}
      : tensor<8x4x16x16xf32> -> tensor<8x4x16x16xf32>
  // CHECK: hetc.batch_norm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<8x4x16x16xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4x16x16xf32>
  %4 = hetc.batch_norm %x, %g, %beta : (tensor<8x4x16x16xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4x16x16xf32>
  // CHECK: hetc.batch_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64} : (tensor<8x10xf32>, tensor<10xf32>, tensor<10xf32>) -> tensor<8x10xf32>
  %5 = hetc.batch_norm %h, %g10, %g10 {epsilon = 1.0e-3 : f64} : (tensor<8x10xf32>, tensor<10xf32>, tensor<10xf32>) -> tensor<8x10xf32>
  // CHECK: hetc.layer_norm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x5x16xf32>, tensor<5x16xf32>, tensor<5x16xf32>) -> tensor<2x5x16xf32>
  %6 = hetc.layer_norm %seq, %lg, %lg : (tensor<2x5x16xf32>, tensor<5x16xf32>, tensor<5x16xf32>) -> tensor<2x5x16xf32>
  // CHECK: hetc.embedding %{{.*}}, %{{.*}} : (tensor<100x16xf32>, tensor<2x5xi64>) -> tensor<2x5x16xf32>
  %7 = hetc.embedding %table, %ids : (tensor<100x16xf32>, tensor<2x5xi64>) -> tensor<2x5x16xf32>
  // CHECK: hetc.embedding %{{.*}}, %{{.*}} : (tensor<100x16xf32>, tensor<7xi32>) -> tensor<7x16xf32>
  %8 = hetc.embedding %table, %ids32 : (tensor<100x16xf32>, tensor<7xi32>) -> tensor<7x16xf32>
  // CHECK: hetc.dropout %{{.*}}, %{{.*}} {p = 1.000000e-01 : f64} : (tensor<8x10xf32>, tensor<i64>) -> tensor<8x10xf32>
  %9 = hetc.dropout %h, %seed {p = 0.1 : f64} : (tensor<8x10xf32>, tensor<i64>) -> tensor<8x10xf32>
  return
}

// CHECK-LABEL: func.func @losses
func.func @losses(%logits: tensor<32x10xf32>, %labels: tensor<32xi32>, %labels64: tensor<32xi64>,
                  %p: tensor<32x1xf16>, %t: tensor<32x1xf16>) {
  // CHECK: hetc.cross_entropy %{{.*}}, %{{.*}} : (tensor<32x10xf32>, tensor<32xi32>) -> tensor<f32>
  %0 = hetc.cross_entropy %logits, %labels : (tensor<32x10xf32>, tensor<32xi32>) -> tensor<f32>
  // CHECK: hetc.cross_entropy %{{.*}}, %{{.*}} : (tensor<32x10xf32>, tensor<32xi64>) -> tensor<f32>
  %1 = hetc.cross_entropy %logits, %labels64 : (tensor<32x10xf32>, tensor<32xi64>) -> tensor<f32>
  // CHECK: hetc.mse %{{.*}}, %{{.*}} : (tensor<32x1xf16>, tensor<32x1xf16>) -> tensor<f16>
  %2 = hetc.mse %p, %t : (tensor<32x1xf16>, tensor<32x1xf16>) -> tensor<f16>
  return
}
