// The entry option names the model function to check.

// Naming a valid model, or checking every function with a hetc.param
// argument (@helper has none, so it is not a model), passes unchanged.
// RUN: hetc-opt %s --hetc-verify-model=entry=mlp | FileCheck %s
// RUN: hetc-opt %s --hetc-verify-model | FileCheck %s
// CHECK-LABEL: func.func @mlp
// CHECK: hetc.cross_entropy
// CHECK-LABEL: func.func @helper
// CHECK: hetc.mse

// A function named by entry must have a hetc.param argument.
// RUN: hetc-opt %s --hetc-verify-model=entry=helper --verify-diagnostics

// A missing entry function is an error about the module.
// RUN: not hetc-opt %s --hetc-verify-model=entry=missing 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: no function named 'missing' in the module

func.func @mlp(%x: tensor<4x3xf32> {hetc.input}, %y: tensor<4xi32> {hetc.label},
               %w: tensor<2x3xf32> {hetc.param = #hetc.init<uniform, 0.5>}) -> tensor<f32> {
  %logits = hetc.matmul %x, %w transpose_rhs : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  %loss = hetc.cross_entropy %logits, %y : (tensor<4x2xf32>, tensor<4xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// expected-error @+1 {{'func.func' op model 'helper' has no hetc.param argument to train}}
func.func @helper(%x: tensor<4xf32> {hetc.input}) -> tensor<f32> {
  %l = hetc.mse %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
