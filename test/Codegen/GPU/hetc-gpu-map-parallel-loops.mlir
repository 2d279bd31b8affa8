// RUN: hetc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(hetc-gpu-map-parallel-loops))' | FileCheck %s
// RUN: hetc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(hetc-gpu-map-parallel-loops{block-size=64 max-blocks=4}))' | FileCheck %s --check-prefix=CAPPED

// A 2-D elementwise op: its 32x128 loop is collapsed to 4096 iterations and
// tiled into 16 blocks of 256 threads; the element indices are recovered
// from the linear index.
// CHECK-LABEL: func.func @relu
// CHECK-SAME: (%[[X:[^:]+]]: memref<32x128xf32>, %[[Y:[^:]+]]: memref<32x128xf32>)
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C128:.+]] = arith.constant 128 : index
// CHECK-DAG: %[[C256:.+]] = arith.constant 256 : index
// CHECK-DAG: %[[C4096:.+]] = arith.constant 4096 : index
// CHECK: scf.parallel (%[[BLOCK:[^)]+]]) = (%[[C0]]) to (%[[C4096]]) step (%[[C256]]) {
// CHECK-NEXT: scf.parallel (%[[THREAD:[^)]+]]) = (%[[C0]]) to (%[[C256]]) step (%[[C1]]) {
// CHECK-NEXT:   %[[I:.+]] = arith.addi %[[THREAD]], %[[BLOCK]] : index
// CHECK-NEXT:   %[[COL:.+]] = arith.remsi %[[I]], %[[C128]] : index
// CHECK-NEXT:   %[[ROW:.+]] = arith.divsi %[[I]], %[[C128]] : index
// CHECK-NEXT:   %[[V:.+]] = memref.load %[[X]][%[[ROW]], %[[COL]]] : memref<32x128xf32>
// CHECK-NEXT:   %[[R:.+]] = arith.maximumf %[[V]], %{{.+}} : f32
// CHECK-NEXT:   memref.store %[[R]], %[[Y]][%[[ROW]], %[[COL]]] : memref<32x128xf32>
// CHECK:      } {mapping = [#gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK:    } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NOT: linalg.generic

// Past max-blocks=4 blocks of 64 threads, each thread loops over 16
// elements: 4 blocks of 1024 elements, 64 threads striding by 16, and a
// sequential loop over the 16.
// CAPPED-LABEL: func.func @relu
// CAPPED-DAG: %[[C16:.+]] = arith.constant 16 : index
// CAPPED-DAG: %[[C1024:.+]] = arith.constant 1024 : index
// CAPPED-DAG: %[[C4096:.+]] = arith.constant 4096 : index
// CAPPED: scf.parallel (%{{[^)]+}}) = (%{{[^)]+}}) to (%[[C4096]]) step (%[[C1024]]) {
// CAPPED:   scf.parallel (%{{[^)]+}}) = (%{{[^)]+}}) to (%[[C1024]]) step (%[[C16]]) {
// CAPPED:     scf.parallel (%{{[^)]+}}) = (%{{[^)]+}}) to (%[[C16]]) step (%{{[^)]+}}) {
// CAPPED:       memref.store
// CAPPED:     } {mapping = [#gpu.loop_dim_map<processor = sequential
// CAPPED:   } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CAPPED: } {mapping = [#gpu.loop_dim_map<processor = block_x
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @relu(%x: memref<32x128xf32>, %y: memref<32x128xf32>) {
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<32x128xf32>) outs(%y : memref<32x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// 1000 elements do not fill 4 blocks of 256: the last block's extra
// threads are guarded off.
// CHECK-LABEL: func.func @ragged
// CHECK-DAG: %[[C1000:.+]] = arith.constant 1000 : index
// CHECK-DAG: %[[C256:.+]] = arith.constant 256 : index
// CHECK: scf.parallel (%[[BLOCK:[^)]+]]) = (%{{[^)]+}}) to (%[[C1000]]) step (%[[C256]]) {
// CHECK:   scf.parallel (%[[THREAD:[^)]+]]) = (%{{[^)]+}}) to (%[[C256]]) step
// CHECK:     %[[I:.+]] = arith.addi %[[THREAD]], %[[BLOCK]] : index
// CHECK:     %[[INSIDE:.+]] = arith.cmpi ult, %{{.+}}, %[[C1000]] : index
// CHECK:     scf.if %[[INSIDE]] {
// CHECK:       memref.store %{{.+}}, %{{.+}}[%[[I]]] : memref<1000xf32>
func.func @ragged(%y: memref<1000xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1000 = arith.constant 1000 : index
  scf.parallel (%i) = (%c0) to (%c1000) step (%c1) {
    memref.store %v, %y[%i] : memref<1000xf32>
    scf.reduce
  }
  return
}

// -----

// A column sum reduces dimension 0: the parallel dimension is interchanged
// outward, so each of 16 threads owns one output and loops over 64 rows.
// CHECK-LABEL: func.func @column_sum
// CHECK-SAME: (%[[X:[^:]+]]: memref<64x16xf32>, %[[Y:[^:]+]]: memref<16xf32>)
// CHECK-DAG: %[[C16:.+]] = arith.constant 16 : index
// CHECK-DAG: %[[C64:.+]] = arith.constant 64 : index
// CHECK: scf.parallel (%[[BLOCK:[^)]+]]) = (%{{[^)]+}}) to (%[[C16]]) step (%[[C16]]) {
// CHECK:   scf.parallel (%[[THREAD:[^)]+]]) = (%{{[^)]+}}) to (%[[C16]]) step
// CHECK:     %[[COL:.+]] = arith.addi %[[THREAD]], %[[BLOCK]] : index
// CHECK:     scf.for %[[ROW:[^ ]+]] = %{{[^ ]+}} to %[[C64]] step
// CHECK:       %[[V:.+]] = memref.load %[[X]][%[[ROW]], %[[COL]]] : memref<64x16xf32>
// CHECK:       %[[ACC:.+]] = memref.load %[[Y]][%[[COL]]] : memref<16xf32>
// CHECK:       %[[S:.+]] = arith.addf %[[V]], %[[ACC]] : f32
// CHECK:       memref.store %[[S]], %[[Y]][%[[COL]]] : memref<16xf32>
// CHECK:   } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x
func.func @column_sum(%x: memref<64x16xf32>, %y: memref<16xf32>) {
  linalg.reduce ins(%x : memref<64x16xf32>) outs(%y : memref<16xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return
}

// -----

// A reduction into a 0-d buffer has no parallel dimension: it runs in a
// one-block, one-thread nest.
// CHECK-LABEL: func.func @total
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C100:.+]] = arith.constant 100 : index
// CHECK: scf.parallel (%{{[^)]+}}) = (%[[C0]]) to (%[[C1]]) step (%[[C1]]) {
// CHECK-NEXT: scf.parallel (%{{[^)]+}}) = (%[[C0]]) to (%[[C1]]) step (%[[C1]]) {
// CHECK-NEXT:   scf.for %{{[^ ]+}} = %[[C0]] to %[[C100]] step %[[C1]] {
// CHECK:          memref.store %{{.+}}, %{{.+}}[] : memref<f32>
// CHECK:      } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK:    } {mapping = [#gpu.loop_dim_map<processor = block_x
func.func @total(%x: memref<100xf32>, %y: memref<f32>) {
  linalg.reduce ins(%x : memref<100xf32>) outs(%y : memref<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return
}

// -----

// A parallel loop nested in another runs sequentially in its thread.
// CHECK-LABEL: func.func @nested
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : index
// CHECK-DAG: %[[C8:.+]] = arith.constant 8 : index
// CHECK: scf.parallel (%[[BLOCK:[^)]+]]) = (%{{[^)]+}}) to (%[[C4]]) step (%[[C4]]) {
// CHECK:   scf.parallel (%[[THREAD:[^)]+]]) = (%{{[^)]+}}) to (%[[C4]]) step
// CHECK:     %[[I:.+]] = arith.addi %[[THREAD]], %[[BLOCK]] : index
// CHECK:     scf.for %[[J:[^ ]+]] = %{{[^ ]+}} to %[[C8]] step
// CHECK:       memref.store %{{.+}}, %{{.+}}[%[[I]], %[[J]]] : memref<4x8xf32>
func.func @nested(%y: memref<4x8xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
      memref.store %v, %y[%i, %j] : memref<4x8xf32>
      scf.reduce
    }
    scf.reduce
  }
  return
}

// -----

// Loose scalar work at the top level becomes single-thread kernels. An
// allocation met inside a run moves before it; a deallocation ends it.
// CHECK-LABEL: func.func @scalar_runs
// CHECK-SAME: (%[[X:[^:]+]]: memref<f32>, %[[Y:[^:]+]]: memref<f32>)
// CHECK: %[[T:.+]] = memref.alloc() : memref<f32>
// CHECK: scf.parallel
// CHECK-NEXT: scf.parallel
// CHECK-NEXT:   %[[A:.+]] = memref.load %[[X]][] : memref<f32>
// CHECK-NEXT:   memref.store %[[A]], %[[Y]][] : memref<f32>
// CHECK-NEXT:   memref.store %[[A]], %[[T]][] : memref<f32>
// CHECK:      } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK:    } {mapping = [#gpu.loop_dim_map<processor = block_x
// CHECK-NEXT: memref.dealloc %[[T]] : memref<f32>
// CHECK-NEXT: scf.parallel
// CHECK-NEXT: scf.parallel
// CHECK-NEXT:   %[[B:.+]] = memref.load %[[Y]][] : memref<f32>
// CHECK-NEXT:   memref.store %[[B]], %[[X]][] : memref<f32>
// CHECK:      } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK:    } {mapping = [#gpu.loop_dim_map<processor = block_x
// CHECK-NEXT: return
func.func @scalar_runs(%x: memref<f32>, %y: memref<f32>) {
  %a = memref.load %x[] : memref<f32>
  memref.store %a, %y[] : memref<f32>
  %t = memref.alloc() : memref<f32>
  memref.store %a, %t[] : memref<f32>
  memref.dealloc %t : memref<f32>
  %b = memref.load %y[] : memref<f32>
  memref.store %b, %x[] : memref<f32>
  return
}

// -----

// A scalar read at the top level (a dropout seed) and used by a loop nest
// is read again inside it, so no value crosses between kernels; the
// top-level read disappears.
// CHECK-LABEL: func.func @rematerialized_scalar
// CHECK-SAME: (%[[SEED:.*]]: memref<i64>, %[[Y:.*]]: memref<16xi64>)
// CHECK-NOT: memref.load
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: %[[V:.*]] = memref.load %[[SEED]][] : memref<i64>
// CHECK: %[[W:.*]] = arith.addi %[[V]], %{{.*}} : i64
// CHECK: memref.store %[[W]], %[[Y]]
func.func @rematerialized_scalar(%seed: memref<i64>, %y: memref<16xi64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %one = arith.constant 1 : i64
  %v = memref.load %seed[] : memref<i64>
  %w = arith.addi %v, %one : i64
  scf.parallel (%i) = (%c0) to (%c16) step (%c1) {
    memref.store %w, %y[%i] : memref<16xi64>
    scf.reduce
  }
  return
}
