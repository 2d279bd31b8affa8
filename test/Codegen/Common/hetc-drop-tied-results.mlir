// RUN: hetc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(hetc-drop-tied-results))' | FileCheck %s

// A result that is the argument's own buffer is dropped.
// CHECK-LABEL: func.func @in_place
// CHECK-SAME: (%[[W:.*]]: memref<4xf32>) -> memref<f32>
// CHECK-NOT: memref.copy
// CHECK: return %{{.*}} : memref<f32>
func.func @in_place(%w: memref<4xf32>) -> (memref<4xf32>, memref<f32>)
    attributes {hetc.tied_results = array<i64: 0, -1>} {
  %loss = memref.alloc() : memref<f32>
  return %w, %loss : memref<4xf32>, memref<f32>
}

// -----

// A result computed elsewhere is copied into the argument last, after every
// read of the old value.
// CHECK-LABEL: func.func @out_of_place
// CHECK-SAME: (%[[W:.*]]: memref<4xf32>, %[[N:.*]]: memref<4xf32>)
// CHECK: memref.copy %[[N]], %[[W]]
// CHECK-NEXT: return
// CHECK-NOT: hetc.tied_results
func.func @out_of_place(%w: memref<4xf32>, %n: memref<4xf32>) -> memref<4xf32>
    attributes {hetc.tied_results = array<i64: 0>} {
  return %n : memref<4xf32>
}
