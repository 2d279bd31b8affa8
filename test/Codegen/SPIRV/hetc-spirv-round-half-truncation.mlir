// RUN: hetc-opt %s --pass-pipeline='builtin.module(gpu.module(hetc-spirv-round-half-truncation))' | FileCheck %s

// The operand of an f32 -> f16 truncation is rounded to f16 precision
// first: |x| + c - c with c = 2^(e + 13), at least 2^-1, infinity from
// 65520 on, the sign put back. Other truncations are left alone.
// CHECK-LABEL: gpu.func @k
// CHECK-SAME: (%[[X:.+]]: f32, %[[D:.+]]: f64)
// CHECK: %[[BITS:.+]] = arith.bitcast %[[X]] : f32 to i32
// CHECK: %[[SIGN:.+]] = arith.andi %[[BITS]], %{{.+}} : i32
// CHECK: %[[ABSBITS:.+]] = arith.andi %[[BITS]], %{{.+}} : i32
// CHECK: %[[ABS:.+]] = arith.bitcast %[[ABSBITS]] : i32 to f32
// CHECK: %[[EXP:.+]] = arith.andi %[[ABSBITS]], %{{.+}} : i32
// CHECK: %[[SCALED:.+]] = arith.addi %[[EXP]], %{{.+}} : i32
// CHECK: %[[CBITS:.+]] = arith.maxsi %[[SCALED]], %{{.+}} : i32
// CHECK: %[[C:.+]] = arith.bitcast %[[CBITS]] : i32 to f32
// CHECK: %[[SUM:.+]] = arith.addf %[[ABS]], %[[C]] : f32
// CHECK: %[[ROUNDED:.+]] = arith.subf %[[SUM]], %[[C]] : f32
// CHECK: %[[BIG:.+]] = arith.cmpf oge, %[[ABS]], %{{.+}} : f32
// CHECK: %[[MAG:.+]] = arith.select %[[BIG]], %{{.+}}, %[[ROUNDED]] : f32
// CHECK: %[[MAGBITS:.+]] = arith.bitcast %[[MAG]] : f32 to i32
// CHECK: %[[OR:.+]] = arith.ori %[[MAGBITS]], %[[SIGN]] : i32
// CHECK: %[[R:.+]] = arith.bitcast %[[OR]] : i32 to f32
// CHECK: arith.truncf %[[R]] : f32 to f16
// CHECK: arith.truncf %[[D]] : f64 to f32
gpu.module @kernels {
  gpu.func @k(%x: f32, %d: f64) kernel {
    %h = arith.truncf %x : f32 to f16
    %f = arith.truncf %d : f64 to f32
    gpu.return
  }
}
