// RUN: hetc-opt %s --split-input-file --pass-pipeline='builtin.module(hetc-cpu-matmul-to-ukernel{sequential=true})' | FileCheck %s

// The reproducible mode calls the sequential flavour, and only it.
// CHECK: func.func private @hetc_uk_sgemm_seq(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-NOT: @hetc_uk_sgemm(
// CHECK-LABEL: func.func @plain
// CHECK: scf.parallel
// CHECK: call @hetc_uk_sgemm_seq(
// CHECK-NOT: linalg.matmul
// CHECK-NOT: @hetc_uk_sgemm(
func.func @plain(%a: memref<256x784xf32>, %b: memref<784x1024xf32>, %c: memref<256x1024xf32>) {
  linalg.matmul ins(%a, %b : memref<256x784xf32>, memref<784x1024xf32>) outs(%c : memref<256x1024xf32>)
  return
}

// -----

// CHECK-LABEL: func.func @batched
// CHECK: call @hetc_uk_sgemm_seq(
func.func @batched(%a: memref<4x32x64xf32>, %b: memref<4x64x16xf32>, %c: memref<4x32x16xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<4x32x64xf32>, memref<4x64x16xf32>) outs(%c : memref<4x32x16xf32>)
  return
}
