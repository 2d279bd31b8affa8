// RUN: hetc-opt %s --pass-pipeline='builtin.module(func.func(hetc-gpu-sink-into-launches))' | FileCheck %s

// The launch reads a subview of an expand_shape of %a: both views are
// cloned into the body (in order), so the kernel takes %a itself. Constants
// are cloned too; the allocation and the other argument stay outside.
// CHECK-LABEL: func.func @views
// CHECK-SAME: (%[[A:[^:]+]]: memref<64xf32>, %[[B:[^:]+]]: memref<8x8xf32>)
// CHECK: %[[ALLOC:.+]] = memref.alloc() : memref<8xf32>
// CHECK: gpu.launch blocks(%[[BX:[^,]+]], {{.*}}) threads(%[[TX:[^,]+]], {{.*}}) {
// CHECK-NEXT: %[[EXPANDED:.+]] = memref.expand_shape %[[A]] {{\[\[}}0, 1]] output_shape [8, 8] : memref<64xf32> into memref<8x8xf32>
// CHECK-NEXT: %[[ROWS:.+]] = memref.subview %[[EXPANDED]][0, 0] [4, 8] [1, 1] : memref<8x8xf32> to memref<4x8xf32, strided<[8, 1]>>
// CHECK-NEXT: %[[ONE:.+]] = arith.constant 1 : index
// CHECK-NEXT: %[[TWO:.+]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT: %[[V:.+]] = memref.load %[[ROWS]][%[[ONE]], %[[TX]]]
// CHECK-NEXT: %[[W:.+]] = arith.mulf %[[V]], %[[TWO]] : f32
// CHECK-NEXT: memref.store %[[W]], %[[B]][%[[BX]], %[[TX]]] : memref<8x8xf32>
// CHECK-NEXT: memref.store %[[W]], %[[ALLOC]][%[[TX]]] : memref<8xf32>
// CHECK-NEXT: gpu.terminator
func.func @views(%a: memref<64xf32>, %b: memref<8x8xf32>) {
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %two = arith.constant 2.0 : f32
  %v = memref.expand_shape %a [[0, 1]] output_shape [8, 8] : memref<64xf32> into memref<8x8xf32>
  %rows = memref.subview %v[0, 0] [4, 8] [1, 1] : memref<8x8xf32> to memref<4x8xf32, strided<[8, 1]>>
  %alloc = memref.alloc() : memref<8xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c8, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c8, %sy = %c1, %sz = %c1) {
    %x = memref.load %rows[%c1, %tx] : memref<4x8xf32, strided<[8, 1]>>
    %y = arith.mulf %x, %two : f32
    memref.store %y, %b[%bx, %tx] : memref<8x8xf32>
    memref.store %y, %alloc[%tx] : memref<8xf32>
    gpu.terminator
  }
  return
}

// Two launches each get their own copy of a shared view.
// CHECK-LABEL: func.func @two_launches
// CHECK-SAME: (%[[A:[^:]+]]: memref<4x4xf32>)
// CHECK: gpu.launch
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[FLAT1:.+]] = memref.collapse_shape %[[A]] {{\[\[}}0, 1]] : memref<4x4xf32> into memref<16xf32>
// CHECK: memref.store %[[ZERO]], %[[FLAT1]]
// CHECK: gpu.launch
// CHECK-NEXT: %[[FLAT2:.+]] = memref.collapse_shape %[[A]] {{\[\[}}0, 1]] : memref<4x4xf32> into memref<16xf32>
// CHECK: memref.load %[[FLAT2]]
func.func @two_launches(%a: memref<4x4xf32>) {
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  %flat = memref.collapse_shape %a [[0, 1]] : memref<4x4xf32> into memref<16xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c16, %sy = %c1, %sz = %c1) {
    memref.store %zero, %flat[%tx] : memref<16xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c16, %sy = %c1, %sz = %c1) {
    %x = memref.load %flat[%tx] : memref<16xf32>
    %y = arith.addf %x, %x : f32
    memref.store %y, %flat[%tx] : memref<16xf32>
    gpu.terminator
  }
  return
}
