// RUN: hetc-opt %s --hetc-verify-model --split-input-file --verify-diagnostics | FileCheck %s

// Valid models pass through unchanged. @helper has no hetc.param argument,
// so it is not a model and is not checked; neither is @generated.

// CHECK-LABEL: func.func @mlp
// CHECK-SAME: (%[[X:.*]]: tensor<4x3xf32> {hetc.input}, %[[Y:.*]]: tensor<4xi32> {hetc.label}, %[[W:.*]]: tensor<2x3xf32> {hetc.param = #hetc.init<uniform, 5.000000e-01>})
// CHECK-SAME: -> (tensor<f32>, tensor<4x2xf32>)
// CHECK-NEXT: %[[MM:.*]] = hetc.matmul %[[X]], %[[W]] transpose_rhs
// CHECK-NEXT: %[[C:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK-NEXT: %[[S:.*]] = hetc.mul %[[MM]], %[[C]]
// CHECK-NEXT: %[[LOSS:.*]] = hetc.cross_entropy %[[S]], %[[Y]]
// CHECK-NEXT: return %[[LOSS]], %[[S]] : tensor<f32>, tensor<4x2xf32>
func.func @mlp(%x: tensor<4x3xf32> {hetc.input}, %y: tensor<4xi32> {hetc.label},
               %w: tensor<2x3xf32> {hetc.param = #hetc.init<uniform, 0.5>})
    -> (tensor<f32>, tensor<4x2xf32>) {
  %logits = hetc.matmul %x, %w transpose_rhs : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  %c = arith.constant dense<0.5> : tensor<f32>
  %s = hetc.mul %logits, %c : (tensor<4x2xf32>, tensor<f32>) -> tensor<4x2xf32>
  %loss = hetc.cross_entropy %s, %y : (tensor<4x2xf32>, tensor<4xi32>) -> tensor<f32>
  return %loss, %s : tensor<f32>, tensor<4x2xf32>
}

// CHECK-LABEL: func.func @helper
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]] = arith.addf %[[A]], %[[A]] : tensor<4xf32>
// CHECK-NEXT: return %[[R]]
func.func @helper(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = arith.addf %a, %a : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Functions that hetc generated (gradients, train steps) are not models.
// CHECK-LABEL: func.func @generated
// CHECK-SAME: attributes {hetc.generated}
func.func @generated(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}, %g: tensor<4xf32>)
    -> tensor<4xf32> attributes {hetc.generated} {
  return %g : tensor<4xf32>
}

// -----

// A bf16 regression model with a dropout seed input and named arguments.
// CHECK-LABEL: func.func @regression
// CHECK-SAME: {hetc.input}
// CHECK-SAME: {hetc.label}
// CHECK-SAME: {hetc.input}
// CHECK-SAME: {hetc.name = "w", hetc.param = #hetc.init<normal, 1.000000e+00>}
// CHECK-SAME: -> tensor<bf16>
// CHECK: hetc.dropout
// CHECK: hetc.mse
func.func @regression(%x: tensor<8x4xbf16> {hetc.input}, %t: tensor<8x1xbf16> {hetc.label},
                      %seed: tensor<i64> {hetc.input},
                      %w: tensor<1x4xbf16> {hetc.param = #hetc.init<normal, 1.0>, hetc.name = "w"})
    -> tensor<bf16> {
  %d = hetc.dropout %x, %seed {p = 0.1 : f64} : (tensor<8x4xbf16>, tensor<i64>) -> tensor<8x4xbf16>
  %p = hetc.matmul %d, %w transpose_rhs : (tensor<8x4xbf16>, tensor<1x4xbf16>) -> tensor<8x1xbf16>
  %l = hetc.mse %p, %t : (tensor<8x1xbf16>, tensor<8x1xbf16>) -> tensor<bf16>
  return %l : tensor<bf16>
}

// -----

// The error points at the argument.
func.func @no_role(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                   // expected-error @+1 {{argument #1 of model 'no_role' has no role: mark it hetc.param, hetc.buffer, hetc.input or hetc.label}}
                   %x: tensor<4xf32>) -> tensor<f32> {
  %l = hetc.mse %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op model 'loss_not_0d' must return its loss as the first result, a 0-d f32, f16 or bf16 tensor}}
func.func @loss_not_0d(%x: tensor<4xf32> {hetc.input}, %w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<4xf32> {
  %l = hetc.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %l : tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op model 'loss_not_float' must return its loss as the first result, a 0-d f32, f16 or bf16 tensor}}
func.func @loss_not_float(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<i32> {
  %c = arith.constant dense<0> : tensor<i32>
  return %c : tensor<i32>
}

// -----

// The loss must come first: an auxiliary output cannot precede it.
// expected-error @+1 {{'func.func' op model 'loss_second' must return its loss as the first result}}
func.func @loss_second(%x: tensor<4xf32> {hetc.input}, %w: tensor<4xf32> {hetc.param = #hetc.init<zeros>})
    -> (tensor<4xf32>, tensor<f32>) {
  %l = hetc.mse %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %x, %l : tensor<4xf32>, tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op model 'no_results' must return its loss as the first result}}
func.func @no_results(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) {
  return
}

// -----

// Every unsupported op is reported.
func.func @unsupported(%x: tensor<4xf32> {hetc.input}, %w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  // expected-error @+1 {{'arith.addf' op is not supported in a hetc model (only hetc ops, arith.constant and func.return are)}}
  %s = arith.addf %x, %w : tensor<4xf32>
  // expected-error @+1 {{'tensor.empty' op is not supported in a hetc model (only hetc ops, arith.constant and func.return are)}}
  %e = tensor.empty() : tensor<4xf32>
  %l = hetc.mse %s, %e : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Every violation of one model is reported, not only the first.
// expected-error @+1 {{'func.func' op model 'several' must return its loss as the first result}}
func.func @several(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                   // expected-error @+1 {{argument #1 of model 'several' has no role}}
                   %x: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.constant dense<1.0> : tensor<4xf32>
  // expected-error @+1 {{'arith.mulf' op is not supported in a hetc model}}
  %m = arith.mulf %x, %c : tensor<4xf32>
  return %m : tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op model 'external' has no body}}
func.func private @external(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32>

// -----

// expected-error @+1 {{module has no model: no function has a hetc.param argument}}
module {
  func.func @no_params(%x: tensor<4xf32> {hetc.input}) -> tensor<f32> {
    %l = hetc.mse %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
}
