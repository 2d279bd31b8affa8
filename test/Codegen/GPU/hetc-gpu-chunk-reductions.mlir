// RUN: hetc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(hetc-gpu-chunk-reductions))' | FileCheck %s
// RUN: hetc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(hetc-gpu-chunk-reductions{max-iterations=1000}))' | FileCheck %s --check-prefix=SMALL

// A 100000-element sum becomes four consecutive sums of at most 32768
// elements into the same output, in index order, each in a one-iteration
// parallel loop (a kernel of its own).
// CHECK-LABEL: func.func @sum
// CHECK-SAME: (%[[A:.+]]: memref<100000xf32>, %[[OUT:.+]]: memref<f32>)
// CHECK: %[[S0:.+]] = memref.subview %[[A]][0] [32768] [1]
// CHECK: scf.parallel (%{{.+}}) = (%[[C0:.+]]) to (%[[C1:.+]]) step (%[[C1]]) {
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[S0]] : {{.*}}) outs(%[[OUT]] : memref<f32>)
// CHECK: %[[S1:.+]] = memref.subview %[[A]][32768] [32768] [1]
// CHECK: scf.parallel
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[S1]] : {{.*}}) outs(%[[OUT]] : memref<f32>)
// CHECK: %[[S2:.+]] = memref.subview %[[A]][65536] [32768] [1]
// CHECK: scf.parallel
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[S2]] : {{.*}}) outs(%[[OUT]] : memref<f32>)
// CHECK: %[[S3:.+]] = memref.subview %[[A]][98304] [1696] [1]
// CHECK: scf.parallel
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[S3]] : {{.*}}) outs(%[[OUT]] : memref<f32>)
// CHECK-NOT: linalg.generic
func.func @sum(%a: memref<100000xf32>, %out: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>],
                  iterator_types = ["reduction"]}
      ins(%a : memref<100000xf32>) outs(%out : memref<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Two reduction loops of 300 x 200: the inner one fits, so the outer one is
// cut into ranges of 32768 / 200 = 163 rows: [0, 163) then [163, 300). The
// parallel loop and the output stay whole.
// CHECK-LABEL: func.func @two_dims
// CHECK-SAME: (%[[A:.+]]: memref<4x300x200xf32>, %[[OUT:.+]]: memref<4xf32>)
// CHECK: %[[S0:.+]] = memref.subview %[[A]][0, 0, 0] [4, 163, 200] [1, 1, 1]
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[S0]] : {{.*}}) outs(%[[OUT]] : memref<4xf32>)
// CHECK: %[[S1:.+]] = memref.subview %[[A]][0, 163, 0] [4, 137, 200] [1, 1, 1]
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[S1]] : {{.*}}) outs(%[[OUT]] : memref<4xf32>)
// CHECK-NOT: linalg.generic
// With 1000 iterations per kernel, the outer loop goes by 1000 / 200 = 5.
// SMALL-LABEL: func.func @two_dims
// SMALL-COUNT-60: linalg.generic
// SMALL-NOT: linalg.generic
func.func @two_dims(%a: memref<4x300x200xf32>, %out: memref<4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0)>],
                  iterator_types = ["parallel", "reduction", "reduction"]}
      ins(%a : memref<4x300x200xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A matmul with K = 40000 becomes two matmuls over K ranges, the second
// continuing from the first one's output; a short one stays.
// CHECK-LABEL: func.func @deep_matmul
// CHECK-SAME: (%[[A:.+]]: memref<8x40000xf32>, %[[B:.+]]: memref<40000x8xf32>, %[[C:.+]]: memref<8x8xf32>, %[[D:.+]]: memref<8x8xf32>)
// CHECK: %[[A0:.+]] = memref.subview %[[A]][0, 0] [8, 32768] [1, 1]
// CHECK: %[[B0:.+]] = memref.subview %[[B]][0, 0] [32768, 8] [1, 1]
// CHECK: linalg.matmul ins(%[[A0]], %[[B0]] : {{.*}}) outs(%[[C]] : memref<8x8xf32>)
// CHECK: %[[A1:.+]] = memref.subview %[[A]][0, 32768] [8, 7232] [1, 1]
// CHECK: %[[B1:.+]] = memref.subview %[[B]][32768, 0] [7232, 8] [1, 1]
// CHECK: linalg.matmul ins(%[[A1]], %[[B1]] : {{.*}}) outs(%[[C]] : memref<8x8xf32>)
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : memref<8x8xf32>, memref<8x8xf32>) outs(%[[D]] : memref<8x8xf32>)
// CHECK-NOT: linalg.matmul
func.func @deep_matmul(%a: memref<8x40000xf32>, %b: memref<40000x8xf32>, %c: memref<8x8xf32>, %d: memref<8x8xf32>) {
  linalg.matmul ins(%a, %b : memref<8x40000xf32>, memref<40000x8xf32>) outs(%c : memref<8x8xf32>)
  linalg.matmul ins(%c, %c : memref<8x8xf32>, memref<8x8xf32>) outs(%d : memref<8x8xf32>)
  return
}
