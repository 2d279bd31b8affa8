// The reproducible mode on the cpu: the manifest says so, the GEMMs call
// the sequential ukernel, and no multiply and add are fused anywhere, the
// linked ukernel included.
// RUN: rm -f %t.hetc %t.default.hetc
// RUN: hetc-compile %s --reproducible -o %t.hetc
// RUN: llvm-strings -n 3 %t.hetc | FileCheck %s --check-prefix=MANIFEST
// RUN: hetc-compile %s -o %t.default.hetc
// RUN: llvm-strings -n 3 %t.default.hetc | FileCheck %s --check-prefix=NO-FLAG
// RUN: hetc-compile %s --reproducible --emit=llvm | FileCheck %s --check-prefix=LLVM
// RUN: hetc-compile %s --reproducible --chip=x86-64-v3 --emit=asm | FileCheck %s --check-prefix=ASM
// RUN: hetc-compile %s --reproducible --chip=x86-64-v4 --emit=asm | FileCheck %s --check-prefix=ASM
// The default mode's ukernel does use fma: the checks above would see it.
// RUN: hetc-compile %s --chip=x86-64-v3 --emit=asm | FileCheck %s --check-prefix=DEFAULT

// MANIFEST: "reproducible":true
// NO-FLAG: "model":"mlp"
// NO-FLAG-NOT: reproducible

// No fused or contractable operation, no fast-math flag, in the entries or
// in the linked ukernel, which is only the sequential one.
// LLVM-NOT: @hetc_uk_sgemm(
// LLVM-NOT: {{@llvm\.fma|@llvm\.fmuladd| contract | reassoc | fast }}
// LLVM: call {{.*}}@hetc_uk_sgemm_seq(
// LLVM-NOT: {{@llvm\.fma|@llvm\.fmuladd| contract | reassoc | fast }}
// LLVM: define internal {{.*}}@hetc_uk_sgemm_seq(
// LLVM-NOT: {{@llvm\.fma|@llvm\.fmuladd| contract | reassoc | fast }}
// LLVM-NOT: @hetc_uk_sgemm(

// ASM-NOT: vfmadd
// ASM-NOT: vfmsub
// ASM-NOT: vfnmadd
// ASM: hetc_uk_sgemm_seq:
// ASM-NOT: vfmadd
// ASM-NOT: vfmsub
// ASM-NOT: vfnmadd

// DEFAULT: hetc_uk_sgemm:
// DEFAULT: vfmadd

func.func @mlp(%x: tensor<256x16xf32> {hetc.input, hetc.name = "x"},
               %labels: tensor<256xi32> {hetc.label, hetc.name = "labels"},
               %w: tensor<64x16xf32> {hetc.param = #hetc.init<uniform, 0.25>, hetc.name = "w"},
               %b: tensor<64xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "b"},
               %w2: tensor<4x64xf32> {hetc.param = #hetc.init<uniform, 0.25>, hetc.name = "w2"})
    -> tensor<f32> {
  %h0 = hetc.matmul %x, %w transpose_rhs : (tensor<256x16xf32>, tensor<64x16xf32>) -> tensor<256x64xf32>
  %h1 = hetc.add %h0, %b : (tensor<256x64xf32>, tensor<64xf32>) -> tensor<256x64xf32>
  %h = hetc.relu %h1 : tensor<256x64xf32>
  %logits = hetc.matmul %h, %w2 transpose_rhs : (tensor<256x64xf32>, tensor<4x64xf32>) -> tensor<256x4xf32>
  %loss = hetc.cross_entropy %logits, %labels : (tensor<256x4xf32>, tensor<256xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}
