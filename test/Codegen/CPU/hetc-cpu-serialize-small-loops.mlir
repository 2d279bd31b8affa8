// RUN: hetc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(hetc-cpu-serialize-small-loops{min-iterations=1000}))' | FileCheck %s

// A small loop runs sequentially: one scf.for per dimension.
// CHECK-LABEL: func.func @small
// CHECK-NOT: scf.parallel
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[I]], %[[J]]]
func.func @small(%m: memref<4x8xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c8) step (%c1, %c1) {
    memref.store %v, %m[%i, %j] : memref<4x8xf32>
    scf.reduce
  }
  return
}

// -----

// A large loop stays parallel.
// CHECK-LABEL: func.func @large
// CHECK: scf.parallel
func.func @large(%m: memref<64x64xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c64) step (%c1, %c1) {
    memref.store %v, %m[%i, %j] : memref<64x64xf32>
    scf.reduce
  }
  return
}

// -----

// A loop that calls the GEMM ukernel stays parallel however few its
// iterations.
// CHECK-LABEL: func.func @calls
// CHECK: scf.parallel
// CHECK: func.call @work
func.func private @work(index)
func.func @calls() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    func.call @work(%i) : (index) -> ()
    scf.reduce
  }
  return
}
