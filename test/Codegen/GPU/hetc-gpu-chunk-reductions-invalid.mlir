// RUN: hetc-opt %s --verify-diagnostics --pass-pipeline='builtin.module(func.func(hetc-gpu-chunk-reductions{max-iterations=2}))'
// RUN: not hetc-opt %s --pass-pipeline='builtin.module(func.func(hetc-gpu-chunk-reductions{max-iterations=0}))' 2>&1 | FileCheck %s

// CHECK: error: hetc-gpu-chunk-reductions: max-iterations must be positive

func.func @too_long(%a: memref<10000xf32>, %out: memref<f32>) {
  // expected-error @+1 {{reduces over more than 4096 x 2 elements per output, more than the reproducible mode computes on a GPU}}
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>],
                  iterator_types = ["reduction"]}
      ins(%a : memref<10000xf32>) outs(%out : memref<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  }
  return
}
