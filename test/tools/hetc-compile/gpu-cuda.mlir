// REQUIRES: cuda-toolkit
// The cuda target: PTX from NVVM, a cubin from ptxas, both in the artifact.
// RUN: hetc-compile %s --target=cuda --chip=sm_90 --emit=asm | FileCheck %s
// RUN: hetc-compile %s --target=cuda --emit=asm | FileCheck %s --check-prefix=DEFAULT

// CHECK: .version 8.0
// CHECK-NEXT: .target sm_90
// CHECK-NEXT: .address_size 64
// Kernels take one device pointer per buffer (bare-pointer convention).
// The first is the forward matmul (its output's zero fill folded in): two
// 16x16 f32 tiles (1 KiB each) in shared memory, written, synchronized on,
// then read.
// CHECK: .visible .entry [[MATMUL:train_step_kernel]](
// CHECK-NEXT: .param .u64 .ptr .align 1 [[MATMUL]]_param_0,
// CHECK-NEXT: .param .u64 .ptr .align 1 [[MATMUL]]_param_1,
// CHECK-NEXT: .param .u64 .ptr .align 1 [[MATMUL]]_param_2
// CHECK-NEXT: )
// CHECK-NEXT: .maxntid 16, 16, 1
// CHECK: .shared .align 4 .b8 {{__wg_train_step_kernel_0}}[1024];
// CHECK: .shared .align 4 .b8 {{__wg_train_step_kernel_1}}[1024];
// CHECK: st.shared.b32
// CHECK: bar.sync 0;
// CHECK: ld.shared
// CHECK: bar.sync 0;
// Elementwise kernels run 256 threads per block.
// CHECK: .visible .entry train_step_kernel_0(
// CHECK: .maxntid 256, 1, 1
// CHECK: .visible .entry eval_kernel(

// Without --chip the target is sm_80.
// DEFAULT: .target sm_80

// The cubin is an ELF for the chip: sm_80 (0x50) and sm_90 (0x5A) in the
// flags' SM field.
// RUN: hetc-compile %s --target=cuda --chip=sm_80 --emit=obj -o %t.sm_80.cubin
// RUN: llvm-readobj --file-headers %t.sm_80.cubin | FileCheck %s --check-prefix=SM80
// SM80: Machine: EM_CUDA
// SM80: EF_CUDA_SM80 << EF_CUDA_SM_OFFSET
// RUN: hetc-compile %s --target=cuda --chip=sm_90 --emit=obj -o %t.sm_90.cubin
// RUN: llvm-readobj --file-headers %t.sm_90.cubin | FileCheck %s --check-prefix=SM90
// SM90: Machine: EM_CUDA
// SM90: Flags [ (0x{{[0-9A-F]*}}5A{{[0-9A-F][0-9A-F]}})

// The artifact holds the cubin and the PTX (for GPUs the cubin does not
// match).
// RUN: rm -f %t.hetc
// RUN: hetc-compile %s --target=cuda --chip=sm_90 -o %t.hetc
// RUN: test -s %t.hetc
// RUN: llvm-strings -n 3 %t.hetc | FileCheck %s --check-prefix=ARTIFACT
// ARTIFACT: HETCART
// ARTIFACT: manifest
// ARTIFACT: cubin
// ARTIFACT: ptx
// ARTIFACT: {"chip":"sm_90",
// ARTIFACT-SAME: "kernels":[{"bindings":3,"block":[16,16,1],"name":"train_step_kernel","source":"gpu-cuda.mlir:{{[0-9]+}}:9"},{"bindings":3,"block":[256,1,1],"name":"train_step_kernel_0","source":"gpu-cuda.mlir:{{[0-9]+}}:9"},
// ARTIFACT-SAME: "target":"cuda"
// ARTIFACT: .target sm_90

func.func @mlp(%x: tensor<256x16xf32> {hetc.input, hetc.name = "x"},
               %labels: tensor<256xi32> {hetc.label, hetc.name = "labels"},
               %w: tensor<4x16xf32> {hetc.param = #hetc.init<uniform, 0.25>, hetc.name = "w"},
               %b: tensor<4xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "b"})
    -> tensor<f32> {
  %h0 = hetc.matmul %x, %w transpose_rhs : (tensor<256x16xf32>, tensor<4x16xf32>) -> tensor<256x4xf32>
  %h1 = hetc.add %h0, %b : (tensor<256x4xf32>, tensor<4xf32>) -> tensor<256x4xf32>
  %h = hetc.relu %h1 : tensor<256x4xf32>
  %loss = hetc.cross_entropy %h, %labels : (tensor<256x4xf32>, tensor<256xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}
