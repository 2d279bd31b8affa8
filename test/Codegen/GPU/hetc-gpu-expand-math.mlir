// RUN: hetc-opt %s --pass-pipeline='builtin.module(gpu.module(hetc-gpu-expand-math))' | FileCheck %s
// RUN: hetc-opt %s --pass-pipeline='builtin.module(gpu.module(hetc-gpu-expand-math{erf=false}))' | FileCheck %s --check-prefix=KEEP

// Vulkan has no erf: it becomes MLIR's rational approximation, built from
// arith ops and math.fma, with the sign restored at the end. Other math
// ops (exp, which GLSL has) stay.
// CHECK-LABEL: gpu.func @gelu
// CHECK: %[[X:.+]] = memref.load
// CHECK: %[[NEG:.+]] = arith.cmpf olt, %[[X]], %{{.+}} : f32
// CHECK: %[[ABS:.+]] = arith.select %[[NEG]], %{{.+}}, %[[X]] : f32
// CHECK: math.fma %[[ABS]]
// CHECK: %[[RATIO:.+]] = arith.divf %{{.+}}, %{{.+}} : f32
// CHECK: %[[POS:.+]] = arith.select %{{.+}}, %{{.+}}, %{{.+}} : f32
// CHECK: %[[FLIPPED:.+]] = arith.negf %[[POS]] : f32
// CHECK: %[[ERF:.+]] = arith.select %[[NEG]], %[[FLIPPED]], %[[POS]] : f32
// CHECK: %[[E:.+]] = math.exp %[[ERF]] : f32
// CHECK: memref.store %[[E]]
// CHECK-NOT: math.erf

// OpenCL SPIR-V has erf: with erf=false it is left alone.
// KEEP-LABEL: gpu.func @gelu
// KEEP: %[[X:.+]] = memref.load
// KEEP-NEXT: %[[ERF:.+]] = math.erf %[[X]] : f32
// KEEP-NEXT: %[[E:.+]] = math.exp %[[ERF]] : f32
// KEEP-NOT: math.fma
gpu.module @kernels {
  gpu.func @gelu(%m: memref<4xf32>) kernel {
    %c0 = arith.constant 0 : index
    %x = memref.load %m[%c0] : memref<4xf32>
    %y = math.erf %x : f32
    %z = math.exp %y : f32
    memref.store %z, %m[%c0] : memref<4xf32>
    gpu.return
  }
}
