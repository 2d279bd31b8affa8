// The errors a user meets choosing a GPU target: each names what is wrong
// and what to do, and nothing is written.
// RUN: rm -rf %t && mkdir -p %t

// An unknown chip lists the valid ones (checked before any toolkit).
// RUN: not hetc-compile %s --target=cuda --chip=sm_50 -o %t/a.hetc 2>&1 | FileCheck %s --check-prefix=CUDA-CHIP
// CUDA-CHIP: error: unknown chip 'sm_50' for the cuda target (valid: sm_75, sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a, sm_100, sm_120)
// RUN: not hetc-compile %s --target=rocm --chip=gfx803 -o %t/a.hetc 2>&1 | FileCheck %s --check-prefix=ROCM-CHIP
// ROCM-CHIP: error: unknown chip 'gfx803' for the rocm target (valid: gfx908, gfx90a, gfx942, gfx1030, gfx1100)
// RUN: not hetc-compile %s --target=vulkan --chip=sm_80 -o %t/a.hetc 2>&1 | FileCheck %s --check-prefix=VULKAN-CHIP
// VULKAN-CHIP: error: unknown chip 'sm_80' for the vulkan target (valid: generic; SPIR-V is compiled for the device by its driver)
// RUN: not hetc-compile %s --target=level-zero --chip=pvc -o %t/a.hetc 2>&1 | FileCheck %s --check-prefix=L0-CHIP
// L0-CHIP: error: unknown chip 'pvc' for the level-zero target (valid: generic; SPIR-V is compiled for the device by its driver)

// A missing CUDA toolkit: the error names the missing piece and where the
// toolkit is looked for.
// RUN: env CUDA_HOME=%t/nonexistent not hetc-compile %s --target=cuda -o %t/a.hetc 2>&1 | FileCheck %s --check-prefix=NO-CUDA -DDIR=%t
// NO-CUDA: error: the cuda target needs [[DIR]]/nonexistent/bin/ptxas, which is missing: install the CUDA toolkit at /usr/local/cuda or point CUDA_HOME at it
// RUN: mkdir -p %t/cuda/bin && touch %t/cuda/bin/ptxas
// RUN: env CUDA_HOME=%t/cuda not hetc-compile %s --target=cuda --emit=asm 2>&1 | FileCheck %s --check-prefix=NO-LIBDEVICE -DDIR=%t
// NO-LIBDEVICE: error: the cuda target needs [[DIR]]/cuda/nvvm/libdevice/libdevice.10.bc, which is missing: install the CUDA toolkit

// A missing ROCm toolkit names the piece and the Debian package providing
// it: the linker, the device libraries, then the chip's ISA library.
// RUN: env HETC_ROCM_TOOLKIT=%t/nonexistent not hetc-compile %s --target=rocm -o %t/a.hetc 2>&1 | FileCheck %s --check-prefix=NO-LLD -DDIR=%t
// NO-LLD: error: the rocm target needs [[DIR]]/nonexistent/llvm/bin/ld.lld, which is missing: install Debian's lld-22 package and reconfigure hetc (the build assembles the toolkit folder), or set HETC_ROCM_TOOLKIT
// RUN: mkdir -p %t/rocm/llvm/bin %t/rocm/amdgcn/bitcode && touch %t/rocm/llvm/bin/ld.lld
// RUN: env HETC_ROCM_TOOLKIT=%t/rocm not hetc-compile %s --target=rocm -o %t/a.hetc 2>&1 | FileCheck %s --check-prefix=NO-OCML -DDIR=%t
// NO-OCML: error: the rocm target needs [[DIR]]/rocm/amdgcn/bitcode/ocml.bc, which is missing: install Debian's rocm-device-libs package
// RUN: touch %t/rocm/amdgcn/bitcode/ocml.bc %t/rocm/amdgcn/bitcode/ockl.bc
// RUN: env HETC_ROCM_TOOLKIT=%t/rocm not hetc-compile %s --target=rocm --chip=gfx1030 -o %t/a.hetc 2>&1 | FileCheck %s --check-prefix=NO-ISA -DDIR=%t
// NO-ISA: error: the rocm target needs [[DIR]]/rocm/amdgcn/bitcode/oclc_isa_version_1030.bc, which is missing: install Debian's rocm-device-libs package

// No attempt left an artifact behind.
// RUN: not test -e %t/a.hetc

func.func @mlp(%x: tensor<8x16xf32> {hetc.input}, %labels: tensor<8xi32> {hetc.label},
               %w: tensor<4x16xf32> {hetc.param = #hetc.init<uniform, 0.25>})
    -> tensor<f32> {
  %h = hetc.matmul %x, %w transpose_rhs : (tensor<8x16xf32>, tensor<4x16xf32>) -> tensor<8x4xf32>
  %loss = hetc.cross_entropy %h, %labels : (tensor<8x4xf32>, tensor<8xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}
