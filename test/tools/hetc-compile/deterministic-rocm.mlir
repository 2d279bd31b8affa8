// REQUIRES: rocm-toolkit
// The rocm serializer is deterministic too (see deterministic.mlir).
// RUN: rm -rf %t && mkdir -p %t/a %t/b
// RUN: cd %t/a && env TMPDIR=%t/a hetc-compile %s --target=rocm -o %t/1.hetc
// RUN: cd %t/b && env TMPDIR=%t/b hetc-compile %s --target=rocm -o %t/2.hetc
// RUN: cmp %t/1.hetc %t/2.hetc

func.func @mlp(%x: tensor<8x16xf32> {hetc.input, hetc.name = "x"},
               %labels: tensor<8xi32> {hetc.label, hetc.name = "labels"},
               %w1: tensor<32x16xf32> {hetc.param = #hetc.init<uniform, 0.25>, hetc.name = "w1"},
               %b1: tensor<32xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "b1"},
               %w2: tensor<4x32xf32> {hetc.param = #hetc.init<normal, 0.1>, hetc.name = "w2"})
    -> (tensor<f32>, tensor<8x4xf32>) {
  %h0 = hetc.matmul %x, %w1 transpose_rhs
      : (tensor<8x16xf32>, tensor<32x16xf32>) -> tensor<8x32xf32>
  %h1 = hetc.add %h0, %b1 : (tensor<8x32xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  %h = hetc.relu %h1 : tensor<8x32xf32>
  %logits = hetc.matmul %h, %w2 transpose_rhs
      : (tensor<8x32xf32>, tensor<4x32xf32>) -> tensor<8x4xf32>
  %loss = hetc.cross_entropy %logits, %labels
      : (tensor<8x4xf32>, tensor<8xi32>) -> tensor<f32>
  return %loss, %logits : tensor<f32>, tensor<8x4xf32>
}
