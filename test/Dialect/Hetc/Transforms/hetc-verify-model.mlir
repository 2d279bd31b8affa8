// RUN: hetc-opt %s --hetc-verify-model --split-input-file --verify-diagnostics | FileCheck %s

// A valid model passes unchanged.
// CHECK-LABEL: func.func @mlp
// CHECK: hetc.cross_entropy
func.func @mlp(%x: tensor<4x3xf32> {hetc.input}, %y: tensor<4xi32> {hetc.label},
               %w: tensor<2x3xf32> {hetc.param = #hetc.init<uniform, 0.5>})
    -> (tensor<f32>, tensor<4x2xf32>) {
  %logits = hetc.matmul %x, %w transpose_rhs : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  %c = arith.constant dense<0.5> : tensor<f32>
  %s = hetc.mul %logits, %c : (tensor<4x2xf32>, tensor<f32>) -> tensor<4x2xf32>
  %loss = hetc.cross_entropy %s, %y : (tensor<4x2xf32>, tensor<4xi32>) -> tensor<f32>
  return %loss, %s : tensor<f32>, tensor<4x2xf32>
}

// -----

// expected-error @+1 {{argument #0 of model 'no_role' has no role: mark it hetc.param, hetc.input or hetc.label}}
func.func @no_role(%x: tensor<4xf32>, %w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %l = hetc.mse %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op model 'no_loss' must return its loss as the first result, a 0-d f32, f16 or bf16 tensor}}
func.func @no_loss(%x: tensor<4xf32> {hetc.input}, %w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<4xf32> {
  %l = hetc.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %l : tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op model 'no_results' must return its loss as the first result}}
func.func @no_results(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) {
  return
}

// -----

func.func @unsupported(%x: tensor<4xf32> {hetc.input}, %w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  // expected-error @+1 {{'arith.addf' op is not supported in a hetc model (only hetc ops, arith.constant and func.return are)}}
  %s = arith.addf %x, %w : tensor<4xf32>
  %l = hetc.mse %s, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op model 'external' has no body}}
func.func private @external(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32>
