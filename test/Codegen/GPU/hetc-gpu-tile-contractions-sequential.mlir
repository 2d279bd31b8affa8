// RUN: hetc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(hetc-gpu-tile-contractions{sequential=true nvidia-mma=true}))' | FileCheck %s

// Reproducible mode: each thread's accumulators start from the outputs'
// values before the contraction (read once, before the k loop), add the
// rounded products in k order, and are stored as they are:
// out = ((c + a0 b0) + a1 b1) + ..., the order of a naive loop nest. No
// tensor cores, even when asked for.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:[^:]+]]: memref<64x32xf32>, %[[B:[^:]+]]: memref<32x128xf32>, %[[C:[^:]+]]: memref<64x128xf32>)
// CHECK: gpu.launch
// CHECK: %[[C0:.+]] = memref.load %[[C]]
// CHECK-COUNT-15: memref.load %[[C]]
// CHECK: %[[SUMS:.+]]:16 = scf.for %{{.+}} iter_args(%[[ACC0:[^ ]+]] = %[[C0]],
// CHECK: gpu.barrier
// CHECK: scf.for %{{.+}} iter_args(%[[IN0:[^ ]+]] = %[[ACC0]],
// CHECK: %[[P:.+]] = arith.mulf
// CHECK-NEXT: arith.addf %[[IN0]], %[[P]] : f32
// CHECK: gpu.barrier
// CHECK-NEXT: scf.yield
// CHECK-NOT: memref.load %[[C]]
// CHECK-NOT: arith.addf
// CHECK-NOT: nvgpu
// CHECK: memref.store %[[SUMS]]#0, %[[C]]
// CHECK-COUNT-15: memref.store %[[SUMS]]#{{[0-9]+}}, %[[C]]
// CHECK-NEXT: gpu.terminator
func.func @matmul(%a: memref<64x32xf32>, %b: memref<32x128xf32>, %c: memref<64x128xf32>) {
  linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x128xf32>) outs(%c : memref<64x128xf32>)
  return
}

// -----

// A folded fill is the accumulators' start; the output is not read.
// CHECK-LABEL: func.func @filled
// CHECK-SAME: (%[[A:[^:]+]]: memref<20x8xf32>, %[[B:[^:]+]]: memref<8x10xf32>, %[[C:[^:]+]]: memref<20x10xf32>)
// CHECK: %[[INIT:.+]] = arith.constant 5.000000e-01 : f32
// CHECK-NOT: linalg.fill
// CHECK-NOT: memref.load %[[C]]
// CHECK: %[[SUM:.+]] = scf.for %{{.+}} iter_args(%{{.+}} = %[[INIT]]) -> (f32)
// CHECK-NOT: memref.load %[[C]]
// CHECK: arith.mulf
// CHECK-NEXT: arith.addf
// CHECK: gpu.barrier
// CHECK-NEXT: scf.yield
// CHECK-NOT: arith.addf
// CHECK: memref.store %[[SUM]], %[[C]]
func.func @filled(%a: memref<20x8xf32>, %b: memref<8x10xf32>, %c: memref<20x10xf32>) {
  %half = arith.constant 0.5 : f32
  linalg.fill ins(%half : f32) outs(%c : memref<20x10xf32>)
  linalg.matmul ins(%a, %b : memref<20x8xf32>, memref<8x10xf32>) outs(%c : memref<20x10xf32>)
  return
}

// -----

// Edge outputs are read where they exist (0 elsewhere: never stored). K = 8
// fills half a 16-deep step: the step stops at k = 8 instead of adding the
// zero padding's products (which would turn a -0 sum into +0).
// CHECK-LABEL: func.func @edges
// CHECK-SAME: (%[[A:[^:]+]]: memref<20x8xf32>, %[[B:[^:]+]]: memref<8x10xf32>, %[[C:[^:]+]]: memref<20x10xf32>)
// CHECK: gpu.launch
// CHECK: %[[START:.+]] = scf.if %{{.+}} -> (f32) {
// CHECK: %[[OLD:.+]] = memref.load %[[C]]
// CHECK-NEXT: scf.yield %[[OLD]]
// CHECK: } else {
// CHECK: %[[SUM:.+]] = scf.for %[[K0:[^ ]+]] = {{.*}} iter_args(%{{.+}} = %[[START]]) -> (f32)
// CHECK: gpu.barrier
// CHECK: %[[LEFT:.+]] = arith.subi %{{.+}}, %[[K0]] : index
// CHECK: %[[END:.+]] = arith.minui %{{.+}}, %[[LEFT]] : index
// CHECK: scf.for %{{.+}} = %{{.+}} to %[[END]]
// CHECK: memref.store %[[SUM]], %[[C]]
func.func @edges(%a: memref<20x8xf32>, %b: memref<8x10xf32>, %c: memref<20x10xf32>) {
  linalg.matmul ins(%a, %b : memref<20x8xf32>, memref<8x10xf32>) outs(%c : memref<20x10xf32>)
  return
}
