// REQUIRES: cuda-toolkit
// Large matmuls run on tensor cores from sm_80 on: m16n8k8 TF32 MMAs with
// 3xTF32 operand splitting; sm_75 (no TF32 MMA) keeps the SIMT kernels.
// RUN: hetc-compile %s --target=cuda --chip=sm_80 --emit=asm | FileCheck %s
// RUN: hetc-compile %s --target=cuda --chip=sm_90 --emit=asm | FileCheck %s
// RUN: hetc-compile %s --target=cuda --chip=sm_75 --emit=asm | FileCheck %s --check-prefix=TURING

// The forward matmul (544x530 outputs): 128x128 per 256-thread block.
// CHECK: .visible .entry eval_kernel(
// CHECK: .maxntid 16, 16, 1
// CHECK: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// TURING-NOT: mma.sync

// ptxas accepts the tensor-core PTX for the chip it names.
// RUN: hetc-compile %s --target=cuda --chip=sm_80 --emit=asm -o %t.sm_80.ptx
// RUN: ptxas -arch=sm_80 %t.sm_80.ptx -o %t.sm_80.cubin
// RUN: hetc-compile %s --target=cuda --chip=sm_90 --emit=asm -o %t.sm_90.ptx
// RUN: ptxas -arch=sm_90 %t.sm_90.ptx -o %t.sm_90.cubin

func.func @mm(%a: tensor<544x520xf32> {hetc.param = #hetc.init<normal, 1.0>, hetc.name = "a"},
              %b: tensor<520x530xf32> {hetc.param = #hetc.init<normal, 1.0>, hetc.name = "b"},
              %r: tensor<544x530xf32> {hetc.input, hetc.name = "r"})
    -> (tensor<f32>, tensor<544x530xf32>) {
  %c = hetc.matmul %a, %b : (tensor<544x520xf32>, tensor<520x530xf32>) -> tensor<544x530xf32>
  %w = hetc.mul %c, %r : (tensor<544x530xf32>, tensor<544x530xf32>) -> tensor<544x530xf32>
  %l = hetc.reduce_sum %w [0, 1] : tensor<544x530xf32> -> tensor<f32>
  return %l, %c : tensor<f32>, tensor<544x530xf32>
}
