// RUN: hetc-opt %s --hetc-debug-intermediates -verify-diagnostics

// The twin's name is taken.
func.func @train_step(%x: tensor<4xf32> {hetc.input}) -> tensor<4xf32> {
  %r = hetc.relu %x : tensor<4xf32>
  return %r : tensor<4xf32>
}

// expected-error @+1 {{the entry name 'train_step_debug' is reserved for the generated debug entry}}
func.func @train_step_debug(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
