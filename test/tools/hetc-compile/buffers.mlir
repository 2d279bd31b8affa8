// The eval entry comes from the eval-mode function (hetc.eval_of), without
// its buffer updates; train_step comes from the model and writes the
// running mean back in place; neither source function is kept.
// RUN: hetc-compile %s --emit=hetc | FileCheck %s
// RUN: hetc-compile %s --emit=linalg | FileCheck %s --check-prefix=LINALG

// CHECK: module attributes {hetc.entries = ["train_step", "eval"], hetc.signature = "hetc-signature 1{{.*}}"}
// CHECK-NOT: func.func @model
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 1.000000e-02>, name = "lr"}, hetc.name = "hyper:lr"}
// CHECK-SAME: %arg3: tensor<3xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "running_mean"}
// CHECK-SAME: -> (tensor<3xf32> {hetc.updates = 0 : i64}, tensor<3xf32> {hetc.updates = 3 : i64}, tensor<f32> {hetc.loss})
// CHECK: hetc.reduce_mean
// CHECK-LABEL: func.func @eval(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x3xf32> {hetc.input, hetc.name = "x"}
// CHECK-SAME: %[[RM:[^:]+]]: tensor<3xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "running_mean"}
// CHECK-SAME: -> tensor<f32> {
// CHECK-NOT: hetc.eval_of
// CHECK: hetc.sub %[[X]], %[[RM]]
// CHECK: return %{{.*}} : tensor<f32>
// CHECK-NOT: func.func @model

// Train_step updates the running mean in place; eval reads it and may not
// write it.
// LINALG-LABEL: func.func @train_step(
// LINALG-SAME: %{{[^:]+}}: tensor<3xf32> {bufferization.writable = true}
// Hyper-parameters are read-only: never a scratch buffer.
// LINALG-SAME: %{{[^:]+}}: tensor<f32> {bufferization.writable = false}
// LINALG-SAME: %{{[^:]+}}: tensor<f32> {bufferization.writable = false}
// LINALG-SAME: %{{[^:]+}}: tensor<3xf32> {bufferization.writable = true}
// LINALG-SAME: %{{[^:]+}}: tensor<4x3xf32> {bufferization.writable = false}
// LINALG: bufferization.materialize_in_destination %{{.*}} in %arg0
// LINALG: bufferization.materialize_in_destination %{{.*}} in %arg3
// LINALG-LABEL: func.func @eval(
// LINALG-SAME: %{{[^:]+}}: tensor<3xf32> {bufferization.writable = false}
// LINALG-NOT: materialize_in_destination

func.func @model(%w: tensor<3xf32> {hetc.param = #hetc.init<ones>, hetc.name = "w"},
                 %x: tensor<4x3xf32> {hetc.input, hetc.name = "x"},
                 %rm: tensor<3xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "running_mean"})
    -> (tensor<f32>, tensor<3xf32> {hetc.buffer_update = 2 : i64}) {
  %m = hetc.reduce_mean %x [0] : tensor<4x3xf32> -> tensor<3xf32>
  %xc = hetc.sub %x, %m : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %s = hetc.mul %xc, %w : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %l = hetc.reduce_mean %s [0, 1] : tensor<4x3xf32> -> tensor<f32>
  %c = arith.constant dense<0.5> : tensor<f32>
  %a = hetc.mul %rm, %c : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %b = hetc.mul %m, %c : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %new = hetc.add %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %l, %new : tensor<f32>, tensor<3xf32>
}

func.func @model_eval(%x: tensor<4x3xf32> {hetc.input, hetc.name = "x"},
                      %rm: tensor<3xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "running_mean"},
                      %w: tensor<3xf32> {hetc.param = #hetc.init<ones>, hetc.name = "w"})
    -> (tensor<f32>, tensor<3xf32> {hetc.buffer_update = 1 : i64})
    attributes {hetc.eval_of = "model"} {
  %xc = hetc.sub %x, %rm : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %s = hetc.mul %xc, %w : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %l = hetc.reduce_mean %s [0, 1] : tensor<4x3xf32> -> tensor<f32>
  return %l, %rm : tensor<f32>, tensor<3xf32>
}
