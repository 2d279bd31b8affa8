// RUN: hetc-opt %s --hetc-train-step="momentum=0.9" | FileCheck %s

// Buffers (running statistics, a frozen weight) get no gradient and no
// optimizer state; train_step places them after the optimizer state and
// the hyper-parameters, and writes each buffer update back into its buffer
// (hetc.updates, like the parameters). The eval-mode function is not a second model.
func.func @model(%x: tensor<4x3xf32> {hetc.input, hetc.name = "x"},
                 %rm: tensor<3xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "running_mean"},
                 %w: tensor<2x3xf32> {hetc.param = #hetc.init<uniform, 0.5>, hetc.name = "w"},
                 %frozen: tensor<2xf32> {hetc.buffer = #hetc.init<constant, 2.0>, hetc.name = "frozen"},
                 %y: tensor<4x2xf32> {hetc.label, hetc.name = "y"})
    -> (tensor<f32>, tensor<3xf32> {hetc.buffer_update = 1 : i64}, tensor<4x2xf32>) {
  %mean = hetc.reduce_mean %x [0] : tensor<4x3xf32> -> tensor<3xf32>
  %xc = hetc.sub %x, %mean : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %h = hetc.matmul %xc, %w transpose_rhs : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  %o = hetc.mul %h, %frozen : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %loss = hetc.mse %o, %y : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<f32>
  %c = arith.constant dense<0.9> : tensor<f32>
  %keep = hetc.mul %rm, %c : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %new = hetc.add %keep, %mean : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %loss, %new, %o : tensor<f32>, tensor<3xf32>, tensor<4x2xf32>
}

func.func @model_eval(%x: tensor<4x3xf32> {hetc.input, hetc.name = "x"},
                      %rm: tensor<3xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "running_mean"},
                      %w: tensor<2x3xf32> {hetc.param = #hetc.init<uniform, 0.5>, hetc.name = "w"},
                      %frozen: tensor<2xf32> {hetc.buffer = #hetc.init<constant, 2.0>, hetc.name = "frozen"},
                      %y: tensor<4x2xf32> {hetc.label, hetc.name = "y"})
    -> (tensor<f32>, tensor<4x2xf32>) attributes {hetc.eval_of = "model"} {
  %xc = hetc.sub %x, %rm : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %h = hetc.matmul %xc, %w transpose_rhs : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  %o = hetc.mul %h, %frozen : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %loss = hetc.mse %o, %y : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<f32>
  return %loss, %o : tensor<f32>, tensor<4x2xf32>
}

// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: %[[W:[^:]+]]: tensor<2x3xf32> {hetc.name = "w", hetc.param = #hetc.init<uniform, 5.000000e-01>}
// CHECK-SAME: %[[MOM:[^:]+]]: tensor<2x3xf32> {hetc.opt_state = {init = #hetc.init<zeros>, kind = "momentum", param = 0 : i64}}
// CHECK-SAME: hetc.name = "hyper:lr"
// CHECK-SAME: hetc.name = "hyper:weight_decay"
// CHECK-SAME: hetc.name = "hyper:momentum"
// CHECK-SAME: %[[RM:[^:]+]]: tensor<3xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "running_mean"}
// CHECK-SAME: %[[FROZEN:[^:]+]]: tensor<2xf32> {hetc.buffer = #hetc.init<constant, 2.000000e+00>, hetc.name = "frozen"}
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x3xf32> {hetc.input, hetc.name = "x"}
// CHECK-SAME: %[[Y:[^:]+]]: tensor<4x2xf32> {hetc.label, hetc.name = "y"})
// CHECK-SAME: -> (tensor<2x3xf32> {hetc.updates = 0 : i64}, tensor<2x3xf32> {hetc.updates = 1 : i64}, tensor<3xf32> {hetc.updates = 5 : i64}, tensor<f32> {hetc.loss}, tensor<4x2xf32> {hetc.output})
// CHECK: %[[MEAN:.*]] = hetc.reduce_mean %[[X]] [0]
// CHECK: %[[O:.*]] = hetc.mul %{{.*}}, %[[FROZEN]]
// CHECK: %[[LOSS:.*]] = hetc.mse %[[O]], %[[Y]]
// CHECK: %[[KEEP:.*]] = hetc.mul %[[RM]], %{{.*}}
// CHECK: %[[NEWRM:.*]] = hetc.add %[[KEEP]], %[[MEAN]]
// The running-mean update is not differentiated: the reverse pass only
// reaches the parameter, through the matmul.
// CHECK-NOT: hetc.reduce_mean
// CHECK: %[[GW:.*]] = hetc.matmul %{{.*}}, %{{.*}} transpose_lhs
// CHECK-NOT: hetc.matmul
// CHECK: %[[NW:.*]] = hetc.sub %[[W]], %{{.*}}
// CHECK: return %[[NW]], %{{.*}}, %[[NEWRM]], %[[LOSS]], %[[O]]
// The eval-mode function stays as it was.
// CHECK-LABEL: func.func @model_eval(
// CHECK-SAME: attributes {hetc.eval_of = "model"}
