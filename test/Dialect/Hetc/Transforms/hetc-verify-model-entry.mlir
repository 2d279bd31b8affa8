// Errors about the module as a whole, and the entry option.
// RUN: not hetc-opt %s --hetc-verify-model=entry=missing 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: no function named 'missing' in the module

// RUN: not hetc-opt %s --hetc-verify-model 2>&1 | FileCheck %s --check-prefix=NOMODEL
// NOMODEL: error: module has no model: no function has a hetc.param argument

// RUN: not hetc-opt %s --hetc-verify-model=entry=helper 2>&1 | FileCheck %s --check-prefix=NOPARAM
// NOPARAM: error: 'func.func' op model 'helper' has no hetc.param argument to train

func.func @helper(%x: tensor<4xf32> {hetc.input}) -> tensor<f32> {
  %l = hetc.mse %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
