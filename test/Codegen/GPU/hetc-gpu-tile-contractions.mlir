// RUN: hetc-opt %s --pass-pipeline='builtin.module(func.func(hetc-gpu-tile-contractions,lower-affine,cse))' | FileCheck %s
// RUN: hetc-opt %s --pass-pipeline='builtin.module(func.func(hetc-gpu-tile-contractions{tile=8}))' | FileCheck %s --check-prefix=TILE8
// RUN: hetc-opt %s --pass-pipeline='builtin.module(func.func(hetc-gpu-tile-contractions{nvidia-mma=true}))' | FileCheck %s --check-prefix=MMA

// 64x128 outputs: each of the 16x16 threads computes a 4x4 block of
// outputs in registers, so a workgroup covers 64x64 outputs: a grid of 2
// column blocks by 1 row block. Each step of the K loop stages a 16x64
// piece of A (k-major) and of B in the two workgroup tiles, 4 elements per
// thread, between two barriers; then, per k, each thread reads 4 values of
// each tile and accumulates 16 products.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:[^:]+]]: memref<64x32xf32>, %[[B:[^:]+]]: memref<32x128xf32>, %[[C:[^:]+]]: memref<64x128xf32>)
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C16:.+]] = arith.constant 16 : index
// CHECK: gpu.launch blocks({{.*}}) in (%{{[^ ]+}} = %[[C2]], %{{[^ ]+}} = %[[C1]], %{{[^ ]+}} = %[[C1]])
// CHECK-SAME: threads({{.*}}) in (%{{[^ ]+}} = %[[C16]], %{{[^ ]+}} = %[[C16]], %{{[^ ]+}} = %[[C1]])
// CHECK-SAME: workgroup(%[[ATILE:[^ ]+]] : memref<16x64xf32, #gpu.address_space<workgroup>>, %[[BTILE:[^ ]+]] : memref<16x64xf32, #gpu.address_space<workgroup>>)
// 64, 128 and 32 divide into whole tiles, so nothing is bounds-checked.
// CHECK: %[[SUMS:.+]]:16 = scf.for %{{.+}} iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK-NOT: scf.if
// CHECK-COUNT-4: memref.load %[[B]]
// CHECK: memref.store %{{.+}}, %[[BTILE]]
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: %[[PART:.+]]:16 = scf.for %[[KK:[^ ]+]] = {{.*}} iter_args(
// CHECK-COUNT-8: memref.load %{{.+}}[%[[KK]], %{{.+}}] : memref<16x64xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-16: arith.mulf
// CHECK: scf.yield
// CHECK: gpu.barrier
// CHECK-NEXT: scf.yield %[[PART]]#0,
// The outputs accumulate (C += A * B) where the thread's elements exist.
// CHECK-COUNT-16: memref.store %{{.+}}, %[[C]]
// CHECK: gpu.terminator
// CHECK-NOT: linalg.matmul

// TILE8-LABEL: func.func @matmul
// TILE8: %[[GX:.+]] = arith.constant 4 : index
// TILE8: %[[GY:.+]] = arith.constant 2 : index
// TILE8: %[[GZ:.+]] = arith.constant 1 : index
// TILE8: %[[BXY:.+]] = arith.constant 8 : index
// TILE8: %[[BZ:.+]] = arith.constant 1 : index
// TILE8: gpu.launch blocks({{.*}}) in (%{{[^ ]+}} = %[[GX]], %{{[^ ]+}} = %[[GY]], %{{[^ ]+}} = %[[GZ]]) threads({{.*}}) in (%{{[^ ]+}} = %[[BXY]], %{{[^ ]+}} = %[[BXY]], %{{[^ ]+}} = %[[BZ]])
// TILE8-SAME: workgroup(%{{[^ ]+}} : memref<8x32xf32, #gpu.address_space<workgroup>>, %{{[^ ]+}} : memref<8x32xf32, #gpu.address_space<workgroup>>)
func.func @matmul(%a: memref<64x32xf32>, %b: memref<32x128xf32>, %c: memref<64x128xf32>) {
  linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x128xf32>) outs(%c : memref<64x128xf32>)
  return
}

// Outputs smaller than 64 in either dimension keep one per thread: 16x16
// output blocks. B is transposed (C = A * B^T, as torch.nn.Linear stores
// weights), so the B tile is read through the operand's map, B[col, k].
// 20 rows and 10 columns take 2 row blocks and 1 column block with guards;
// K = 8 is one partial step. Thread t stages B[k0 + t / 16, col0 + t % 16].
// CHECK-LABEL: func.func @transposed_b
// CHECK-SAME: (%[[A:[^:]+]]: memref<20x8xf32>, %[[B:[^:]+]]: memref<10x8xf32>, %[[C:[^:]+]]: memref<20x10xf32>)
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[C16:.+]] = arith.constant 16 : index
// CHECK: gpu.launch blocks(%[[BX:[^,]+]], %{{[^)]+}}) in (%{{[^ ]+}} = %[[C1]], %{{[^ ]+}} = %[[C2]], %{{[^ ]+}} = %[[C1]]) threads(%[[TX:[^,]+]], %[[TY:[^,]+]], %{{[^)]+}}) in
// CHECK-SAME: workgroup(%{{[^ ]+}} : memref<16x16xf32, #gpu.address_space<workgroup>>, %[[BTILE:[^ ]+]] : memref<16x16xf32, #gpu.address_space<workgroup>>)
// CHECK:   %[[TYROW:.+]] = arith.muli %[[TY]], %[[C16]] : index
// CHECK:   %[[T:.+]] = arith.addi %[[TYROW]], %[[TX]] : index
// CHECK:   %[[COLBASE:.+]] = arith.muli %[[BX]], %[[C16]] : index
// CHECK:   %[[C8:.+]] = arith.constant 8 : index
// CHECK:   scf.for %[[K0:[^ ]+]] = %{{[^ ]+}} to %[[C8]] step %[[C16]]
// CHECK:     %[[E:.+]] = arith.addi %[[T]], %{{.+}} : index
// CHECK:     %[[TK:.+]] = arith.divui %[[E]], %[[C16]] : index
// CHECK:     %[[TN:.+]] = arith.remui %[[E]], %[[C16]] : index
// CHECK:     memref.load %[[A]]
// CHECK:     %[[COL:.+]] = arith.addi %[[COLBASE]], %[[TN]] : index
// CHECK:     %[[BK:.+]] = arith.addi %[[K0]], %[[TK]] : index
// CHECK:     %[[KVALID:.+]] = arith.cmpi ult, %[[BK]], %[[C8]] : index
// CHECK:     %[[C10:.+]] = arith.constant 10 : index
// CHECK:     %[[COLVALID:.+]] = arith.cmpi ult, %[[COL]], %[[C10]] : index
// CHECK:     %[[BVALID:.+]] = arith.andi %[[COLVALID]], %[[KVALID]] : i1
// CHECK:     %[[BV:.+]] = scf.if %[[BVALID]] -> (f32) {
// CHECK:       memref.load %[[B]][%[[COL]], %[[BK]]] : memref<10x8xf32>
// CHECK:     memref.store %[[BV]], %[[BTILE]][%[[TK]], %[[TN]]]
func.func @transposed_b(%a: memref<20x8xf32>, %b: memref<10x8xf32>, %c: memref<20x10xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                 affine_map<(m, n, k) -> (n, k)>,
                                 affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : memref<20x8xf32>, memref<10x8xf32>) outs(%c : memref<20x10xf32>)
  return
}

// Batches run along the grid's z dimension: the block's z index is the
// batch index. 8x16 by 16x4 per batch fits one exact tile depth (K = 16),
// so only rows and columns are guarded.
// CHECK-LABEL: func.func @batch_matmul
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C3:.+]] = arith.constant 3 : index
// CHECK: gpu.launch blocks(%{{[^,]+}}, %{{[^,]+}}, %[[BZ:[^)]+]]) in (%{{[^ ]+}} = %[[C1]], %{{[^ ]+}} = %[[C1]], %{{[^ ]+}} = %[[C3]])
// CHECK: memref.load %{{.+}}[%[[BZ]], %{{.+}}, %{{.+}}] : memref<3x8x16xf32>
// CHECK: memref.load %{{.+}}[%[[BZ]], %{{.+}}, %{{.+}}] : memref<3x16x4xf32>
// CHECK: memref.store %{{.+}}, %{{.+}}[%[[BZ]], %{{.+}}, %{{.+}}] : memref<3x8x4xf32>
func.func @batch_matmul(%a: memref<3x8x16xf32>, %b: memref<3x16x4xf32>, %c: memref<3x8x4xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<3x8x16xf32>, memref<3x16x4xf32>) outs(%c : memref<3x8x4xf32>)
  return
}

// A convolution as an implicit GEMM: the rows are the 2*6*6 = 72 (n, oh, ow)
// outputs (5 blocks of 16), the columns the 4 filters, the reduction the
// 3*3*3 = 27 (c, kh, kw). The input tile is gathered at
// [n, c, oh + kh, ow + kw], with no im2col buffer.
// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:[^:]+]]: memref<2x3x8x8xf32>, %[[W:[^:]+]]: memref<4x3x3x3xf32>, %[[Y:[^:]+]]: memref<2x4x6x6xf32>)
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C5:.+]] = arith.constant 5 : index
// CHECK: gpu.launch blocks({{.*}}) in (%{{[^ ]+}} = %[[C1]], %{{[^ ]+}} = %[[C5]], %{{[^ ]+}} = %[[C1]])
// CHECK:   %[[C27:.+]] = arith.constant 27 : index
// CHECK:   scf.for %{{[^ ]+}} = %{{[^ ]+}} to %[[C27]] step
// CHECK:     %[[E:.+]] = arith.addi %{{.+}}, %{{.+}} : index
// CHECK-NEXT: arith.divui %[[E]]
// CHECK-NEXT: arith.remui %[[E]]
// CHECK-NEXT: %[[ROW:.+]] = arith.addi %{{.+}}, %{{.+}} : index
// CHECK-NEXT: %[[AK:.+]] = arith.addi %{{.+}}, %{{.+}} : index
// CHECK-NEXT: %[[C6:.+]] = arith.constant 6 : index
// CHECK:     %[[OW:.+]] = arith.remui %[[ROW]], %[[C6]] : index
// CHECK:     %[[ROWDIV6:.+]] = arith.divui %[[ROW]], %[[C6]] : index
// CHECK:     %[[OH:.+]] = arith.remui %[[ROWDIV6]], %[[C6]] : index
// CHECK:     %[[C3:.+]] = arith.constant 3 : index
// CHECK-NEXT: %[[KW:.+]] = arith.remui %[[AK]], %[[C3]] : index
// CHECK:     %[[KDIV3:.+]] = arith.divui %[[AK]], %[[C3]] : index
// CHECK:     %[[KH:.+]] = arith.remui %[[KDIV3]], %[[C3]] : index
// CHECK:     %[[C72:.+]] = arith.constant 72 : index
// CHECK:     arith.cmpi ult, %[[ROW]], %[[C72]] : index
// CHECK:     scf.if
// CHECK:       %[[IH:.+]] = arith.addi %[[OH]], %[[KH]] : index
// CHECK:       %[[IW:.+]] = arith.addi %[[OW]], %[[KW]] : index
// CHECK:       memref.load %[[X]][%{{.+}}, %{{.+}}, %[[IH]], %[[IW]]] : memref<2x3x8x8xf32>
// CHECK:     memref.load %[[W]]
// CHECK:     gpu.barrier
// CHECK:   memref.store %{{.+}}, %[[Y]]
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

// A fill of the output just before the contraction is folded into it: the
// kernel writes fill + sum without reading C, and the fill disappears.
// CHECK-LABEL: func.func @filled_output
// CHECK-SAME: (%{{[^:]+}}: memref<20x8xf32>, %{{[^:]+}}: memref<8x10xf32>, %[[C:[^:]+]]: memref<20x10xf32>)
// CHECK-NOT: linalg.fill
// CHECK: %[[INIT:.+]] = arith.constant 5.000000e-01 : f32
// CHECK: gpu.launch
// CHECK-NOT: memref.load %[[C]]
// CHECK: %[[OUT:.+]] = arith.addf %[[INIT]], %{{.+}} : f32
// CHECK-NEXT: memref.store %[[OUT]], %[[C]]
func.func @filled_output(%a: memref<20x8xf32>, %b: memref<8x10xf32>, %c: memref<20x10xf32>) {
  %half = arith.constant 0.5 : f32
  linalg.fill ins(%half : f32) outs(%c : memref<20x10xf32>)
  linalg.matmul ins(%a, %b : memref<20x8xf32>, memref<8x10xf32>) outs(%c : memref<20x10xf32>)
  return
}

// A read of the output between the fill and the contraction keeps both.
// CHECK-LABEL: func.func @filled_then_read
// CHECK: linalg.fill
// CHECK: memref.copy
// CHECK: gpu.launch
// CHECK: memref.load %{{.+}} : memref<20x10xf32>
func.func @filled_then_read(%a: memref<20x8xf32>, %b: memref<8x10xf32>, %c: memref<20x10xf32>, %d: memref<20x10xf32>) {
  %half = arith.constant 0.5 : f32
  linalg.fill ins(%half : f32) outs(%c : memref<20x10xf32>)
  memref.copy %c, %d : memref<20x10xf32> to memref<20x10xf32>
  linalg.matmul ins(%a, %b : memref<20x8xf32>, memref<8x10xf32>) outs(%c : memref<20x10xf32>)
  return
}

// Outputs of at least 512x512 take 8x8 per thread: 128x128 per workgroup,
// a 4x4 grid here, 16x128 tiles; thread (ty, tx) owns rows ty + 16 i and
// columns tx + 16 j, so neighbouring threads read neighbouring tile
// elements.
// CHECK-LABEL: func.func @large_matmul
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : index
// CHECK: gpu.launch blocks({{.*}}) in (%{{[^ ]+}} = %[[C4]], %{{[^ ]+}} = %[[C4]], %{{[^ ]+}} = %{{[^)]+}})
// CHECK-SAME: threads(%[[TX:[^,]+]], %[[TY:[^,]+]], %{{[^)]+}}) in
// CHECK-SAME: workgroup(%[[ATILE:[^ ]+]] : memref<16x128xf32, #gpu.address_space<workgroup>>, %[[BTILE:[^ ]+]] : memref<16x128xf32, #gpu.address_space<workgroup>>)
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK: scf.for %[[KK:[^ ]+]] =
// CHECK-NEXT: %[[ROW0:.+]] = arith.addi %[[TY]], %{{.+}} : index
// CHECK-NEXT: memref.load %[[ATILE]][%[[KK]], %[[ROW0]]]
// CHECK-NEXT: %[[COL0:.+]] = arith.addi %[[TX]], %{{.+}} : index
// CHECK-NEXT: memref.load %[[BTILE]][%[[KK]], %[[COL0]]]
// CHECK-NEXT: %[[ROW1:.+]] = arith.addi %[[TY]], %[[C16:.+]] : index
// CHECK-NEXT: memref.load %[[ATILE]][%[[KK]], %[[ROW1]]]
// CHECK-COUNT-64: arith.mulf
func.func @large_matmul(%a: memref<512x16xf32>, %b: memref<16x512xf32>, %c: memref<512x512xf32>) {
  linalg.matmul ins(%a, %b : memref<512x16xf32>, memref<16x512xf32>) outs(%c : memref<512x512xf32>)
  return
}

// With nvidia-mma, the 8x8-per-thread case runs on tensor cores: 16
// m16n8 accumulators per thread (vector<2x2xf32>), and per 8-deep k step
// each pair of A and B fragments enters three TF32 MMAs (lo*hi, hi*lo,
// hi*hi), the hi parts masked to TF32 (0xFFFFE000 = -8192). Smaller
// outputs keep the scalar kernels.
// MMA-LABEL: func.func @matmul
// MMA-NOT: nvgpu.mma.sync
// MMA-LABEL: func.func @large_matmul
// MMA: arith.constant dense<0.000000e+00> : vector<2x2xf32>
// MMA: scf.for {{.*}} -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// MMA: gpu.barrier
// MMA: %[[BITS:.+]] = arith.bitcast %{{.+}} : f32 to i32
// MMA: %[[MASK:.+]] = arith.constant -8192 : i32
// MMA: %[[HIBITS:.+]] = arith.andi %[[BITS]], %[[MASK]] : i32
// MMA: %[[HI:.+]] = arith.bitcast %[[HIBITS]] : i32 to f32
// MMA: arith.subf %{{.+}}, %[[HI]] : f32
// MMA: vector.from_elements {{.*}} : vector<4x1xf32>
// MMA: vector.from_elements {{.*}} : vector<2x1xf32>
// MMA-COUNT-3: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled} : (vector<4x1xf32>, vector<2x1xf32>, vector<2x2xf32>) -> vector<2x2xf32>
// MMA: gpu.barrier
// MMA: vector.extract %{{.+}}[0, 0] : f32 from vector<2x2xf32>
