// RUN: hetc-opt %s --pass-pipeline='builtin.module(gpu.module(hetc-gpu-ieee-denormals))' | FileCheck %s

// Every kernel and device function keeps subnormals: a flushing mode that
// was set is replaced, a missing one is stated; functions outside the
// kernel module are left alone.
module attributes {gpu.container_module} {
  // CHECK-LABEL: gpu.module @hetc_kernels
  gpu.module @hetc_kernels {
    // CHECK: llvm.func @kernel(%{{.*}}: f32, %{{.*}}: !llvm.ptr)
    // CHECK-SAME: denormal_fp_math = "ieee,ieee"
    // CHECK-SAME: denormal_fp_math_f32 = "ieee,ieee"
    // CHECK-NOT: preserve-sign
    llvm.func @kernel(%x: f32, %p: !llvm.ptr) attributes {denormal_fp_math_f32 = "preserve-sign,preserve-sign", gpu.kernel} {
      %y = llvm.fmul %x, %x : f32
      llvm.store %y, %p : f32, !llvm.ptr
      llvm.return
    }
    // CHECK: llvm.func @helper(%{{.*}}: f32) -> f32
    // CHECK-SAME: denormal_fp_math = "ieee,ieee"
    // CHECK-SAME: denormal_fp_math_f32 = "ieee,ieee"
    llvm.func @helper(%x: f32) -> f32 {
      llvm.return %x : f32
    }
  }
  // CHECK: llvm.func @host() attributes {denormal_fp_math_f32 = "preserve-sign,preserve-sign"}
  llvm.func @host() attributes {denormal_fp_math_f32 = "preserve-sign,preserve-sign"} {
    llvm.return
  }
}
