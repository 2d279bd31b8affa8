// REQUIRES: cuda-toolkit
// The reproducible mode on cuda: the PTX has no fma (every multiply and add
// rounds itself, .rn, which ptxas may not contract), the 512x512 output that
// the default mode computes on tensor cores (TF32 MMAs) is computed in f32
// in k order instead, and ptxas is told --fmad=false.
// RUN: hetc-compile %s --target=cuda --chip=sm_90 --reproducible --emit=asm | FileCheck %s
// RUN: hetc-compile %s --target=cuda --chip=sm_90 --emit=asm | FileCheck %s --check-prefix=DEFAULT
// RUN: hetc-compile %s --target=cuda --chip=sm_90 --reproducible --print-ir-after-all --emit=asm 2>&1 >/dev/null | FileCheck %s --check-prefix=PASSES
// The PTX assembles.
// RUN: hetc-compile %s --target=cuda --chip=sm_90 --reproducible --emit=asm -o %t.ptx
// RUN: ptxas -arch=sm_90 --fmad=false %t.ptx -o %t.cubin

// CHECK: .target sm_90
// CHECK-NOT: {{fma|mma}}
// CHECK: mul.rn.f32
// CHECK-NOT: {{fma|mma}}
// CHECK: add.rn.f32
// CHECK-NOT: {{fma|mma}}

// DEFAULT: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32

// PASSES-NOT: IR Dump After HetcGPUSplitReductions
// PASSES: #nvvm.target<{{.*}}flags = {"ptxas-cmd-options" = ["--fmad=false"]}>
// PASSES-NOT: IR Dump After HetcGPUSplitReductions

// A model without transcendental math, so every multiply and add in the
// code comes from the model (matmuls, SGD) and none from a math library.
func.func @regression(%x: tensor<512x16xf32> {hetc.input, hetc.name = "x"},
                      %y: tensor<512x4xf32> {hetc.label, hetc.name = "y"},
                      %w: tensor<512x16xf32> {hetc.param = #hetc.init<uniform, 0.25>, hetc.name = "w"},
                      %b: tensor<512xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "b"},
                      %w2: tensor<4x512xf32> {hetc.param = #hetc.init<uniform, 0.25>, hetc.name = "w2"})
    -> tensor<f32> {
  %h0 = hetc.matmul %x, %w transpose_rhs : (tensor<512x16xf32>, tensor<512x16xf32>) -> tensor<512x512xf32>
  %h1 = hetc.add %h0, %b : (tensor<512x512xf32>, tensor<512xf32>) -> tensor<512x512xf32>
  %h = hetc.relu %h1 : tensor<512x512xf32>
  %o = hetc.matmul %h, %w2 transpose_rhs : (tensor<512x512xf32>, tensor<4x512xf32>) -> tensor<512x4xf32>
  %loss = hetc.mse %o, %y : (tensor<512x4xf32>, tensor<512x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}
