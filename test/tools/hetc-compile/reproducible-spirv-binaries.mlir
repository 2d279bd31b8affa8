// REQUIRES: spirv-val
// The reproducible mode's SPIR-V binaries are valid for their client APIs:
// NoContraction decorations in the Vulkan shaders, the ContractionOff
// execution mode on every Level Zero kernel (where the decoration would
// need the Shader capability).
// RUN: hetc-compile %s --target=vulkan --reproducible --emit=obj -o %t.vulkan.spv
// RUN: spirv-val --target-env vulkan1.1 %t.vulkan.spv
// RUN: hetc-compile %s --target=level-zero --reproducible --emit=obj -o %t.level-zero.spv
// RUN: spirv-val --target-env opencl1.2 %t.level-zero.spv
// RUN: hetc-compile %s --target=level-zero --reproducible --emit=asm | FileCheck %s

// CHECK: spirv.EntryPoint "Kernel" @[[K:[a-z_0-9]+]]
// CHECK-NEXT: spirv.ExecutionMode @[[K]] "ContractionOff"
// CHECK-NOT: no_contraction

func.func @mlp(%x: tensor<256x16xf32> {hetc.input, hetc.name = "x"},
               %labels: tensor<256xi32> {hetc.label, hetc.name = "labels"},
               %w: tensor<64x16xf32> {hetc.param = #hetc.init<uniform, 0.25>, hetc.name = "w"},
               %b: tensor<64xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "b"})
    -> tensor<f32> {
  %h0 = hetc.matmul %x, %w transpose_rhs : (tensor<256x16xf32>, tensor<64x16xf32>) -> tensor<256x64xf32>
  %h1 = hetc.add %h0, %b : (tensor<256x64xf32>, tensor<64xf32>) -> tensor<256x64xf32>
  %h = hetc.relu %h1 : tensor<256x64xf32>
  %loss = hetc.mse %h, %h0 : (tensor<256x64xf32>, tensor<256x64xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}
