// RUN: hetc-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(hetc-tie-updated-results))'

// expected-error @+1 {{result #0 has hetc.updates = 3, which is not an argument of the same type}}
func.func @out_of_range(%w: tensor<4xf32>) -> (tensor<4xf32> {hetc.updates = 3 : i64}) {
  return %w : tensor<4xf32>
}

// -----

// expected-error @+1 {{result #0 has hetc.updates = 0, which is not an argument of the same type}}
func.func @type_mismatch(%w: tensor<4xf32>) -> (tensor<2xf32> {hetc.updates = 0 : i64}) {
  %0 = hetc.slice %w offsets [0] sizes [2] strides [1] : tensor<4xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
