// RUN: hetc-opt %s --verify-diagnostics --pass-pipeline='builtin.module(func.func(hetc-drop-tied-results))'

// expected-error @+1 {{hetc.tied_results lists 2 results but the function has 1}}
func.func @mismatch(%w: memref<4xf32>) -> memref<4xf32>
    attributes {hetc.tied_results = array<i64: 0, -1>} {
  return %w : memref<4xf32>
}
