// A shape error is reported at its line, and nothing is written.
// RUN: rm -f %t.hetc
// RUN: not hetc-compile %s -o %t.hetc 2>&1 | FileCheck %s
// RUN: not test -e %t.hetc

func.func @model(%x: tensor<2x3xf32> {hetc.input}, %y: tensor<2x4xf32> {hetc.label},
                 %w: tensor<4x4xf32> {hetc.param = #hetc.init<uniform, 0.5>})
    -> tensor<f32> {
  // CHECK: invalid-model.mlir:[[@LINE+1]]:8: error: 'hetc.matmul' op contraction dimensions differ
  %p = hetc.matmul %x, %w : (tensor<2x3xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %l = hetc.mse %p, %y : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
