// REQUIRES: cuda-toolkit, rocm-toolkit
// With hetc's own math (exp and log of the cross-entropy, the division of
// the mean), the reproducible mode's PTX and AMDGPU code hold no fused
// multiply-add at all; the default mode's math libraries use many.
// RUN: hetc-compile %s --target=cuda --reproducible --emit=asm | FileCheck %s --check-prefix=PTX
// RUN: hetc-compile %s --target=cuda --emit=asm | FileCheck %s --check-prefix=PTX-DEFAULT
// RUN: hetc-compile %s --target=rocm --reproducible --emit=asm | FileCheck %s --check-prefix=AMDGPU
// RUN: hetc-compile %s --target=rocm --emit=asm | FileCheck %s --check-prefix=AMDGPU-DEFAULT

// PTX: .entry
// PTX-NOT: fma
// PTX-DEFAULT: fma.rn.f32

// AMDGPU: .amdgcn_target
// AMDGPU-NOT: {{v_(fma|fmac|mac|mad|pk_fma)_f32}}
// AMDGPU-DEFAULT: {{v_(fma|fmac)_f32}}

func.func @mlp(%x: tensor<256x16xf32> {hetc.input, hetc.name = "x"},
               %labels: tensor<256xi32> {hetc.label, hetc.name = "labels"},
               %w: tensor<64x16xf32> {hetc.param = #hetc.init<uniform, 0.25>, hetc.name = "w"},
               %b: tensor<64xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "b"},
               %w2: tensor<4x64xf32> {hetc.param = #hetc.init<uniform, 0.25>, hetc.name = "w2"})
    -> tensor<f32> {
  %h0 = hetc.matmul %x, %w transpose_rhs : (tensor<256x16xf32>, tensor<64x16xf32>) -> tensor<256x64xf32>
  %h1 = hetc.add %h0, %b : (tensor<256x64xf32>, tensor<64xf32>) -> tensor<256x64xf32>
  %h = hetc.relu %h1 : tensor<256x64xf32>
  %logits = hetc.matmul %h, %w2 transpose_rhs : (tensor<256x64xf32>, tensor<4x64xf32>) -> tensor<256x4xf32>
  %loss = hetc.cross_entropy %logits, %labels : (tensor<256x4xf32>, tensor<256xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}
