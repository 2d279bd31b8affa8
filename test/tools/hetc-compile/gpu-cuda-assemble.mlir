// REQUIRES: cuda-toolkit, ptxas
// The PTX hetc-compile embeds assembles with NVIDIA's ptxas: for the chip
// it was generated for, and (PTX being forward compatible) for a newer one.
// RUN: hetc-compile %s --target=cuda --chip=sm_80 --emit=asm -o %t.sm_80.ptx
// RUN: ptxas -arch=sm_80 %t.sm_80.ptx -o %t.sm_80.cubin
// RUN: test -s %t.sm_80.cubin
// RUN: ptxas -arch=sm_90 %t.sm_80.ptx -o %t.sm_80-on-sm_90.cubin
// RUN: llvm-readobj --file-headers %t.sm_80-on-sm_90.cubin | FileCheck %s
// RUN: hetc-compile %s --target=cuda --chip=sm_90 --emit=asm -o %t.sm_90.ptx
// RUN: ptxas -arch=sm_90 %t.sm_90.ptx -o %t.sm_90.cubin
// RUN: llvm-readobj --file-headers %t.sm_90.cubin | FileCheck %s
// CHECK: Machine: EM_CUDA
// CHECK: Flags [ (0x{{[0-9A-F]*}}5A{{[0-9A-F][0-9A-F]}})

func.func @mlp(%x: tensor<256x16xf32> {hetc.input}, %labels: tensor<256xi32> {hetc.label},
               %w: tensor<4x16xf32> {hetc.param = #hetc.init<uniform, 0.25>},
               %b: tensor<4xf32> {hetc.param = #hetc.init<zeros>})
    -> tensor<f32> {
  %h0 = hetc.matmul %x, %w transpose_rhs : (tensor<256x16xf32>, tensor<4x16xf32>) -> tensor<256x4xf32>
  %h1 = hetc.add %h0, %b : (tensor<256x4xf32>, tensor<4xf32>) -> tensor<256x4xf32>
  %h = hetc.relu %h1 : tensor<256x4xf32>
  %loss = hetc.cross_entropy %h, %labels : (tensor<256x4xf32>, tensor<256xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}
