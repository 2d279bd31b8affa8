// RUN: hetc-opt %s --pass-pipeline='builtin.module(func.func(hetc-gpu-tile-contractions,canonicalize,cse))' | FileCheck %s
// RUN: hetc-opt %s --pass-pipeline='builtin.module(func.func(hetc-gpu-tile-contractions{tile=8},canonicalize,cse))' | FileCheck %s --check-prefix=TILE8

// 64x128 outputs in 16x16 blocks: 8 column blocks by 4 row blocks. Each
// step of the K loop stages one 16x16 tile of A and of B in workgroup
// memory between two barriers, then accumulates the tile's products.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: memref<64x32xf32>, %[[B:.*]]: memref<32x128xf32>, %[[C:.*]]: memref<64x128xf32>)
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK: gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %{{.*}}) in (%{{.*}} = %[[C8]], %{{.*}} = %[[C4]], %{{.*}} = %[[C1]])
// CHECK-SAME: threads(%[[TX:.*]], %[[TY:.*]], %{{.*}}) in (%{{.*}} = %[[C16]], %{{.*}} = %[[C16]], %{{.*}} = %[[C1]])
// CHECK-SAME: workgroup(%[[ATILE:.*]] : memref<16x16xf32, #gpu.address_space<workgroup>>, %[[BTILE:.*]] : memref<16x16xf32, #gpu.address_space<workgroup>>)
// CHECK: %[[SUM:.*]] = scf.for %[[K0:.*]] = %{{.*}} to %[[C32]] step %[[C16]] iter_args(%[[ACC:.*]] = %{{.*}}) -> (f32) {
// CHECK:   %[[AV:.*]] = scf.if %{{.*}} -> (f32) {
// CHECK:     memref.load %[[A]]
// CHECK:   memref.store %[[AV]], %[[ATILE]][%[[TY]], %[[TX]]]
// CHECK:   %[[BV:.*]] = scf.if %{{.*}} -> (f32) {
// CHECK:     memref.load %[[B]]
// CHECK:   memref.store %[[BV]], %[[BTILE]][%[[TY]], %[[TX]]]
// CHECK:   gpu.barrier
// CHECK:   %[[PART:.*]] = scf.for %[[KK:.*]] = %{{.*}} to %[[C16]] step %[[C1]] iter_args(%[[INNER:.*]] = %[[ACC]]) -> (f32) {
// CHECK:     %[[X:.*]] = memref.load %[[ATILE]][%[[TY]], %[[KK]]]
// CHECK:     %[[Y:.*]] = memref.load %[[BTILE]][%[[KK]], %[[TX]]]
// CHECK:     %[[P:.*]] = arith.mulf %[[X]], %[[Y]] : f32
// CHECK:     %[[S:.*]] = arith.addf %[[INNER]], %[[P]] : f32
// CHECK:     scf.yield %[[S]] : f32
// CHECK:   gpu.barrier
// CHECK:   scf.yield %[[PART]] : f32
// The output accumulates (C += A * B), guarded for edge blocks.
// CHECK: scf.if %{{.*}} {
// CHECK:   %[[OLD:.*]] = memref.load %[[C]]
// CHECK:   %[[NEW:.*]] = arith.addf %[[OLD]], %[[SUM]] : f32
// CHECK:   memref.store %[[NEW]], %[[C]]
// CHECK: gpu.terminator
// CHECK-NOT: linalg.matmul

// TILE8-LABEL: func.func @matmul
// TILE8-DAG: %[[C8:.*]] = arith.constant 8 : index
// TILE8-DAG: %[[C16:.*]] = arith.constant 16 : index
// TILE8: gpu.launch blocks({{.*}}) in (%{{.*}} = %[[C16]], %{{.*}} = %[[C8]], {{.*}}) threads({{.*}}) in (%{{.*}} = %[[C8]], %{{.*}} = %[[C8]], {{.*}})
// TILE8-SAME: workgroup(%{{.*}} : memref<8x8xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<8x8xf32, #gpu.address_space<workgroup>>)
func.func @matmul(%a: memref<64x32xf32>, %b: memref<32x128xf32>, %c: memref<64x128xf32>) {
  linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x128xf32>) outs(%c : memref<64x128xf32>)
  return
}

// B transposed (C = A * B^T, as torch.nn.Linear stores weights): the B tile
// is gathered through the operand's map, B[col, k]. 20 rows and 10 columns
// need partial edge blocks: 1 column block, 2 row blocks; K = 8 is a single
// partial step.
// CHECK-LABEL: func.func @transposed_b
// CHECK-SAME: (%[[A:.*]]: memref<20x8xf32>, %[[B:.*]]: memref<10x8xf32>, %[[C:.*]]: memref<20x10xf32>)
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C10:.*]] = arith.constant 10 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C1]], %{{.*}} = %[[C2]], %{{.*}} = %[[C1]]) threads(%[[TX:.*]], %[[TY:.*]], %{{.*}}) in
// CHECK: %[[COLBASE:.*]] = arith.muli %[[BX]], %[[C16]] : index
// CHECK: %[[COL:.*]] = arith.addi %[[COLBASE]], %[[TX]] : index
// CHECK: %[[COLVALID:.*]] = arith.cmpi ult, %[[COL]], %[[C10]] : index
// CHECK: scf.for %[[K0:.*]] = %{{.*}} to %[[C8]] step %[[C16]]
// CHECK:   %[[BK:.*]] = arith.addi %[[K0]], %[[TY]] : index
// CHECK:   %[[KVALID:.*]] = arith.cmpi ult, %[[BK]], %[[C8]] : index
// CHECK:   %[[BVALID:.*]] = arith.andi %[[COLVALID]], %[[KVALID]] : i1
// CHECK:   scf.if %[[BVALID]] -> (f32) {
// CHECK:     memref.load %[[B]][%[[COL]], %[[BK]]] : memref<10x8xf32>
func.func @transposed_b(%a: memref<20x8xf32>, %b: memref<10x8xf32>, %c: memref<20x10xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                 affine_map<(m, n, k) -> (n, k)>,
                                 affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : memref<20x8xf32>, memref<10x8xf32>) outs(%c : memref<20x10xf32>)
  return
}

// Batches run along the grid's z dimension.
// CHECK-LABEL: func.func @batch_matmul
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %[[BZ:.*]]) in (%{{.*}} = %[[C1]], %{{.*}} = %[[C1]], %{{.*}} = %[[C3]])
// CHECK: memref.load %{{.*}}[%[[BZ]], %{{.*}}, %{{.*}}] : memref<3x8x16xf32>
// CHECK: memref.load %{{.*}}[%[[BZ]], %{{.*}}, %{{.*}}] : memref<3x16x4xf32>
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[BZ]], %{{.*}}, %{{.*}}] : memref<3x8x4xf32>
func.func @batch_matmul(%a: memref<3x8x16xf32>, %b: memref<3x16x4xf32>, %c: memref<3x8x4xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<3x8x16xf32>, memref<3x16x4xf32>) outs(%c : memref<3x8x4xf32>)
  return
}

// A convolution as an implicit GEMM: rows are (n, oh, ow) = 2*6*6 = 72
// outputs (5 blocks of 16), columns the 4 filters, the reduction
// (c, kh, kw) = 27. The input tile is gathered at (oh + kh, ow + kw).
// CHECK-DAG: #[[ROWPLUSKH:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d2 + d5)>
// CHECK-DAG: #[[COLPLUSKW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d3 + d6)>
// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:.*]]: memref<2x3x8x8xf32>, %[[W:.*]]: memref<4x3x3x3xf32>, %[[Y:.*]]: memref<2x4x6x6xf32>)
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
// CHECK-DAG: %[[C27:.*]] = arith.constant 27 : index
// CHECK-DAG: %[[C72:.*]] = arith.constant 72 : index
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %[[C1]], %{{.*}} = %[[C5]], %{{.*}} = %[[C1]])
// CHECK: arith.cmpi ult, %{{.*}}, %[[C72]] : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C27]] step
// CHECK:   %[[IH:.*]] = affine.apply #[[ROWPLUSKH]]
// CHECK:   %[[IW:.*]] = affine.apply #[[COLPLUSKW]]
// CHECK:   memref.load %[[X]][%{{.*}}, %{{.*}}, %[[IH]], %[[IW]]] : memref<2x3x8x8xf32>
// CHECK:   memref.load %[[W]]
// CHECK:   gpu.barrier
// CHECK: memref.store %{{.*}}, %[[Y]]
// CHECK-NOT: linalg.conv_2d_nchw_fchw
func.func @conv(%x: memref<2x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %y: memref<2x4x6x6xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<2x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%y : memref<2x4x6x6xf32>)
  return
}

// Not f32: left for the generic lowering.
// CHECK-LABEL: func.func @f16
// CHECK-NOT: gpu.launch
// CHECK: linalg.matmul
func.func @f16(%a: memref<8x8xf16>, %b: memref<8x8xf16>, %c: memref<8x8xf16>) {
  linalg.matmul ins(%a, %b : memref<8x8xf16>, memref<8x8xf16>) outs(%c : memref<8x8xf16>)
  return
}

// A contraction shape whose body is not a multiply-accumulate (max-plus):
// left alone.
// CHECK-LABEL: func.func @max_plus
// CHECK-NOT: gpu.launch
// CHECK: linalg.generic
// CHECK: arith.maximumf
#ma = affine_map<(m, n, k) -> (m, k)>
#mb = affine_map<(m, n, k) -> (k, n)>
#mc = affine_map<(m, n, k) -> (m, n)>
func.func @max_plus(%a: memref<8x8xf32>, %b: memref<8x8xf32>, %c: memref<8x8xf32>) {
  linalg.generic {indexing_maps = [#ma, #mb, #mc], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x8xf32>, memref<8x8xf32>) outs(%c : memref<8x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %s = arith.addf %x, %y : f32
    %m = arith.maximumf %acc, %s : f32
    linalg.yield %m : f32
  }
  return
}

// Strided views and tensors are left alone too.
// CHECK-LABEL: func.func @strided
// CHECK-NOT: gpu.launch
// CHECK: linalg.matmul
func.func @strided(%a: memref<8x8xf32, strided<[16, 1]>>, %b: memref<8x8xf32>, %c: memref<8x8xf32>) {
  linalg.matmul ins(%a, %b : memref<8x8xf32, strided<[16, 1]>>, memref<8x8xf32>) outs(%c : memref<8x8xf32>)
  return
}

// CHECK-LABEL: func.func @tensors
// CHECK-NOT: gpu.launch
// CHECK: linalg.matmul
func.func @tensors(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>, %c: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%c : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %r : tensor<8x8xf32>
}
