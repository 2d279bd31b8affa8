// RUN: hetc-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @add_zero
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @add_zero(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %zero = arith.constant dense<0.0> : tensor<8xf32>
  %0 = hetc.add %x, %zero : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = hetc.sub %x, %zero : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Dropping the identity would change the broadcast result shape: kept.
// CHECK-LABEL: func.func @add_zero_broadcasting
// CHECK: hetc.add
func.func @add_zero_broadcasting(%x: tensor<8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant dense<0.0> : tensor<4x8xf32>
  %0 = hetc.add %x, %zero : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @mul_div_one
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]]
func.func @mul_div_one(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %one = arith.constant dense<1.0> : tensor<f32>
  %0 = hetc.mul %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = hetc.mul %one, %x : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = hetc.div %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Splat constants fold, broadcasting to the result shape.
// CHECK-LABEL: func.func @splat_fold
// CHECK-DAG: %[[A:.*]] = arith.constant dense<5.000000e+00> : tensor<2x3xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<6.000000e+00> : tensor<3xf32>
// CHECK-DAG: %[[C:.*]] = arith.constant dense<-1.000000e+00> : tensor<3xf32>
// CHECK-DAG: %[[D:.*]] = arith.constant dense<1.500000e+00> : tensor<3xf32>
// CHECK-DAG: %[[E:.*]] = arith.constant dense<3.000000e+00> : tensor<3xf32>
// CHECK: return %[[A]], %[[B]], %[[C]], %[[D]], %[[E]]
func.func @splat_fold() -> (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %two = arith.constant dense<2.0> : tensor<3xf32>
  %three = arith.constant dense<3.0> : tensor<2x1xf32>
  %t = arith.constant dense<3.0> : tensor<3xf32>
  %0 = hetc.add %two, %three : (tensor<3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %1 = hetc.mul %two, %t : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %2 = hetc.sub %two, %t : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %3 = hetc.div %t, %two : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %4 = hetc.maximum %two, %t : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0, %1, %2, %3, %4 : tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @idempotent_and_involution
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[R:.*]] = hetc.relu %[[X]]
// CHECK-NOT: hetc.relu
// CHECK-NOT: hetc.neg
// CHECK: return %[[R]], %[[X]], %[[X]], %[[X]]
func.func @idempotent_and_involution(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %r = hetc.relu %x : tensor<4xf32>
  %rr = hetc.relu %r : tensor<4xf32>
  %n = hetc.neg %x : tensor<4xf32>
  %nn = hetc.neg %n : tensor<4xf32>
  %m = hetc.maximum %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %mn = hetc.minimum %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %rr, %nn, %m, %mn : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @pow
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[SQ:.*]] = hetc.mul %[[X]], %[[X]]
// CHECK-DAG: %[[SQRT:.*]] = hetc.sqrt %[[X]]
// CHECK-DAG: %[[RSQRT:.*]] = hetc.rsqrt %[[X]]
// CHECK-DAG: %[[CUBE:.*]] = hetc.pow %[[X]], 3.000000e+00
// CHECK: return %[[X]], %[[SQ]], %[[SQRT]], %[[RSQRT]], %[[CUBE]]
func.func @pow(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = hetc.pow %x, 1.0 : tensor<4xf32>
  %1 = hetc.pow %x, 2.0 : tensor<4xf32>
  %2 = hetc.pow %x, 0.5 : tensor<4xf32>
  %3 = hetc.pow %x, -0.5 : tensor<4xf32>
  %4 = hetc.pow %x, 3.0 : tensor<4xf32>
  return %0, %1, %2, %3, %4 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @reduce
// CHECK-SAME: (%[[X:.*]]: tensor<4x1x8xf32>)
// CHECK: %[[S:.*]] = hetc.reduce_sum %[[X]] [0, 2] : tensor<4x1x8xf32> -> tensor<1xf32>
// CHECK: %[[M:.*]] = hetc.reduce_max %[[X]] [2] keepdims
// CHECK: return %[[X]], %[[X]], %[[S]], %[[M]]
func.func @reduce(%x: tensor<4x1x8xf32>) -> (tensor<4x1x8xf32>, tensor<4x1x8xf32>, tensor<1xf32>, tensor<4x1x1xf32>) {
  %0 = hetc.reduce_mean %x [1] keepdims : tensor<4x1x8xf32> -> tensor<4x1x8xf32>
  %1 = hetc.reduce_max %x [-2] keepdims : tensor<4x1x8xf32> -> tensor<4x1x8xf32>
  %2 = hetc.reduce_sum %x [-1, 0] : tensor<4x1x8xf32> -> tensor<1xf32>
  %3 = hetc.reduce_max %x [-1] keepdims : tensor<4x1x8xf32> -> tensor<4x1x1xf32>
  return %0, %1, %2, %3 : tensor<4x1x8xf32>, tensor<4x1x8xf32>, tensor<1xf32>, tensor<4x1x1xf32>
}

// -----

// CHECK-LABEL: func.func @softmax_axis
// CHECK: hetc.softmax %{{.*}} axis 1 : tensor<4x8xf32>
// CHECK: hetc.log_softmax %{{.*}} axis 0 : tensor<4x8xf32>
func.func @softmax_axis(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = hetc.softmax %x axis -1 : tensor<4x8xf32>
  %1 = hetc.log_softmax %x axis -2 : tensor<4x8xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-DAG: %[[C:.*]] = arith.constant dense<1.000000e+00> : tensor<6x2xf32>
// CHECK-DAG: %[[R:.*]] = hetc.reshape %[[X]] [4, 6] : tensor<2x3x4xf32> -> tensor<4x6xf32>
// CHECK: return %[[X]], %[[R]], %[[C]]
func.func @reshape(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<4x6xf32>, tensor<6x2xf32>) {
  %0 = hetc.reshape %x [2, 3, 4] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  %1 = hetc.reshape %x [6, 4] : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %2 = hetc.reshape %1 [4, -1] : tensor<6x4xf32> -> tensor<4x6xf32>
  %c = arith.constant dense<1.0> : tensor<12xf32>
  %3 = hetc.reshape %c [6, 2] : tensor<12xf32> -> tensor<6x2xf32>
  return %0, %2, %3 : tensor<2x3x4xf32>, tensor<4x6xf32>, tensor<6x2xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-DAG: %[[T:.*]] = hetc.transpose %[[X]] [2, 1, 0] : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
// CHECK-DAG: %[[C:.*]] = arith.constant dense<2.000000e+00> : tensor<3x2xf32>
// CHECK: return %[[X]], %[[T]], %[[C]]
func.func @transpose(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<4x3x2xf32>, tensor<3x2xf32>) {
  %0 = hetc.transpose %x [0, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  %1 = hetc.transpose %x [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %2 = hetc.transpose %1 [2, 0, 1] : tensor<3x2x4xf32> -> tensor<4x3x2xf32>
  %c = arith.constant dense<2.0> : tensor<2x3xf32>
  %3 = hetc.transpose %c [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0, %2, %3 : tensor<2x3x4xf32>, tensor<4x3x2xf32>, tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[S:.*]]: tensor<i64>)
// CHECK-DAG: %[[B:.*]] = arith.constant dense<3.000000e+00> : tensor<5x8xf32>
// CHECK: return %[[X]], %[[X]], %[[X]], %[[X]], %[[B]]
func.func @identities(%x: tensor<4x8xf32>, %seed: tensor<i64>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<5x8xf32>) {
  %0 = hetc.broadcast_to %x [4, 8] : tensor<4x8xf32> -> tensor<4x8xf32>
  %1 = hetc.concat %x axis 0 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = hetc.slice %x offsets [0, 0] sizes [4, 8] strides [1, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  %3 = hetc.dropout %x, %seed {p = 0.0 : f64} : (tensor<4x8xf32>, tensor<i64>) -> tensor<4x8xf32>
  %c = arith.constant dense<3.0> : tensor<8xf32>
  %4 = hetc.broadcast_to %c [5, 8] : tensor<8xf32> -> tensor<5x8xf32>
  return %0, %1, %2, %3, %4 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<5x8xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_transposes
// CHECK-SAME: (%[[A:.*]]: tensor<16x8xf32>, %[[B:.*]]: tensor<4x16xf32>, %[[C:.*]]: tensor<2x8x16xf32>)
// CHECK: %[[M0:.*]] = hetc.matmul %[[A]], %[[B]] transpose_lhs transpose_rhs : (tensor<16x8xf32>, tensor<4x16xf32>) -> tensor<8x4xf32>
// A permutation that is not a swap of the last two dimensions stays.
// CHECK: %[[T:.*]] = hetc.transpose %[[C]] [1, 0, 2]
// CHECK: hetc.matmul %[[T]], %[[B]] transpose_rhs : (tensor<8x2x16xf32>, tensor<4x16xf32>)
func.func @matmul_transposes(%a: tensor<16x8xf32>, %b: tensor<4x16xf32>, %c: tensor<2x8x16xf32>) -> (tensor<8x4xf32>, tensor<8x2x4xf32>) {
  %at = hetc.transpose %a [1, 0] : tensor<16x8xf32> -> tensor<8x16xf32>
  %bt = hetc.transpose %b [1, 0] : tensor<4x16xf32> -> tensor<16x4xf32>
  %0 = hetc.matmul %at, %bt : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  %ct = hetc.transpose %c [1, 0, 2] : tensor<2x8x16xf32> -> tensor<8x2x16xf32>
  %1 = hetc.matmul %ct, %bt : (tensor<8x2x16xf32>, tensor<16x4xf32>) -> tensor<8x2x4xf32>
  return %0, %1 : tensor<8x4xf32>, tensor<8x2x4xf32>
}
