// RUN: hetc-opt %s -verify-diagnostics --pass-pipeline='builtin.module(hetc-gpu-merge-kernel-modules)'

module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @k(%a: memref<8xf32>) kernel {
      gpu.return
    }
  }
  // expected-error @+1 {{the symbol 'hetc_kernels' is reserved for the merged kernel module}}
  func.func private @hetc_kernels()
}
