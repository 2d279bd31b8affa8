// RUN: hetc-opt %s -verify-diagnostics --pass-pipeline='builtin.module(func.func(hetc-gpu-tile-contractions{tile=33}))'
// RUN: hetc-opt %s -verify-diagnostics --pass-pipeline='builtin.module(func.func(hetc-gpu-tile-contractions{tile=0}))'

// A workgroup has tile x tile threads: 32 x 32 = 1024 is the most every GPU
// API allows.
// expected-error @+1 {{hetc-gpu-tile-contractions: tile must be in [1, 32] (tile x tile threads per workgroup)}}
func.func @matmul(%a: memref<64x32xf32>, %b: memref<32x128xf32>, %c: memref<64x128xf32>) {
  linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x128xf32>) outs(%c : memref<64x128xf32>)
  return
}
