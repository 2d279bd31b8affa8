// RUN: hetc-opt %s --hetc-distinct-results | FileCheck %s
// RUN: hetc-opt %s --hetc-distinct-results --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --buffer-results-to-out-params="hoist-static-allocs modify-public-functions" | FileCheck %s --check-prefix=OUT

// A tensor returned twice gets a copy for its second result; distinct
// results are left alone.

// CHECK-LABEL: func.func @twice(
// CHECK: %[[A:.*]] = linalg.add
// CHECK: %[[C:.*]] = bufferization.alloc_tensor() copy(%[[A]]) : tensor<4xf32>
// CHECK: return %[[A]], %[[C]], %arg0

// Each result then has its own out-parameter (without the copy, hoisting
// the allocation into the first out-parameter crashed on the second).
// OUT-LABEL: func.func @twice(
// OUT-SAME: %{{.*}}: memref<4xf32>, %[[O1:[a-z0-9]+]]: memref<4xf32>, %[[O2:[a-z0-9]+]]: memref<4xf32>, %[[O3:[a-z0-9]+]]: memref<4xf32>)
// OUT: memref.copy %[[O1]], %[[O2]]
func.func @twice(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %e = tensor.empty() : tensor<4xf32>
  %a = linalg.add ins(%x, %x : tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %a, %a, %x : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @distinct(
// CHECK-NOT: alloc_tensor
// CHECK: return
func.func @distinct(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %e = tensor.empty() : tensor<4xf32>
  %a = linalg.add ins(%x, %x : tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %a, %x : tensor<4xf32>, tensor<4xf32>
}
