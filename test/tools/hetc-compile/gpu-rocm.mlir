// REQUIRES: rocm-toolkit
// The rocm target: AMDGPU code linked with the ROCm device libraries into
// an HSACO code object.
// RUN: hetc-compile %s --target=rocm --chip=gfx90a --emit=asm | FileCheck %s
// RUN: hetc-compile %s --target=rocm --emit=asm | FileCheck %s

// CHECK: .amdgcn_target "amdgcn-amd-amdhsa--gfx90a
// The forward matmul (its output's zero fill folded in) stages its tiles in
// LDS between barriers; the two 16x16 f32 tiles take 2 KiB of group
// segment.
// CHECK-LABEL: {{^}}train_step_kernel:
// CHECK: ds_write_b32
// CHECK: s_barrier
// CHECK: ds_read
// CHECK: s_barrier
// CHECK: .amdhsa_kernel train_step_kernel
// CHECK-NEXT: .amdhsa_group_segment_fixed_size 2048
// CHECK-LABEL: {{^}}train_step_kernel_0:
// CHECK-LABEL: {{^}}eval_kernel:
// CDNA runs 64-wide waves.
// CHECK: amdhsa.kernels:
// CHECK: .wavefront_size: 64
// CHECK: amdhsa.target: amdgcn-amd-amdhsa--gfx90a

// RDNA (gfx11) runs 32-wide waves.
// RUN: hetc-compile %s --target=rocm --chip=gfx1100 --emit=asm | FileCheck %s --check-prefix=RDNA
// RDNA: .amdgcn_target "amdgcn-amd-amdhsa--gfx1100"
// RDNA: .amdhsa_wavefront_size32 1

// The code object is an AMDGPU ELF for the chip.
// RUN: hetc-compile %s --target=rocm --chip=gfx942 --emit=obj -o %t.gfx942.hsaco
// RUN: llvm-readobj --file-headers %t.gfx942.hsaco | FileCheck %s --check-prefix=OBJ
// OBJ: Format: elf64-amdgpu
// OBJ: OS/ABI: AMDGPU_HSA
// OBJ: Machine: EM_AMDGPU
// OBJ: EF_AMDGPU_MACH_AMDGCN_GFX942

// RUN: rm -f %t.hetc
// RUN: hetc-compile %s --target=rocm --chip=gfx90a -o %t.hetc
// RUN: test -s %t.hetc
// RUN: llvm-strings -n 3 %t.hetc | FileCheck %s --check-prefix=ARTIFACT
// ARTIFACT: HETCART
// ARTIFACT: manifest
// ARTIFACT: hsaco
// ARTIFACT: {"chip":"gfx90a",
// ARTIFACT-SAME: "kernels":[{"bindings":3,"block":[16,16,1],"name":"train_step_kernel","source":"gpu-rocm.mlir:{{[0-9]+}}:9"},{"bindings":3,"block":[256,1,1],"name":"train_step_kernel_0","source":"gpu-rocm.mlir:{{[0-9]+}}:9"},
// ARTIFACT-SAME: "target":"rocm"

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
