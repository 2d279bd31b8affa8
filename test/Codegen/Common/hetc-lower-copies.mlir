// RUN: hetc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(hetc-lower-copies))' | FileCheck %s
// RUN: hetc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(hetc-lower-copies{all=true}))' | FileCheck %s --check-prefix=ALL

// A copy into a strided view becomes linalg.copy (the CPU pipeline would
// otherwise call the C runner utilities, which artifacts do not link).
// CHECK-LABEL: func.func @strided_target
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.*}} : memref<4x1xf32>) outs(%{{.*}} : memref<4x1xf32, strided<[9, 1], offset: 8>>)
// ALL-LABEL: func.func @strided_target
// ALL: linalg.copy
func.func @strided_target(%a: memref<4x1xf32>,
                          %b: memref<4x1xf32, strided<[9, 1], offset: 8>>) {
  memref.copy %a, %b : memref<4x1xf32> to memref<4x1xf32, strided<[9, 1], offset: 8>>
  return
}

// -----

// So does a copy out of a strided view.
// CHECK-LABEL: func.func @strided_source
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.*}} : memref<2x3xf32, strided<[6, 2]>>) outs(%{{.*}} : memref<2x3xf32>)
func.func @strided_source(%a: memref<2x3xf32, strided<[6, 2]>>,
                          %b: memref<2x3xf32>) {
  memref.copy %a, %b : memref<2x3xf32, strided<[6, 2]>> to memref<2x3xf32>
  return
}

// -----

// A copy between contiguous buffers stays a memref.copy (a memcpy in LLVM),
// unless all=true asks for every copy (GPU pipelines: a copy is a kernel).
// CHECK-LABEL: func.func @contiguous
// CHECK-NOT: linalg.copy
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<8xf32> to memref<8xf32>
// ALL-LABEL: func.func @contiguous
// ALL-NOT: memref.copy
// ALL: linalg.copy ins(%{{.*}} : memref<8xf32>) outs(%{{.*}} : memref<8xf32>)
func.func @contiguous(%a: memref<8xf32>, %b: memref<8xf32>) {
  memref.copy %a, %b : memref<8xf32> to memref<8xf32>
  return
}
