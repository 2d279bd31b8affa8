// Compilation is deterministic: the same source, options and compiler give
// a byte-identical artifact, whatever the working directory and TMPDIR, so
// a verifier can recompile an artifact and compare hashes.
// RUN: rm -rf %t && mkdir -p %t/a %t/b
// RUN: cd %t/a && env TMPDIR=%t/a hetc-compile %s --target=cpu --optimizer=adam -o %t/cpu1.hetc
// RUN: cd %t/b && env TMPDIR=%t/b hetc-compile %s --target=cpu --optimizer=adam -o %t/cpu2.hetc
// RUN: cmp %t/cpu1.hetc %t/cpu2.hetc
// RUN: cd %t/a && env TMPDIR=%t/a hetc-compile %s --target=vulkan -o %t/vk1.hetc
// RUN: cd %t/b && env TMPDIR=%t/b hetc-compile %s --target=vulkan -o %t/vk2.hetc
// RUN: cmp %t/vk1.hetc %t/vk2.hetc
// RUN: cd %t/a && env TMPDIR=%t/a hetc-compile %s --target=level-zero -o %t/ze1.hetc
// RUN: cd %t/b && env TMPDIR=%t/b hetc-compile %s --target=level-zero -o %t/ze2.hetc
// RUN: cmp %t/ze1.hetc %t/ze2.hetc

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
