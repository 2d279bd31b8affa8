// GELU needs erf: Vulkan's GLSL instructions lack it, so the vulkan target
// expands it into a polynomial; OpenCL SPIR-V has it, so level-zero keeps it.
// RUN: hetc-compile %s --target=vulkan --emit=asm | FileCheck %s --check-prefix=VULKAN
// RUN: hetc-compile %s --target=level-zero --emit=asm | FileCheck %s --check-prefix=OPENCL
// VULKAN-NOT: {{[.@_]erf}}
// VULKAN: spirv.GL.Fma
// VULKAN-NOT: {{[.@_]erf}}
// OPENCL: spirv.CL.erf %{{.+}} : f32

func.func @mlp(%x: tensor<256x16xf32> {hetc.input}, %labels: tensor<256xi32> {hetc.label},
               %w: tensor<4x16xf32> {hetc.param = #hetc.init<uniform, 0.25>},
               %b: tensor<4xf32> {hetc.param = #hetc.init<zeros>})
    -> tensor<f32> {
  %h0 = hetc.matmul %x, %w transpose_rhs : (tensor<256x16xf32>, tensor<4x16xf32>) -> tensor<256x4xf32>
  %h1 = hetc.add %h0, %b : (tensor<256x4xf32>, tensor<4xf32>) -> tensor<256x4xf32>
  %h = hetc.gelu %h1 : tensor<256x4xf32>
  %loss = hetc.cross_entropy %h, %labels : (tensor<256x4xf32>, tensor<256xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}
