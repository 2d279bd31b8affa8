// REQUIRES: rocm-toolkit
// The reproducible mode on rocm: the AMDGPU code multiplies and adds f32
// with separate instructions (no v_fma, v_fmac, v_mac or v_mad).
// RUN: hetc-compile %s --target=rocm --chip=gfx90a --reproducible --emit=asm | FileCheck %s
// RUN: hetc-compile %s --target=rocm --chip=gfx1100 --reproducible --emit=asm | FileCheck %s

// CHECK-NOT: {{v_(fma|fmac|mac|mad|pk_fma)_f32}}
// CHECK: v_mul_f32
// CHECK-NOT: {{v_(fma|fmac|mac|mad|pk_fma)_f32}}
// CHECK: v_add_f32
// CHECK-NOT: {{v_(fma|fmac|mac|mad|pk_fma)_f32}}

// A model without transcendental math, so every multiply and add in the
// code comes from the model (matmuls, SGD) and none from a math library.
func.func @regression(%x: tensor<256x16xf32> {hetc.input, hetc.name = "x"},
                      %y: tensor<256x4xf32> {hetc.label, hetc.name = "y"},
                      %w: tensor<64x16xf32> {hetc.param = #hetc.init<uniform, 0.25>, hetc.name = "w"},
                      %b: tensor<64xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "b"},
                      %w2: tensor<4x64xf32> {hetc.param = #hetc.init<uniform, 0.25>, hetc.name = "w2"})
    -> tensor<f32> {
  %h0 = hetc.matmul %x, %w transpose_rhs : (tensor<256x16xf32>, tensor<64x16xf32>) -> tensor<256x64xf32>
  %h1 = hetc.add %h0, %b : (tensor<256x64xf32>, tensor<64xf32>) -> tensor<256x64xf32>
  %h = hetc.relu %h1 : tensor<256x64xf32>
  %o = hetc.matmul %h, %w2 transpose_rhs : (tensor<256x64xf32>, tensor<4x64xf32>) -> tensor<256x4xf32>
  %loss = hetc.mse %o, %y : (tensor<256x4xf32>, tensor<256x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}
