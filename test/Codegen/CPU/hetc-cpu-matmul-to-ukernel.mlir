// RUN: hetc-opt %s --split-input-file --pass-pipeline='builtin.module(hetc-cpu-matmul-to-ukernel{chunk=256},func.func(canonicalize))' | FileCheck %s

// CHECK: func.func private @hetc_uk_sgemm(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-LABEL: func.func @plain
// CHECK-SAME: (%[[A:.*]]: memref<256x784xf32>, %[[B:.*]]: memref<784x1024xf32>, %[[C:.*]]: memref<256x1024xf32>)
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[PA:.*]] = memref.extract_aligned_pointer_as_index %[[A]]
// CHECK-DAG: %[[PB:.*]] = memref.extract_aligned_pointer_as_index %[[B]]
// CHECK-DAG: %[[PC:.*]] = memref.extract_aligned_pointer_as_index %[[C]]
// CHECK: scf.parallel (%[[CHUNK:.*]]) = ({{.*}}) to (%[[C4]])
// CHECK: %[[BEGIN:.*]] = arith.muli %{{.*}}, %{{.*}} : i64
// CHECK: %[[END:.*]] = arith.addi %[[BEGIN]], %{{.*}} : i64
// CHECK: call @hetc_uk_sgemm(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[BEGIN]], %[[END]])
// CHECK-NOT: linalg.matmul
func.func @plain(%a: memref<256x784xf32>, %b: memref<784x1024xf32>, %c: memref<256x1024xf32>) {
  linalg.matmul ins(%a, %b : memref<256x784xf32>, memref<784x1024xf32>) outs(%c : memref<256x1024xf32>)
  return
}

// -----

// Transposed operands are read from the indexing maps: transA = 1, transB = 1.
// CHECK-LABEL: func.func @transposed
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1 : i64
// CHECK-DAG: %[[M:.*]] = arith.constant 32 : i64
// CHECK-DAG: %[[K:.*]] = arith.constant 64 : i64
// CHECK-DAG: %[[N:.*]] = arith.constant 16 : i64
// CHECK: call @hetc_uk_sgemm(%[[M]], %[[N]], %[[K]], %{{.*}}, %[[M]], %[[ONE]], %{{.*}}, %[[K]], %[[ONE]], %{{.*}}, %[[N]],
func.func @transposed(%a: memref<64x32xf32>, %b: memref<16x64xf32>, %c: memref<32x16xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>,
                                 affine_map<(m, n, k) -> (n, k)>,
                                 affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : memref<64x32xf32>, memref<16x64xf32>) outs(%c : memref<32x16xf32>)
  return
}

// -----

// Batches become a second parallel dimension (the single column chunk folds
// away), each call offset by its operand's batch stride in bytes.
// CHECK-LABEL: func.func @batched
// CHECK-DAG: %[[ASTRIDE:.*]] = arith.constant 512 : i64
// CHECK: scf.parallel (%[[BATCH:.*]]) =
// CHECK: %[[BI:.*]] = arith.index_cast %[[BATCH]] : index to i64
// CHECK: arith.muli %[[BI]], %[[ASTRIDE]] : i64
// CHECK: call @hetc_uk_sgemm
func.func @batched(%a: memref<3x8x16xf32>, %b: memref<3x16x4xf32>, %c: memref<3x8x4xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<3x8x16xf32>, memref<3x16x4xf32>) outs(%c : memref<3x8x4xf32>)
  return
}

// -----

// f16 and strided views are left to the generic lowering.
// CHECK-LABEL: func.func @not_f32
// CHECK: linalg.matmul
// CHECK-NOT: hetc_uk_sgemm
func.func @not_f32(%a: memref<8x8xf16>, %b: memref<8x8xf16>, %c: memref<8x8xf16>) {
  linalg.matmul ins(%a, %b : memref<8x8xf16>, memref<8x8xf16>) outs(%c : memref<8x8xf16>)
  return
}

// -----

// CHECK-LABEL: func.func @strided
// CHECK: linalg.matmul
func.func @strided(%a: memref<8x8xf32, strided<[16, 2]>>, %b: memref<8x8xf32>, %c: memref<8x8xf32>) {
  linalg.matmul ins(%a, %b : memref<8x8xf32, strided<[16, 2]>>, memref<8x8xf32>) outs(%c : memref<8x8xf32>)
  return
}
