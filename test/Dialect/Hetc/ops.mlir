// RUN: hetc-opt %s | hetc-opt | FileCheck %s
// RUN: hetc-opt %s --mlir-print-op-generic | hetc-opt | FileCheck %s

// Round trip of every hetc op, attribute and argument role, in the custom
// and in the generic form.

//===----------------------------------------------------------------------===//
// Argument roles and #hetc.init
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @model_contract
// CHECK-SAME: %{{.*}}: tensor<2x4xf32> {hetc.input, hetc.name = "x"}
// CHECK-SAME: %{{.*}}: tensor<2xi32> {hetc.label}
// CHECK-SAME: %{{.*}}: tensor<4xf32> {hetc.param = #hetc.init<uniform, 1.250000e-01>}
// CHECK-SAME: %{{.*}}: tensor<4xf32> {hetc.param = #hetc.init<zeros>}
// CHECK-SAME: %{{.*}}: tensor<4xf16> {hetc.param = #hetc.init<ones>}
// CHECK-SAME: %{{.*}}: tensor<4xbf16> {hetc.param = #hetc.init<normal, 1.000000e+00>}
// CHECK-SAME: %{{.*}}: tensor<4x4xf32> {hetc.name = "w1", hetc.param = #hetc.init<constant, -2.500000e-01>}
// CHECK-SAME: %{{.*}}: tensor<4xf32> {hetc.param = #hetc.init<constant, 0.000000e+00>}
// CHECK-SAME: %{{.*}}: tensor<2x4xi64> {hetc.input}
// CHECK-SAME: %{{.*}}: tensor<2x1xf32> {hetc.label}
func.func @model_contract(%x: tensor<2x4xf32> {hetc.input, hetc.name = "x"},
                          %y: tensor<2xi32> {hetc.label},
                          %a: tensor<4xf32> {hetc.param = #hetc.init<uniform, 0.125>},
                          %b: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                          %c: tensor<4xf16> {hetc.param = #hetc.init<ones>},
                          %d: tensor<4xbf16> {hetc.param = #hetc.init<normal, 1.0>},
                          %e: tensor<4x4xf32> {hetc.param = #hetc.init<constant, -0.25>, hetc.name = "w1"},
                          %f: tensor<4xf32> {hetc.param = #hetc.init<constant>},
                          %ids: tensor<2x4xi64> {hetc.input},
                          %t: tensor<2x1xf32> {hetc.label}) {
  return
}

// CHECK-LABEL: func.func @opt_state
// CHECK-SAME: {hetc.param = #hetc.init<uniform, 5.000000e-01>}
// CHECK-SAME: {hetc.opt_state = {init = #hetc.init<zeros>, kind = "exp_avg", param = 0 : i64}}
// CHECK-SAME: {hetc.opt_state = {init = #hetc.init<zeros>, kind = "exp_avg_sq", param = 0 : i64}}
// CHECK-SAME: {hetc.opt_state = {init = #hetc.init<zeros>, kind = "momentum", param = 0 : i64}}
// CHECK-SAME: {hetc.opt_state = {init = #hetc.init<constant, 1.000000e+00>, kind = "step"}}
func.func @opt_state(%w: tensor<4xf32> {hetc.param = #hetc.init<uniform, 0.5>},
                     %m: tensor<4xf32> {hetc.opt_state = {kind = "exp_avg", init = #hetc.init<zeros>, param = 0 : i64}},
                     %v: tensor<4xf32> {hetc.opt_state = {kind = "exp_avg_sq", init = #hetc.init<zeros>, param = 0 : i64}},
                     %b: tensor<4xf32> {hetc.opt_state = {kind = "momentum", init = #hetc.init<zeros>, param = 0 : i64}},
                     %s: tensor<f32> {hetc.opt_state = {kind = "step", init = #hetc.init<constant, 1.0>}}) {
  return
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:[a-zA-Z0-9_]+]]: tensor<8x16xf32>, %[[B:[a-zA-Z0-9_]+]]: tensor<16x4xf32>, %[[BT:[a-zA-Z0-9_]+]]: tensor<4x16xf32>, %[[AT:[a-zA-Z0-9_]+]]: tensor<16x8xf32>
// CHECK-SAME: %[[BATCH:[a-zA-Z0-9_]+]]: tensor<3x1x8x16xf32>, %[[WB:[a-zA-Z0-9_]+]]: tensor<5x16x4xf32>, %[[X3:[a-zA-Z0-9_]+]]: tensor<2x8x16xf32>, %[[RB:[a-zA-Z0-9_]+]]: tensor<2x16x4xf32>
func.func @matmul(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>, %bt: tensor<4x16xf32>,
                  %at: tensor<16x8xf32>, %batch: tensor<3x1x8x16xf32>,
                  %wb: tensor<5x16x4xf32>, %x3: tensor<2x8x16xf32>,
                  %rb: tensor<2x16x4xf32>) {
  // CHECK: hetc.matmul %[[A]], %[[B]] : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  %0 = hetc.matmul %a, %b : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  // CHECK: hetc.matmul %[[AT]], %[[B]] transpose_lhs : (tensor<16x8xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  %1 = hetc.matmul %at, %b transpose_lhs : (tensor<16x8xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  // CHECK: hetc.matmul %[[A]], %[[BT]] transpose_rhs : (tensor<8x16xf32>, tensor<4x16xf32>) -> tensor<8x4xf32>
  %2 = hetc.matmul %a, %bt transpose_rhs : (tensor<8x16xf32>, tensor<4x16xf32>) -> tensor<8x4xf32>
  // CHECK: hetc.matmul %[[AT]], %[[BT]] transpose_lhs transpose_rhs : (tensor<16x8xf32>, tensor<4x16xf32>) -> tensor<8x4xf32>
  %3 = hetc.matmul %at, %bt transpose_lhs transpose_rhs : (tensor<16x8xf32>, tensor<4x16xf32>) -> tensor<8x4xf32>
  // Batch dimensions [3, 1] and [5] broadcast to [3, 5].
  // CHECK: hetc.matmul %[[BATCH]], %[[WB]] : (tensor<3x1x8x16xf32>, tensor<5x16x4xf32>) -> tensor<3x5x8x4xf32>
  %4 = hetc.matmul %batch, %wb : (tensor<3x1x8x16xf32>, tensor<5x16x4xf32>) -> tensor<3x5x8x4xf32>
  // A rank-2 weight multiplies every matrix of a batch, on either side.
  // CHECK: hetc.matmul %[[X3]], %[[B]] : (tensor<2x8x16xf32>, tensor<16x4xf32>) -> tensor<2x8x4xf32>
  %5 = hetc.matmul %x3, %b : (tensor<2x8x16xf32>, tensor<16x4xf32>) -> tensor<2x8x4xf32>
  // CHECK: hetc.matmul %[[A]], %[[RB]] : (tensor<8x16xf32>, tensor<2x16x4xf32>) -> tensor<2x8x4xf32>
  %6 = hetc.matmul %a, %rb : (tensor<8x16xf32>, tensor<2x16x4xf32>) -> tensor<2x8x4xf32>
  // CHECK: hetc.matmul %[[X3]], %[[BT]] transpose_rhs : (tensor<2x8x16xf32>, tensor<4x16xf32>) -> tensor<2x8x4xf32>
  %7 = hetc.matmul %x3, %bt transpose_rhs : (tensor<2x8x16xf32>, tensor<4x16xf32>) -> tensor<2x8x4xf32>
  return
}

// CHECK-LABEL: func.func @matmul_low_precision
// CHECK-SAME: (%[[H0:[a-zA-Z0-9_]+]]: tensor<8x16xf16>, %[[H1:[a-zA-Z0-9_]+]]: tensor<16x4xf16>, %[[B0:[a-zA-Z0-9_]+]]: tensor<2x8x16xbf16>, %[[B1:[a-zA-Z0-9_]+]]: tensor<4x16xbf16>)
func.func @matmul_low_precision(%h0: tensor<8x16xf16>, %h1: tensor<16x4xf16>,
                                %b0: tensor<2x8x16xbf16>, %b1: tensor<4x16xbf16>) {
  // CHECK: hetc.matmul %[[H0]], %[[H1]] : (tensor<8x16xf16>, tensor<16x4xf16>) -> tensor<8x4xf16>
  %0 = hetc.matmul %h0, %h1 : (tensor<8x16xf16>, tensor<16x4xf16>) -> tensor<8x4xf16>
  // CHECK: hetc.matmul %[[B0]], %[[B1]] transpose_rhs : (tensor<2x8x16xbf16>, tensor<4x16xbf16>) -> tensor<2x8x4xbf16>
  %1 = hetc.matmul %b0, %b1 transpose_rhs : (tensor<2x8x16xbf16>, tensor<4x16xbf16>) -> tensor<2x8x4xbf16>
  return
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[A:[a-zA-Z0-9_]+]]: tensor<4x8xf32>, %[[B:[a-zA-Z0-9_]+]]: tensor<8xf32>, %[[C:[a-zA-Z0-9_]+]]: tensor<4x1xf32>, %[[S:[a-zA-Z0-9_]+]]: tensor<f32>, %[[D:[a-zA-Z0-9_]+]]: tensor<2x1x8xf32>, %[[E:[a-zA-Z0-9_]+]]: tensor<3x1xf32>
func.func @binary(%a: tensor<4x8xf32>, %b: tensor<8xf32>, %c: tensor<4x1xf32>,
                  %s: tensor<f32>, %d: tensor<2x1x8xf32>, %e: tensor<3x1xf32>) {
  // CHECK: hetc.add %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %0 = hetc.add %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK: hetc.sub %[[C]], %[[B]] : (tensor<4x1xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = hetc.sub %c, %b : (tensor<4x1xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK: hetc.mul %[[A]], %[[S]] : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %2 = hetc.mul %a, %s : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  // CHECK: hetc.div %[[A]], %[[C]] : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %3 = hetc.div %a, %c : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  // CHECK: hetc.maximum %[[D]], %[[E]] : (tensor<2x1x8xf32>, tensor<3x1xf32>) -> tensor<2x3x8xf32>
  %4 = hetc.maximum %d, %e : (tensor<2x1x8xf32>, tensor<3x1xf32>) -> tensor<2x3x8xf32>
  // CHECK: hetc.minimum %[[S]], %[[D]] : (tensor<f32>, tensor<2x1x8xf32>) -> tensor<2x1x8xf32>
  %5 = hetc.minimum %s, %d : (tensor<f32>, tensor<2x1x8xf32>) -> tensor<2x1x8xf32>
  // CHECK: hetc.sub %[[S]], %[[S]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %6 = hetc.sub %s, %s : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return
}

// CHECK-LABEL: func.func @binary_low_precision
// CHECK-SAME: (%[[H:[a-zA-Z0-9_]+]]: tensor<4x8xf16>, %[[HS:[a-zA-Z0-9_]+]]: tensor<f16>, %[[B:[a-zA-Z0-9_]+]]: tensor<4x8xbf16>, %[[BR:[a-zA-Z0-9_]+]]: tensor<8xbf16>)
func.func @binary_low_precision(%h: tensor<4x8xf16>, %hs: tensor<f16>,
                                %b: tensor<4x8xbf16>, %br: tensor<8xbf16>) {
  // CHECK: hetc.add %[[H]], %[[HS]] : (tensor<4x8xf16>, tensor<f16>) -> tensor<4x8xf16>
  %0 = hetc.add %h, %hs : (tensor<4x8xf16>, tensor<f16>) -> tensor<4x8xf16>
  // CHECK: hetc.mul %[[BR]], %[[B]] : (tensor<8xbf16>, tensor<4x8xbf16>) -> tensor<4x8xbf16>
  %1 = hetc.mul %br, %b : (tensor<8xbf16>, tensor<4x8xbf16>) -> tensor<4x8xbf16>
  // CHECK: hetc.maximum %[[B]], %[[BR]] : (tensor<4x8xbf16>, tensor<8xbf16>) -> tensor<4x8xbf16>
  %2 = hetc.maximum %b, %br : (tensor<4x8xbf16>, tensor<8xbf16>) -> tensor<4x8xbf16>
  return
}

// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[A:[a-zA-Z0-9_]+]]: tensor<4x8xf32>, %[[H:[a-zA-Z0-9_]+]]: tensor<4x8xf16>, %[[BF:[a-zA-Z0-9_]+]]: tensor<4x8xbf16>, %[[S:[a-zA-Z0-9_]+]]: tensor<f32>)
func.func @unary(%a: tensor<4x8xf32>, %h: tensor<4x8xf16>, %bf: tensor<4x8xbf16>,
                 %s: tensor<f32>) {
  // CHECK: hetc.neg %[[A]] : tensor<4x8xf32>
  %0 = hetc.neg %a : tensor<4x8xf32>
  // CHECK: hetc.exp %[[A]] : tensor<4x8xf32>
  %1 = hetc.exp %a : tensor<4x8xf32>
  // CHECK: hetc.log %[[A]] : tensor<4x8xf32>
  %2 = hetc.log %a : tensor<4x8xf32>
  // CHECK: hetc.sqrt %[[A]] : tensor<4x8xf32>
  %3 = hetc.sqrt %a : tensor<4x8xf32>
  // CHECK: hetc.rsqrt %[[A]] : tensor<4x8xf32>
  %4 = hetc.rsqrt %a : tensor<4x8xf32>
  // CHECK: hetc.tanh %[[A]] : tensor<4x8xf32>
  %5 = hetc.tanh %a : tensor<4x8xf32>
  // CHECK: hetc.sigmoid %[[A]] : tensor<4x8xf32>
  %6 = hetc.sigmoid %a : tensor<4x8xf32>
  // CHECK: hetc.relu %[[A]] : tensor<4x8xf32>
  %7 = hetc.relu %a : tensor<4x8xf32>
  // CHECK: hetc.gelu %[[A]] : tensor<4x8xf32>
  %8 = hetc.gelu %a : tensor<4x8xf32>
  // CHECK: hetc.gelu %[[A]] approximate tanh : tensor<4x8xf32>
  %9 = hetc.gelu %a approximate tanh : tensor<4x8xf32>
  // The default approximation is not printed.
  // CHECK: hetc.gelu %[[A]] : tensor<4x8xf32>
  %10 = hetc.gelu %a approximate none : tensor<4x8xf32>
  // CHECK: hetc.pow %[[A]], 3.000000e+00 : tensor<4x8xf32>
  %11 = hetc.pow %a, 3.0 : tensor<4x8xf32>
  // CHECK: hetc.neg %[[S]] : tensor<f32>
  %12 = hetc.neg %s : tensor<f32>
  return
}

// CHECK-LABEL: func.func @unary_low_precision
// CHECK-SAME: (%[[H:[a-zA-Z0-9_]+]]: tensor<4x8xf16>, %[[BF:[a-zA-Z0-9_]+]]: tensor<4x8xbf16>)
func.func @unary_low_precision(%h: tensor<4x8xf16>, %bf: tensor<4x8xbf16>) {
  // CHECK: hetc.tanh %[[H]] : tensor<4x8xf16>
  %0 = hetc.tanh %h : tensor<4x8xf16>
  // CHECK: hetc.sigmoid %[[BF]] : tensor<4x8xbf16>
  %1 = hetc.sigmoid %bf : tensor<4x8xbf16>
  // CHECK: hetc.relu %[[BF]] : tensor<4x8xbf16>
  %2 = hetc.relu %bf : tensor<4x8xbf16>
  // CHECK: hetc.gelu %[[H]] approximate tanh : tensor<4x8xf16>
  %3 = hetc.gelu %h approximate tanh : tensor<4x8xf16>
  // CHECK: hetc.pow %[[H]], -1.500000e+00 : tensor<4x8xf16>
  %4 = hetc.pow %h, -1.5 : tensor<4x8xf16>
  // CHECK: hetc.rsqrt %[[BF]] : tensor<4x8xbf16>
  %5 = hetc.rsqrt %bf : tensor<4x8xbf16>
  return
}

//===----------------------------------------------------------------------===//
// Reductions and softmax
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reductions
// CHECK-SAME: (%[[A:[a-zA-Z0-9_]+]]: tensor<4x8x2xf32>, %[[H:[a-zA-Z0-9_]+]]: tensor<4x8xf16>)
func.func @reductions(%a: tensor<4x8x2xf32>, %h: tensor<4x8xf16>) {
  // CHECK: hetc.reduce_sum %[[A]] [1] : tensor<4x8x2xf32> -> tensor<4x2xf32>
  %0 = hetc.reduce_sum %a [1] : tensor<4x8x2xf32> -> tensor<4x2xf32>
  // CHECK: hetc.reduce_mean %[[A]] [0, 2] keepdims : tensor<4x8x2xf32> -> tensor<1x8x1xf32>
  %1 = hetc.reduce_mean %a [0, 2] keepdims : tensor<4x8x2xf32> -> tensor<1x8x1xf32>
  // CHECK: hetc.reduce_max %[[A]] [-1] : tensor<4x8x2xf32> -> tensor<4x8xf32>
  %2 = hetc.reduce_max %a [-1] : tensor<4x8x2xf32> -> tensor<4x8xf32>
  // Reducing every axis gives a 0-d tensor.
  // CHECK: hetc.reduce_sum %[[A]] [0, 1, 2] : tensor<4x8x2xf32> -> tensor<f32>
  %3 = hetc.reduce_sum %a [0, 1, 2] : tensor<4x8x2xf32> -> tensor<f32>
  // CHECK: hetc.reduce_max %[[A]] [-1, 0] keepdims : tensor<4x8x2xf32> -> tensor<1x8x1xf32>
  %4 = hetc.reduce_max %a [-1, 0] keepdims : tensor<4x8x2xf32> -> tensor<1x8x1xf32>
  // CHECK: hetc.reduce_mean %[[A]] [-2] : tensor<4x8x2xf32> -> tensor<4x2xf32>
  %5 = hetc.reduce_mean %a [-2] : tensor<4x8x2xf32> -> tensor<4x2xf32>
  // CHECK: hetc.reduce_sum %[[A]] [2, 0] : tensor<4x8x2xf32> -> tensor<8xf32>
  %6 = hetc.reduce_sum %a [2, 0] : tensor<4x8x2xf32> -> tensor<8xf32>
  // CHECK: hetc.reduce_mean %[[A]] [0, 1, 2] keepdims : tensor<4x8x2xf32> -> tensor<1x1x1xf32>
  %7 = hetc.reduce_mean %a [0, 1, 2] keepdims : tensor<4x8x2xf32> -> tensor<1x1x1xf32>
  // CHECK: hetc.reduce_sum %[[H]] [0] : tensor<4x8xf16> -> tensor<8xf16>
  %8 = hetc.reduce_sum %h [0] : tensor<4x8xf16> -> tensor<8xf16>
  return
}

// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[A:[a-zA-Z0-9_]+]]: tensor<4x8x2xf32>, %[[BF:[a-zA-Z0-9_]+]]: tensor<32x10xbf16>)
func.func @softmax(%a: tensor<4x8x2xf32>, %bf: tensor<32x10xbf16>) {
  // CHECK: hetc.softmax %[[A]] axis 1 : tensor<4x8x2xf32>
  %0 = hetc.softmax %a axis 1 : tensor<4x8x2xf32>
  // CHECK: hetc.softmax %[[A]] axis -3 : tensor<4x8x2xf32>
  %1 = hetc.softmax %a axis -3 : tensor<4x8x2xf32>
  // CHECK: hetc.log_softmax %[[A]] axis -1 : tensor<4x8x2xf32>
  %2 = hetc.log_softmax %a axis -1 : tensor<4x8x2xf32>
  // CHECK: hetc.log_softmax %[[BF]] axis 1 : tensor<32x10xbf16>
  %3 = hetc.log_softmax %bf axis 1 : tensor<32x10xbf16>
  return
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[A:[a-zA-Z0-9_]+]]: tensor<8x4x2xf32>, %[[ONE:[a-zA-Z0-9_]+]]: tensor<1x1xf32>)
func.func @reshape(%a: tensor<8x4x2xf32>, %one: tensor<1x1xf32>) {
  // CHECK: hetc.reshape %[[A]] [8, -1] : tensor<8x4x2xf32> -> tensor<8x8xf32>
  %0 = hetc.reshape %a [8, -1] : tensor<8x4x2xf32> -> tensor<8x8xf32>
  // CHECK: hetc.reshape %[[A]] [-1] : tensor<8x4x2xf32> -> tensor<64xf32>
  %1 = hetc.reshape %a [-1] : tensor<8x4x2xf32> -> tensor<64xf32>
  // CHECK: hetc.reshape %[[A]] [2, 4, 8] : tensor<8x4x2xf32> -> tensor<2x4x8xf32>
  %2 = hetc.reshape %a [2, 4, 8] : tensor<8x4x2xf32> -> tensor<2x4x8xf32>
  // CHECK: hetc.reshape %[[A]] [2, -1, 1, 4] : tensor<8x4x2xf32> -> tensor<2x8x1x4xf32>
  %3 = hetc.reshape %a [2, -1, 1, 4] : tensor<8x4x2xf32> -> tensor<2x8x1x4xf32>
  // CHECK: hetc.reshape %[[ONE]] [] : tensor<1x1xf32> -> tensor<f32>
  %4 = hetc.reshape %one [] : tensor<1x1xf32> -> tensor<f32>
  return
}

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[A:[a-zA-Z0-9_]+]]: tensor<8x4x2xf32>, %[[W:[a-zA-Z0-9_]+]]: tensor<128x64xf16>)
func.func @transpose(%a: tensor<8x4x2xf32>, %w: tensor<128x64xf16>) {
  // CHECK: hetc.transpose %[[A]] [2, 0, 1] : tensor<8x4x2xf32> -> tensor<2x8x4xf32>
  %0 = hetc.transpose %a [2, 0, 1] : tensor<8x4x2xf32> -> tensor<2x8x4xf32>
  // CHECK: hetc.transpose %[[A]] [0, 1, 2] : tensor<8x4x2xf32> -> tensor<8x4x2xf32>
  %1 = hetc.transpose %a [0, 1, 2] : tensor<8x4x2xf32> -> tensor<8x4x2xf32>
  // CHECK: hetc.transpose %[[W]] [1, 0] : tensor<128x64xf16> -> tensor<64x128xf16>
  %2 = hetc.transpose %w [1, 0] : tensor<128x64xf16> -> tensor<64x128xf16>
  return
}

// CHECK-LABEL: func.func @broadcast_to
// CHECK-SAME: (%[[B:[a-zA-Z0-9_]+]]: tensor<10xf32>, %[[C:[a-zA-Z0-9_]+]]: tensor<4x1xf32>, %[[S:[a-zA-Z0-9_]+]]: tensor<bf16>)
func.func @broadcast_to(%b: tensor<10xf32>, %c: tensor<4x1xf32>, %s: tensor<bf16>) {
  // CHECK: hetc.broadcast_to %[[B]] [32, 10] : tensor<10xf32> -> tensor<32x10xf32>
  %0 = hetc.broadcast_to %b [32, 10] : tensor<10xf32> -> tensor<32x10xf32>
  // CHECK: hetc.broadcast_to %[[C]] [3, 4, 5] : tensor<4x1xf32> -> tensor<3x4x5xf32>
  %1 = hetc.broadcast_to %c [3, 4, 5] : tensor<4x1xf32> -> tensor<3x4x5xf32>
  // CHECK: hetc.broadcast_to %[[S]] [2, 2] : tensor<bf16> -> tensor<2x2xbf16>
  %2 = hetc.broadcast_to %s [2, 2] : tensor<bf16> -> tensor<2x2xbf16>
  // CHECK: hetc.broadcast_to %[[C]] [4, 1] : tensor<4x1xf32> -> tensor<4x1xf32>
  %3 = hetc.broadcast_to %c [4, 1] : tensor<4x1xf32> -> tensor<4x1xf32>
  return
}

// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:[a-zA-Z0-9_]+]]: tensor<4x3xf32>, %[[B:[a-zA-Z0-9_]+]]: tensor<4x5xf32>, %[[C:[a-zA-Z0-9_]+]]: tensor<1x3xf32>)
func.func @concat(%a: tensor<4x3xf32>, %b: tensor<4x5xf32>, %c: tensor<1x3xf32>) {
  // CHECK: hetc.concat %[[A]], %[[B]] axis 1 : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x8xf32>
  %0 = hetc.concat %a, %b axis 1 : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x8xf32>
  // CHECK: hetc.concat %[[A]], %[[C]], %[[A]] axis -2 : (tensor<4x3xf32>, tensor<1x3xf32>, tensor<4x3xf32>) -> tensor<9x3xf32>
  %1 = hetc.concat %a, %c, %a axis -2 : (tensor<4x3xf32>, tensor<1x3xf32>, tensor<4x3xf32>) -> tensor<9x3xf32>
  // CHECK: hetc.concat %[[C]] axis 0 : (tensor<1x3xf32>) -> tensor<1x3xf32>
  %2 = hetc.concat %c axis 0 : (tensor<1x3xf32>) -> tensor<1x3xf32>
  return
}

// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[D:[a-zA-Z0-9_]+]]: tensor<4x5xf32>, %[[E:[a-zA-Z0-9_]+]]: tensor<2x6x6xf16>)
func.func @slice(%d: tensor<4x5xf32>, %e: tensor<2x6x6xf16>) {
  // CHECK: hetc.slice %[[D]] offsets [0, 1] sizes [4, 2] strides [1, 2] : tensor<4x5xf32> -> tensor<4x2xf32>
  %0 = hetc.slice %d offsets [0, 1] sizes [4, 2] strides [1, 2] : tensor<4x5xf32> -> tensor<4x2xf32>
  // CHECK: hetc.slice %[[D]] offsets [3, 4] sizes [1, 1] strides [1, 1] : tensor<4x5xf32> -> tensor<1x1xf32>
  %1 = hetc.slice %d offsets [3, 4] sizes [1, 1] strides [1, 1] : tensor<4x5xf32> -> tensor<1x1xf32>
  // CHECK: hetc.slice %[[E]] offsets [1, 0, 1] sizes [1, 3, 2] strides [1, 2, 3] : tensor<2x6x6xf16> -> tensor<1x3x2xf16>
  %2 = hetc.slice %e offsets [1, 0, 1] sizes [1, 3, 2] strides [1, 2, 3] : tensor<2x6x6xf16> -> tensor<1x3x2xf16>
  return
}

//===----------------------------------------------------------------------===//
// Neural-network layers
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:[a-zA-Z0-9_]+]]: tensor<8x4x16x16xf32>, %[[W:[a-zA-Z0-9_]+]]: tensor<6x4x3x3xf32>, %[[B:[a-zA-Z0-9_]+]]: tensor<6xf32>, %[[WG:[a-zA-Z0-9_]+]]: tensor<6x2x3x3xf32>, %[[WD:[a-zA-Z0-9_]+]]: tensor<4x1x3x3xf32>
// CHECK-SAME: %[[XH:[a-zA-Z0-9_]+]]: tensor<1x3x8x8xf16>, %[[WH:[a-zA-Z0-9_]+]]: tensor<4x3x1x1xf16>, %[[BH:[a-zA-Z0-9_]+]]: tensor<4xf16>)
func.func @conv2d(%x: tensor<8x4x16x16xf32>, %w: tensor<6x4x3x3xf32>, %b: tensor<6xf32>,
                  %wg: tensor<6x2x3x3xf32>, %wd: tensor<4x1x3x3xf32>,
                  %xh: tensor<1x3x8x8xf16>, %wh: tensor<4x3x1x1xf16>, %bh: tensor<4xf16>) {
  // CHECK: hetc.conv2d %[[X]], %[[W]], %[[B]] {padding = array<i64: 1, 1, 1, 1>} : (tensor<8x4x16x16xf32>, tensor<6x4x3x3xf32>, tensor<6xf32>) -> tensor<8x6x16x16xf32>
  %0 = hetc.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<8x4x16x16xf32>, tensor<6x4x3x3xf32>, tensor<6xf32>) -> tensor<8x6x16x16xf32>
  // CHECK: hetc.conv2d %[[X]], %[[W]] : (tensor<8x4x16x16xf32>, tensor<6x4x3x3xf32>) -> tensor<8x6x14x14xf32>
  %1 = hetc.conv2d %x, %w : (tensor<8x4x16x16xf32>, tensor<6x4x3x3xf32>) -> tensor<8x6x14x14xf32>
  // Explicit default attributes are not printed.
  // CHECK: hetc.conv2d %[[X]], %[[W]] : (tensor<8x4x16x16xf32>, tensor<6x4x3x3xf32>) -> tensor<8x6x14x14xf32>
  %2 = hetc.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64}
      : (tensor<8x4x16x16xf32>, tensor<6x4x3x3xf32>) -> tensor<8x6x14x14xf32>
  // OH = (16 - 2 * 2 - 1) / 2 + 1 = 6, OW = (16 - 5) / 1 + 1 = 12.
  // CHECK: hetc.conv2d %[[X]], %[[WG]] {dilation = array<i64: 2, 2>, groups = 2 : i64, strides = array<i64: 2, 1>} : (tensor<8x4x16x16xf32>, tensor<6x2x3x3xf32>) -> tensor<8x6x6x12xf32>
  %3 = hetc.conv2d %x, %wg {strides = array<i64: 2, 1>, dilation = array<i64: 2, 2>, groups = 2 : i64}
      : (tensor<8x4x16x16xf32>, tensor<6x2x3x3xf32>) -> tensor<8x6x6x12xf32>
  // Depthwise, with asymmetric padding [top, left, bottom, right].
  // CHECK: hetc.conv2d %[[X]], %[[WD]] {groups = 4 : i64, padding = array<i64: 0, 0, 1, 2>} : (tensor<8x4x16x16xf32>, tensor<4x1x3x3xf32>) -> tensor<8x4x15x16xf32>
  %4 = hetc.conv2d %x, %wd {groups = 4 : i64, padding = array<i64: 0, 0, 1, 2>}
      : (tensor<8x4x16x16xf32>, tensor<4x1x3x3xf32>) -> tensor<8x4x15x16xf32>
  // CHECK: hetc.conv2d %[[XH]], %[[WH]], %[[BH]] {strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf16>, tensor<4x3x1x1xf16>, tensor<4xf16>) -> tensor<1x4x4x4xf16>
  %5 = hetc.conv2d %xh, %wh, %bh {strides = array<i64: 2, 2>}
      : (tensor<1x3x8x8xf16>, tensor<4x3x1x1xf16>, tensor<4xf16>) -> tensor<1x4x4x4xf16>
  return
}

// CHECK-LABEL: func.func @pooling
// CHECK-SAME: (%[[X:[a-zA-Z0-9_]+]]: tensor<8x4x16x16xf32>, %[[H:[a-zA-Z0-9_]+]]: tensor<1x2x5x5xbf16>)
func.func @pooling(%x: tensor<8x4x16x16xf32>, %h: tensor<1x2x5x5xbf16>) {
  // CHECK: hetc.max_pool2d %[[X]] {kernel_size = array<i64: 2, 2>} : tensor<8x4x16x16xf32> -> tensor<8x4x8x8xf32>
  %0 = hetc.max_pool2d %x {kernel_size = array<i64: 2, 2>} : tensor<8x4x16x16xf32> -> tensor<8x4x8x8xf32>
  // CHECK: hetc.max_pool2d %[[X]] {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<8x4x16x16xf32> -> tensor<8x4x8x8xf32>
  %1 = hetc.max_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : tensor<8x4x16x16xf32> -> tensor<8x4x8x8xf32>
  // CHECK: hetc.avg_pool2d %[[X]] {kernel_size = array<i64: 2, 2>} : tensor<8x4x16x16xf32> -> tensor<8x4x8x8xf32>
  %2 = hetc.avg_pool2d %x {kernel_size = array<i64: 2, 2>} : tensor<8x4x16x16xf32> -> tensor<8x4x8x8xf32>
  // CHECK: hetc.avg_pool2d %[[X]] {count_include_pad = false, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<8x4x16x16xf32> -> tensor<8x4x16x16xf32>
  %3 = hetc.avg_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = false}
      : tensor<8x4x16x16xf32> -> tensor<8x4x16x16xf32>
  // Non-square kernel with a stride that leaves a remainder: OH = (5 - 3) / 2 + 1 = 2.
  // CHECK: hetc.avg_pool2d %[[H]] {kernel_size = array<i64: 3, 1>, strides = array<i64: 2, 1>} : tensor<1x2x5x5xbf16> -> tensor<1x2x2x5xbf16>
  %4 = hetc.avg_pool2d %h {kernel_size = array<i64: 3, 1>, strides = array<i64: 2, 1>, count_include_pad = true}
      : tensor<1x2x5x5xbf16> -> tensor<1x2x2x5xbf16>
  return
}

// CHECK-LABEL: func.func @normalization
// CHECK-SAME: (%[[X:[a-zA-Z0-9_]+]]: tensor<8x4x16x16xf32>, %[[G:[a-zA-Z0-9_]+]]: tensor<4xf32>, %[[BETA:[a-zA-Z0-9_]+]]: tensor<4xf32>, %[[H:[a-zA-Z0-9_]+]]: tensor<8x10xf32>, %[[G10:[a-zA-Z0-9_]+]]: tensor<10xf32>
// CHECK-SAME: %[[SEQ:[a-zA-Z0-9_]+]]: tensor<2x5x16xf32>, %[[LG:[a-zA-Z0-9_]+]]: tensor<5x16xf32>, %[[G16:[a-zA-Z0-9_]+]]: tensor<16xf32>, %[[BF:[a-zA-Z0-9_]+]]: tensor<2x8xbf16>, %[[GBF:[a-zA-Z0-9_]+]]: tensor<8xbf16>)
func.func @normalization(%x: tensor<8x4x16x16xf32>, %g: tensor<4xf32>, %beta: tensor<4xf32>,
                         %h: tensor<8x10xf32>, %g10: tensor<10xf32>,
                         %seq: tensor<2x5x16xf32>, %lg: tensor<5x16xf32>, %g16: tensor<16xf32>,
                         %bf: tensor<2x8xbf16>, %gbf: tensor<8xbf16>) {
  // CHECK: hetc.batch_norm %[[X]], %[[G]], %[[BETA]] : (tensor<8x4x16x16xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4x16x16xf32>
  %0 = hetc.batch_norm %x, %g, %beta : (tensor<8x4x16x16xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4x16x16xf32>
  // CHECK: hetc.batch_norm %[[H]], %[[G10]], %[[G10]] {epsilon = 1.000000e-03 : f64} : (tensor<8x10xf32>, tensor<10xf32>, tensor<10xf32>) -> tensor<8x10xf32>
  %1 = hetc.batch_norm %h, %g10, %g10 {epsilon = 1.0e-3 : f64} : (tensor<8x10xf32>, tensor<10xf32>, tensor<10xf32>) -> tensor<8x10xf32>
  // CHECK: hetc.layer_norm %[[SEQ]], %[[LG]], %[[LG]] : (tensor<2x5x16xf32>, tensor<5x16xf32>, tensor<5x16xf32>) -> tensor<2x5x16xf32>
  %2 = hetc.layer_norm %seq, %lg, %lg : (tensor<2x5x16xf32>, tensor<5x16xf32>, tensor<5x16xf32>) -> tensor<2x5x16xf32>
  // CHECK: hetc.layer_norm %[[SEQ]], %[[G16]], %[[G16]] {epsilon = 9.9999999999999995E-7 : f64} : (tensor<2x5x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x5x16xf32>
  %3 = hetc.layer_norm %seq, %g16, %g16 {epsilon = 1.0e-6 : f64} : (tensor<2x5x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x5x16xf32>
  // CHECK: hetc.layer_norm %[[BF]], %[[GBF]], %[[GBF]] : (tensor<2x8xbf16>, tensor<8xbf16>, tensor<8xbf16>) -> tensor<2x8xbf16>
  %4 = hetc.layer_norm %bf, %gbf, %gbf : (tensor<2x8xbf16>, tensor<8xbf16>, tensor<8xbf16>) -> tensor<2x8xbf16>
  return
}

// CHECK-LABEL: func.func @embedding
// CHECK-SAME: (%[[T:[a-zA-Z0-9_]+]]: tensor<100x16xf32>, %[[I64:[a-zA-Z0-9_]+]]: tensor<2x5xi64>, %[[I32:[a-zA-Z0-9_]+]]: tensor<7xi32>, %[[I0:[a-zA-Z0-9_]+]]: tensor<i32>, %[[TH:[a-zA-Z0-9_]+]]: tensor<50x8xf16>)
func.func @embedding(%table: tensor<100x16xf32>, %ids: tensor<2x5xi64>,
                     %ids32: tensor<7xi32>, %id: tensor<i32>, %th: tensor<50x8xf16>) {
  // CHECK: hetc.embedding %[[T]], %[[I64]] : (tensor<100x16xf32>, tensor<2x5xi64>) -> tensor<2x5x16xf32>
  %0 = hetc.embedding %table, %ids : (tensor<100x16xf32>, tensor<2x5xi64>) -> tensor<2x5x16xf32>
  // CHECK: hetc.embedding %[[T]], %[[I32]] : (tensor<100x16xf32>, tensor<7xi32>) -> tensor<7x16xf32>
  %1 = hetc.embedding %table, %ids32 : (tensor<100x16xf32>, tensor<7xi32>) -> tensor<7x16xf32>
  // CHECK: hetc.embedding %[[T]], %[[I0]] : (tensor<100x16xf32>, tensor<i32>) -> tensor<16xf32>
  %2 = hetc.embedding %table, %id : (tensor<100x16xf32>, tensor<i32>) -> tensor<16xf32>
  // CHECK: hetc.embedding %[[TH]], %[[I64]] : (tensor<50x8xf16>, tensor<2x5xi64>) -> tensor<2x5x8xf16>
  %3 = hetc.embedding %th, %ids : (tensor<50x8xf16>, tensor<2x5xi64>) -> tensor<2x5x8xf16>
  return
}

// CHECK-LABEL: func.func @dropout
// CHECK-SAME: (%[[H:[a-zA-Z0-9_]+]]: tensor<8x10xf32>, %[[HF:[a-zA-Z0-9_]+]]: tensor<8x10xf16>, %[[SEED:[a-zA-Z0-9_]+]]: tensor<i64>)
func.func @dropout(%h: tensor<8x10xf32>, %hf: tensor<8x10xf16>, %seed: tensor<i64>) {
  // CHECK: hetc.dropout %[[H]], %[[SEED]] {p = 1.000000e-01 : f64} : (tensor<8x10xf32>, tensor<i64>) -> tensor<8x10xf32>
  %0 = hetc.dropout %h, %seed {p = 0.1 : f64} : (tensor<8x10xf32>, tensor<i64>) -> tensor<8x10xf32>
  // CHECK: hetc.dropout %[[HF]], %[[SEED]] {p = 0.000000e+00 : f64} : (tensor<8x10xf16>, tensor<i64>) -> tensor<8x10xf16>
  %1 = hetc.dropout %hf, %seed {p = 0.0 : f64} : (tensor<8x10xf16>, tensor<i64>) -> tensor<8x10xf16>
  return
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @losses
// CHECK-SAME: (%[[LOGITS:[a-zA-Z0-9_]+]]: tensor<32x10xf32>, %[[L32:[a-zA-Z0-9_]+]]: tensor<32xi32>, %[[L64:[a-zA-Z0-9_]+]]: tensor<32xi64>, %[[P:[a-zA-Z0-9_]+]]: tensor<32x1xf16>, %[[T:[a-zA-Z0-9_]+]]: tensor<32x1xf16>
// CHECK-SAME: %[[LBF:[a-zA-Z0-9_]+]]: tensor<32x10xbf16>, %[[P32:[a-zA-Z0-9_]+]]: tensor<4x3x2xf32>)
func.func @losses(%logits: tensor<32x10xf32>, %labels: tensor<32xi32>, %labels64: tensor<32xi64>,
                  %p: tensor<32x1xf16>, %t: tensor<32x1xf16>, %lbf: tensor<32x10xbf16>,
                  %p32: tensor<4x3x2xf32>) {
  // CHECK: hetc.cross_entropy %[[LOGITS]], %[[L32]] : (tensor<32x10xf32>, tensor<32xi32>) -> tensor<f32>
  %0 = hetc.cross_entropy %logits, %labels : (tensor<32x10xf32>, tensor<32xi32>) -> tensor<f32>
  // CHECK: hetc.cross_entropy %[[LOGITS]], %[[L64]] : (tensor<32x10xf32>, tensor<32xi64>) -> tensor<f32>
  %1 = hetc.cross_entropy %logits, %labels64 : (tensor<32x10xf32>, tensor<32xi64>) -> tensor<f32>
  // CHECK: hetc.cross_entropy %[[LBF]], %[[L32]] : (tensor<32x10xbf16>, tensor<32xi32>) -> tensor<bf16>
  %2 = hetc.cross_entropy %lbf, %labels : (tensor<32x10xbf16>, tensor<32xi32>) -> tensor<bf16>
  // CHECK: hetc.mse %[[P]], %[[T]] : (tensor<32x1xf16>, tensor<32x1xf16>) -> tensor<f16>
  %3 = hetc.mse %p, %t : (tensor<32x1xf16>, tensor<32x1xf16>) -> tensor<f16>
  // CHECK: hetc.mse %[[P32]], %[[P32]] : (tensor<4x3x2xf32>, tensor<4x3x2xf32>) -> tensor<f32>
  %4 = hetc.mse %p32, %p32 : (tensor<4x3x2xf32>, tensor<4x3x2xf32>) -> tensor<f32>
  return
}

//===----------------------------------------------------------------------===//
// Gradient ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @compare
// CHECK-SAME: (%[[A:[a-zA-Z0-9_]+]]: tensor<4x8xf32>, %[[Z:[a-zA-Z0-9_]+]]: tensor<f32>, %[[B:[a-zA-Z0-9_]+]]: tensor<4x1xf32>)
func.func @compare(%a: tensor<4x8xf32>, %z: tensor<f32>, %b: tensor<4x1xf32>) {
  // CHECK: hetc.compare gt, %[[A]], %[[Z]] : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %0 = hetc.compare gt, %a, %z : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  // CHECK: hetc.compare eq, %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %1 = hetc.compare eq, %a, %b : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  // CHECK: hetc.compare ne, %[[A]], %[[A]]
  %2 = hetc.compare ne, %a, %a : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: hetc.compare lt, %[[A]], %[[A]]
  %3 = hetc.compare lt, %a, %a : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: hetc.compare le, %[[A]], %[[A]]
  %4 = hetc.compare le, %a, %a : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: hetc.compare ge, %[[Z]], %[[B]] : (tensor<f32>, tensor<4x1xf32>) -> tensor<4x1xf32>
  %5 = hetc.compare ge, %z, %b : (tensor<f32>, tensor<4x1xf32>) -> tensor<4x1xf32>
  return
}

// CHECK-LABEL: func.func @gradient_ops
// CHECK-SAME: (%[[G:[a-zA-Z0-9_]+]]: tensor<4x8xf32>, %[[A:[a-zA-Z0-9_]+]]: tensor<4x8xf32>, %[[GL:[a-zA-Z0-9_]+]]: tensor<f32>, %[[LOGITS:[a-zA-Z0-9_]+]]: tensor<32x10xf32>, %[[LABELS:[a-zA-Z0-9_]+]]: tensor<32xi32>
// CHECK-SAME: %[[GY:[a-zA-Z0-9_]+]]: tensor<8x6x16x16xf32>, %[[X:[a-zA-Z0-9_]+]]: tensor<8x4x16x16xf32>, %[[W:[a-zA-Z0-9_]+]]: tensor<6x4x3x3xf32>, %[[GP:[a-zA-Z0-9_]+]]: tensor<8x4x8x8xf32>
// CHECK-SAME: %[[GE:[a-zA-Z0-9_]+]]: tensor<2x5x16xf32>, %[[IDS:[a-zA-Z0-9_]+]]: tensor<2x5xi64>, %[[T:[a-zA-Z0-9_]+]]: tensor<100x16xf32>, %[[GS:[a-zA-Z0-9_]+]]: tensor<4x2xf32>, %[[D:[a-zA-Z0-9_]+]]: tensor<4x5xf32>)
func.func @gradient_ops(%g: tensor<4x8xf32>, %a: tensor<4x8xf32>,
                        %gl: tensor<f32>, %logits: tensor<32x10xf32>, %labels: tensor<32xi32>,
                        %gy: tensor<8x6x16x16xf32>, %x: tensor<8x4x16x16xf32>, %w: tensor<6x4x3x3xf32>,
                        %gp: tensor<8x4x8x8xf32>,
                        %ge: tensor<2x5x16xf32>, %ids: tensor<2x5xi64>, %table: tensor<100x16xf32>,
                        %gs: tensor<4x2xf32>, %d: tensor<4x5xf32>) {
  // CHECK: hetc.gelu_backward %[[G]], %[[A]] : tensor<4x8xf32>
  %0 = hetc.gelu_backward %g, %a : tensor<4x8xf32>
  // CHECK: hetc.gelu_backward %[[G]], %[[A]] approximate tanh : tensor<4x8xf32>
  %1 = hetc.gelu_backward %g, %a approximate tanh : tensor<4x8xf32>
  // CHECK: hetc.cross_entropy_backward %[[GL]], %[[LOGITS]], %[[LABELS]] : (tensor<f32>, tensor<32x10xf32>, tensor<32xi32>) -> tensor<32x10xf32>
  %2 = hetc.cross_entropy_backward %gl, %logits, %labels
      : (tensor<f32>, tensor<32x10xf32>, tensor<32xi32>) -> tensor<32x10xf32>
  // CHECK: hetc.conv2d_backward_input %[[GY]], %[[W]], %[[X]] {padding = array<i64: 1, 1, 1, 1>} : (tensor<8x6x16x16xf32>, tensor<6x4x3x3xf32>, tensor<8x4x16x16xf32>) -> tensor<8x4x16x16xf32>
  %3 = hetc.conv2d_backward_input %gy, %w, %x {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<8x6x16x16xf32>, tensor<6x4x3x3xf32>, tensor<8x4x16x16xf32>) -> tensor<8x4x16x16xf32>
  // CHECK: hetc.conv2d_backward_weight %[[GY]], %[[X]], %[[W]] {padding = array<i64: 1, 1, 1, 1>} : (tensor<8x6x16x16xf32>, tensor<8x4x16x16xf32>, tensor<6x4x3x3xf32>) -> tensor<6x4x3x3xf32>
  %4 = hetc.conv2d_backward_weight %gy, %x, %w {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<8x6x16x16xf32>, tensor<8x4x16x16xf32>, tensor<6x4x3x3xf32>) -> tensor<6x4x3x3xf32>
  // CHECK: hetc.max_pool2d_backward %[[GP]], %[[X]] {kernel_size = array<i64: 2, 2>} : (tensor<8x4x8x8xf32>, tensor<8x4x16x16xf32>) -> tensor<8x4x16x16xf32>
  %5 = hetc.max_pool2d_backward %gp, %x {kernel_size = array<i64: 2, 2>}
      : (tensor<8x4x8x8xf32>, tensor<8x4x16x16xf32>) -> tensor<8x4x16x16xf32>
  // CHECK: hetc.avg_pool2d_backward %[[GP]], %[[X]] {count_include_pad = false, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<8x4x8x8xf32>, tensor<8x4x16x16xf32>) -> tensor<8x4x16x16xf32>
  %6 = hetc.avg_pool2d_backward %gp, %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = false}
      : (tensor<8x4x8x8xf32>, tensor<8x4x16x16xf32>) -> tensor<8x4x16x16xf32>
  // CHECK: hetc.embedding_backward %[[GE]], %[[IDS]], %[[T]] : (tensor<2x5x16xf32>, tensor<2x5xi64>, tensor<100x16xf32>) -> tensor<100x16xf32>
  %7 = hetc.embedding_backward %ge, %ids, %table
      : (tensor<2x5x16xf32>, tensor<2x5xi64>, tensor<100x16xf32>) -> tensor<100x16xf32>
  // CHECK: hetc.slice_backward %[[GS]], %[[D]] offsets [0, 1] sizes [4, 2] strides [1, 2] : (tensor<4x2xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  %8 = hetc.slice_backward %gs, %d offsets [0, 1] sizes [4, 2] strides [1, 2]
      : (tensor<4x2xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  return
}

//===----------------------------------------------------------------------===//
// A whole model
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @mlp
// CHECK-SAME: (%[[X:[a-zA-Z0-9_]+]]: tensor<32x64xf32> {hetc.input}, %[[Y:[a-zA-Z0-9_]+]]: tensor<32xi32> {hetc.label}, %[[W:[a-zA-Z0-9_]+]]: tensor<10x64xf32> {hetc.param = #hetc.init<uniform, 1.250000e-01>}, %[[B:[a-zA-Z0-9_]+]]: tensor<10xf32> {hetc.param = #hetc.init<uniform, 1.250000e-01>})
// CHECK-SAME: -> (tensor<f32>, tensor<32x10xf32>)
// CHECK:      %[[MM:.*]] = hetc.matmul %[[X]], %[[W]] transpose_rhs
// CHECK-NEXT: %[[LOGITS:.*]] = hetc.add %[[MM]], %[[B]]
// CHECK-NEXT: %[[LOSS:.*]] = hetc.cross_entropy %[[LOGITS]], %[[Y]]
// CHECK-NEXT: return %[[LOSS]], %[[LOGITS]] : tensor<f32>, tensor<32x10xf32>
func.func @mlp(%x: tensor<32x64xf32> {hetc.input},
               %y: tensor<32xi32> {hetc.label},
               %w: tensor<10x64xf32> {hetc.param = #hetc.init<uniform, 0.125>},
               %b: tensor<10xf32> {hetc.param = #hetc.init<uniform, 0.125>})
    -> (tensor<f32>, tensor<32x10xf32>) {
  %mm = hetc.matmul %x, %w transpose_rhs : (tensor<32x64xf32>, tensor<10x64xf32>) -> tensor<32x10xf32>
  %logits = hetc.add %mm, %b : (tensor<32x10xf32>, tensor<10xf32>) -> tensor<32x10xf32>
  %loss = hetc.cross_entropy %logits, %y : (tensor<32x10xf32>, tensor<32xi32>) -> tensor<f32>
  return %loss, %logits : tensor<f32>, tensor<32x10xf32>
}
