// RUN: hetc-opt %s -verify-diagnostics --pass-pipeline='builtin.module(gpu.module(hetc-spirv-prepare-kernels))'

// SPIR-V fixes a compute shader's workgroup size in the module, so a kernel
// launched with a dynamic block size cannot be compiled.
gpu.module @kernels {
  // expected-error @+1 {{'gpu.func' op has no constant block size; SPIR-V needs one}}
  gpu.func @dynamic_block(%m: memref<64xf32>) kernel {
    gpu.return
  }
}
