// REQUIRES: spirv-val
// The SPIR-V binaries pass the Khronos validator for the environment each
// target's driver consumes them in.
// RUN: hetc-compile %s --target=vulkan --emit=obj -o %t.vulkan.spv
// RUN: spirv-val --target-env vulkan1.1 %t.vulkan.spv
// RUN: hetc-compile %s --target=level-zero --emit=obj -o %t.level-zero.spv
// RUN: spirv-val --target-env opencl1.2 %t.level-zero.spv
// The flavours differ: a Vulkan validator rejects the OpenCL module.
// RUN: not spirv-val --target-env vulkan1.1 %t.level-zero.spv 2>&1 | FileCheck %s --check-prefix=WRONG-ENV
// WRONG-ENV: Capability Kernel is not allowed by Vulkan 1.1 specification

// GELU puts erf in both binaries: Vulkan's as a polynomial, OpenCL's as
// the extended instruction.
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
