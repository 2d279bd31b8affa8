// RUN: hetc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(hetc-tie-updated-results))' | FileCheck %s

// An updated parameter is materialized into its own argument, which becomes
// writable; inputs and labels become read-only and roles are dropped.
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%[[W:.*]]: tensor<4xf32> {bufferization.writable = true},
// CHECK-SAME: %[[X:.*]]: tensor<4xf32> {bufferization.writable = false},
// CHECK-SAME: %[[Y:.*]]: tensor<4xf32> {bufferization.writable = false})
// CHECK-SAME: -> (tensor<4xf32>, tensor<f32>)
// CHECK-SAME: hetc.tied_results = array<i64: 0, -1>
// CHECK: %[[NEW:.*]] = hetc.sub %[[W]], %[[X]]
// CHECK: %[[TIED:.*]] = bufferization.materialize_in_destination %[[NEW]] in %[[W]]
// CHECK: return %[[TIED]], %{{.*}}
func.func @train_step(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                      %x: tensor<4xf32> {hetc.input},
                      %y: tensor<4xf32> {hetc.label})
    -> (tensor<4xf32> {hetc.updates = 0 : i64}, tensor<f32> {hetc.loss}) {
  %new = hetc.sub %w, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %loss = hetc.mse %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %new, %loss : tensor<4xf32>, tensor<f32>
}

// -----

// Without updated results nothing is tied.
// CHECK-LABEL: func.func @eval
// CHECK-NOT: hetc.tied_results
// CHECK-NOT: materialize_in_destination
func.func @eval(%x: tensor<4xf32> {hetc.input}, %y: tensor<4xf32> {hetc.label})
    -> tensor<f32> {
  %loss = hetc.mse %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

