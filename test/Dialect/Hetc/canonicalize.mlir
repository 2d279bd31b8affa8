// RUN: hetc-opt %s -canonicalize -split-input-file | FileCheck %s

//===----------------------------------------------------------------------===//
// Elementwise binary folds
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @add_sub_zero
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK-NOT: hetc.
// CHECK: return %[[X]], %[[X]], %[[X]], %[[X]]
func.func @add_sub_zero(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %zero = arith.constant dense<0.0> : tensor<8xf32>
  %nzero = arith.constant dense<-0.0> : tensor<f32>
  %0 = hetc.add %x, %zero : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = hetc.add %zero, %x : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = hetc.sub %x, %zero : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %3 = hetc.add %x, %nzero : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  return %0, %1, %2, %3 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// 0 - x is not x.
// CHECK-LABEL: func.func @zero_sub
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: %[[R:.*]] = hetc.sub %[[ZERO]], %[[X]]
// CHECK: return %[[R]]
func.func @zero_sub(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = arith.constant dense<0.0> : tensor<4xf32>
  %0 = hetc.sub %zero, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @mul_div_one
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: hetc.
// CHECK: return %[[X]], %[[X]], %[[X]]
func.func @mul_div_one(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %one = arith.constant dense<1.0> : tensor<f32>
  %0 = hetc.mul %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = hetc.mul %one, %x : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = hetc.div %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// 1 / x is not x.
// CHECK-LABEL: func.func @one_div
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK: %[[R:.*]] = hetc.div %[[ONE]], %[[X]]
// CHECK: return %[[R]]
func.func @one_div(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = arith.constant dense<1.0> : tensor<4xf32>
  %0 = hetc.div %one, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Dropping the identity operand would change the broadcast result shape, so
// none of these fold.
// CHECK-LABEL: func.func @identity_broadcasting
// CHECK-SAME: (%[[X:.*]]: tensor<8xf32>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<4x8xf32>
// CHECK-DAG: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<4x8xf32>
// CHECK: %[[A:.*]] = hetc.add %[[X]], %[[ZERO]] : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: %[[S:.*]] = hetc.sub %[[X]], %[[ZERO]] : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: %[[M:.*]] = hetc.mul %[[X]], %[[ONE]] : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: %[[D:.*]] = hetc.div %[[X]], %[[ONE]] : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: return %[[A]], %[[S]], %[[M]], %[[D]]
func.func @identity_broadcasting(%x: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %zero = arith.constant dense<0.0> : tensor<4x8xf32>
  %one = arith.constant dense<1.0> : tensor<4x8xf32>
  %0 = hetc.add %x, %zero : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = hetc.sub %x, %zero : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = hetc.mul %one, %x : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %3 = hetc.div %x, %one : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0, %1, %2, %3 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Splat constants fold, broadcasting to the result shape.
// CHECK-LABEL: func.func @splat_fold
// CHECK-DAG: %[[ADD:.*]] = arith.constant dense<5.000000e+00> : tensor<2x3xf32>
// CHECK-DAG: %[[MUL:.*]] = arith.constant dense<6.000000e+00> : tensor<3xf32>
// CHECK-DAG: %[[SUB:.*]] = arith.constant dense<-1.000000e+00> : tensor<3xf32>
// CHECK-DAG: %[[DIV:.*]] = arith.constant dense<1.500000e+00> : tensor<3xf32>
// CHECK-DAG: %[[MAX:.*]] = arith.constant dense<3.000000e+00> : tensor<3xf32>
// CHECK-DAG: %[[MIN:.*]] = arith.constant dense<2.000000e+00> : tensor<3xf32>
// CHECK-NOT: hetc.
// CHECK: return %[[ADD]], %[[MUL]], %[[SUB]], %[[DIV]], %[[MAX]], %[[MIN]]
func.func @splat_fold() -> (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %two = arith.constant dense<2.0> : tensor<3xf32>
  %three = arith.constant dense<3.0> : tensor<2x1xf32>
  %t = arith.constant dense<3.0> : tensor<f32>
  %0 = hetc.add %two, %three : (tensor<3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %1 = hetc.mul %two, %t : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %2 = hetc.sub %two, %t : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %3 = hetc.div %t, %two : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  %4 = hetc.maximum %two, %t : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %5 = hetc.minimum %t, %two : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @splat_fold_low_precision
// CHECK-DAG: %[[H:.*]] = arith.constant dense<1.750000e+00> : tensor<2xf16>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<-3.000000e+00> : tensor<2x2xbf16>
// CHECK-NOT: hetc.
// CHECK: return %[[H]], %[[B]]
func.func @splat_fold_low_precision() -> (tensor<2xf16>, tensor<2x2xbf16>) {
  %a = arith.constant dense<1.5> : tensor<2xf16>
  %b = arith.constant dense<0.25> : tensor<2xf16>
  %c = arith.constant dense<-1.5> : tensor<2xbf16>
  %d = arith.constant dense<2.0> : tensor<2x1xbf16>
  %0 = hetc.add %a, %b : (tensor<2xf16>, tensor<2xf16>) -> tensor<2xf16>
  %1 = hetc.mul %c, %d : (tensor<2xbf16>, tensor<2x1xbf16>) -> tensor<2x2xbf16>
  return %0, %1 : tensor<2xf16>, tensor<2x2xbf16>
}

// -----

// Only splats fold.
// CHECK-LABEL: func.func @non_splat
// CHECK: %[[R:.*]] = hetc.add
// CHECK: return %[[R]]
func.func @non_splat() -> tensor<2xf32> {
  %a = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = arith.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %0 = hetc.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @maximum_minimum_self
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: hetc.
// CHECK: return %[[X]], %[[X]]
func.func @maximum_minimum_self(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = hetc.maximum %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = hetc.minimum %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Unary folds
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @neg_neg
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[N:.*]] = hetc.neg %[[X]]
// CHECK-NOT: hetc.neg
// CHECK: return %[[X]], %[[N]]
func.func @neg_neg(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %n = hetc.neg %x : tensor<4xf32>
  %nn = hetc.neg %n : tensor<4xf32>
  %nnn = hetc.neg %nn : tensor<4xf32>
  return %nn, %nnn : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @relu_relu
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[R:.*]] = hetc.relu %[[X]]
// CHECK-NOT: hetc.relu
// CHECK: return %[[R]], %[[R]]
func.func @relu_relu(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %r = hetc.relu %x : tensor<4xf32>
  %rr = hetc.relu %r : tensor<4xf32>
  %rrr = hetc.relu %rr : tensor<4xf32>
  return %rr, %rrr : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @pow
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[SQ:.*]] = hetc.mul %[[X]], %[[X]] : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-DAG: %[[SQRT:.*]] = hetc.sqrt %[[X]] : tensor<4xf32>
// CHECK-DAG: %[[RSQRT:.*]] = hetc.rsqrt %[[X]] : tensor<4xf32>
// CHECK-DAG: %[[CUBE:.*]] = hetc.pow %[[X]], 3.000000e+00 : tensor<4xf32>
// CHECK-DAG: %[[INV:.*]] = hetc.pow %[[X]], -1.000000e+00 : tensor<4xf32>
// CHECK: return %[[X]], %[[SQ]], %[[SQRT]], %[[RSQRT]], %[[CUBE]], %[[INV]]
func.func @pow(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = hetc.pow %x, 1.0 : tensor<4xf32>
  %1 = hetc.pow %x, 2.0 : tensor<4xf32>
  %2 = hetc.pow %x, 0.5 : tensor<4xf32>
  %3 = hetc.pow %x, -0.5 : tensor<4xf32>
  %4 = hetc.pow %x, 3.0 : tensor<4xf32>
  %5 = hetc.pow %x, -1.0 : tensor<4xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Reductions and softmax
//===----------------------------------------------------------------------===//

// Reducing size-1 dimensions and keeping them is the identity.
// CHECK-LABEL: func.func @reduce_size_one
// CHECK-SAME: (%[[X:.*]]: tensor<4x1x8xf32>)
// CHECK: %[[S:.*]] = hetc.reduce_sum %[[X]] [1] : tensor<4x1x8xf32> -> tensor<4x8xf32>
// CHECK-NOT: hetc.reduce
// CHECK: return %[[X]], %[[X]], %[[X]], %[[S]]
func.func @reduce_size_one(%x: tensor<4x1x8xf32>) -> (tensor<4x1x8xf32>, tensor<4x1x8xf32>, tensor<4x1x8xf32>, tensor<4x8xf32>) {
  %0 = hetc.reduce_mean %x [1] keepdims : tensor<4x1x8xf32> -> tensor<4x1x8xf32>
  %1 = hetc.reduce_max %x [-2] keepdims : tensor<4x1x8xf32> -> tensor<4x1x8xf32>
  %2 = hetc.reduce_sum %x [1] keepdims : tensor<4x1x8xf32> -> tensor<4x1x8xf32>
  // Without keepdims the rank changes: not folded.
  %3 = hetc.reduce_sum %x [1] : tensor<4x1x8xf32> -> tensor<4x8xf32>
  return %0, %1, %2, %3 : tensor<4x1x8xf32>, tensor<4x1x8xf32>, tensor<4x1x8xf32>, tensor<4x8xf32>
}

// -----

// Axes become non-negative and sorted.
// CHECK-LABEL: func.func @reduce_axes
// CHECK-SAME: (%[[X:.*]]: tensor<4x2x8xf32>)
// CHECK-DAG: %[[S:.*]] = hetc.reduce_sum %[[X]] [0, 2] : tensor<4x2x8xf32> -> tensor<2xf32>
// CHECK-DAG: %[[M:.*]] = hetc.reduce_max %[[X]] [2] keepdims : tensor<4x2x8xf32> -> tensor<4x2x1xf32>
// CHECK-DAG: %[[A:.*]] = hetc.reduce_mean %[[X]] [0, 1] : tensor<4x2x8xf32> -> tensor<8xf32>
// CHECK-DAG: %[[N:.*]] = hetc.reduce_sum %[[X]] [1, 2] keepdims : tensor<4x2x8xf32> -> tensor<4x1x1xf32>
// CHECK: return %[[S]], %[[M]], %[[A]], %[[N]]
func.func @reduce_axes(%x: tensor<4x2x8xf32>) -> (tensor<2xf32>, tensor<4x2x1xf32>, tensor<8xf32>, tensor<4x1x1xf32>) {
  %0 = hetc.reduce_sum %x [-1, 0] : tensor<4x2x8xf32> -> tensor<2xf32>
  %1 = hetc.reduce_max %x [-1] keepdims : tensor<4x2x8xf32> -> tensor<4x2x1xf32>
  %2 = hetc.reduce_mean %x [1, 0] : tensor<4x2x8xf32> -> tensor<8xf32>
  %3 = hetc.reduce_sum %x [1, 2] keepdims : tensor<4x2x8xf32> -> tensor<4x1x1xf32>
  return %0, %1, %2, %3 : tensor<2xf32>, tensor<4x2x1xf32>, tensor<8xf32>, tensor<4x1x1xf32>
}

// -----

// CHECK-LABEL: func.func @softmax_axis
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK-DAG: %[[S:.*]] = hetc.softmax %[[X]] axis 1 : tensor<4x8xf32>
// CHECK-DAG: %[[L:.*]] = hetc.log_softmax %[[X]] axis 0 : tensor<4x8xf32>
// CHECK-DAG: %[[P:.*]] = hetc.softmax %[[X]] axis 0 : tensor<4x8xf32>
// CHECK: return %[[S]], %[[L]], %[[P]]
func.func @softmax_axis(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = hetc.softmax %x axis -1 : tensor<4x8xf32>
  %1 = hetc.log_softmax %x axis -2 : tensor<4x8xf32>
  %2 = hetc.softmax %x axis 0 : tensor<4x8xf32>
  return %0, %1, %2 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-DAG: %[[C:.*]] = arith.constant dense<1.000000e+00> : tensor<6x2xf32>
// CHECK-DAG: %[[R:.*]] = hetc.reshape %[[X]] [4, 6] : tensor<2x3x4xf32> -> tensor<4x6xf32>
// CHECK-NOT: hetc.reshape
// CHECK: return %[[X]], %[[R]], %[[X]], %[[C]]
func.func @reshape(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<4x6xf32>, tensor<2x3x4xf32>, tensor<6x2xf32>) {
  // Identity.
  %0 = hetc.reshape %x [2, 3, 4] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  // reshape of reshape reads the original input; -1 is resolved.
  %1 = hetc.reshape %x [6, 4] : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %2 = hetc.reshape %1 [4, -1] : tensor<6x4xf32> -> tensor<4x6xf32>
  // ... and folds away when it restores the input shape.
  %3 = hetc.reshape %1 [2, 3, -1] : tensor<6x4xf32> -> tensor<2x3x4xf32>
  // Splat.
  %c = arith.constant dense<1.0> : tensor<12xf32>
  %4 = hetc.reshape %c [6, 2] : tensor<12xf32> -> tensor<6x2xf32>
  return %0, %2, %3, %4 : tensor<2x3x4xf32>, tensor<4x6xf32>, tensor<2x3x4xf32>, tensor<6x2xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-DAG: %[[T:.*]] = hetc.transpose %[[X]] [2, 1, 0] : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
// CHECK-DAG: %[[C:.*]] = arith.constant dense<2.000000e+00> : tensor<3x2xf32>
// CHECK-NOT: hetc.transpose
// CHECK: return %[[X]], %[[T]], %[[X]], %[[C]]
func.func @transpose(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<4x3x2xf32>, tensor<2x3x4xf32>, tensor<3x2xf32>) {
  // Identity.
  %0 = hetc.transpose %x [0, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  // Composition: result dimension i is x dimension p[q[i]] = [1, 0, 2][[2, 0, 1][i]].
  %1 = hetc.transpose %x [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %2 = hetc.transpose %1 [2, 0, 1] : tensor<3x2x4xf32> -> tensor<4x3x2xf32>
  // A permutation and its inverse cancel.
  %3 = hetc.transpose %x [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %4 = hetc.transpose %3 [2, 0, 1] : tensor<3x4x2xf32> -> tensor<2x3x4xf32>
  // Splat.
  %c = arith.constant dense<2.0> : tensor<2x3xf32>
  %5 = hetc.transpose %c [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0, %2, %4, %5 : tensor<2x3x4xf32>, tensor<4x3x2xf32>, tensor<2x3x4xf32>, tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @broadcast_to
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[Y:.*]]: tensor<8xf32>)
// CHECK-DAG: %[[C:.*]] = arith.constant dense<3.000000e+00> : tensor<5x8xf32>
// CHECK-DAG: %[[B:.*]] = hetc.broadcast_to %[[Y]] [4, 8] : tensor<8xf32> -> tensor<4x8xf32>
// CHECK: return %[[X]], %[[C]], %[[B]]
func.func @broadcast_to(%x: tensor<4x8xf32>, %y: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<5x8xf32>, tensor<4x8xf32>) {
  %0 = hetc.broadcast_to %x [4, 8] : tensor<4x8xf32> -> tensor<4x8xf32>
  %c = arith.constant dense<3.0> : tensor<8xf32>
  %1 = hetc.broadcast_to %c [5, 8] : tensor<8xf32> -> tensor<5x8xf32>
  %2 = hetc.broadcast_to %y [4, 8] : tensor<8xf32> -> tensor<4x8xf32>
  return %0, %1, %2 : tensor<4x8xf32>, tensor<5x8xf32>, tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: %[[C:.*]] = hetc.concat %[[X]], %[[X]] axis 0
// CHECK: return %[[X]], %[[C]]
func.func @concat(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<8x8xf32>) {
  %0 = hetc.concat %x axis 0 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = hetc.concat %x, %x axis 0 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<8x8xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<8x8xf32>
}

// -----

// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK-DAG: %[[C:.*]] = arith.constant dense<7.000000e+00> : tensor<2x3xf32>
// CHECK-DAG: %[[S:.*]] = hetc.slice %[[X]] offsets [1, 0] sizes [2, 8] strides [1, 1]
// CHECK: return %[[X]], %[[S]], %[[C]]
func.func @slice(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<2x8xf32>, tensor<2x3xf32>) {
  %0 = hetc.slice %x offsets [0, 0] sizes [4, 8] strides [1, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  %1 = hetc.slice %x offsets [1, 0] sizes [2, 8] strides [1, 1] : tensor<4x8xf32> -> tensor<2x8xf32>
  %c = arith.constant dense<7.0> : tensor<4x8xf32>
  %2 = hetc.slice %c offsets [1, 1] sizes [2, 3] strides [2, 2] : tensor<4x8xf32> -> tensor<2x3xf32>
  return %0, %1, %2 : tensor<4x8xf32>, tensor<2x8xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @dropout
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[SEED:.*]]: tensor<i64>)
// CHECK: %[[D:.*]] = hetc.dropout %[[X]], %[[SEED]] {p = 5.000000e-01 : f64}
// CHECK: return %[[X]], %[[D]]
func.func @dropout(%x: tensor<4x8xf32>, %seed: tensor<i64>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = hetc.dropout %x, %seed {p = 0.0 : f64} : (tensor<4x8xf32>, tensor<i64>) -> tensor<4x8xf32>
  %1 = hetc.dropout %x, %seed {p = 0.5 : f64} : (tensor<4x8xf32>, tensor<i64>) -> tensor<4x8xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul_transposes
// CHECK-SAME: (%[[A:.*]]: tensor<16x8xf32>, %[[B:.*]]: tensor<4x16xf32>, %[[AA:.*]]: tensor<8x16xf32>)
// CHECK-NOT: hetc.transpose
// CHECK-DAG: %[[L:.*]] = hetc.matmul %[[A]], %[[AA]] transpose_lhs transpose_rhs : (tensor<16x8xf32>, tensor<8x16xf32>) -> tensor<8x8xf32>
// CHECK-DAG: %[[R:.*]] = hetc.matmul %[[AA]], %[[B]] transpose_rhs : (tensor<8x16xf32>, tensor<4x16xf32>) -> tensor<8x4xf32>
// CHECK-DAG: %[[LR:.*]] = hetc.matmul %[[A]], %[[B]] transpose_lhs transpose_rhs : (tensor<16x8xf32>, tensor<4x16xf32>) -> tensor<8x4xf32>
// A transpose into an operand that is already read transposed cancels it.
// CHECK-DAG: %[[T:.*]] = hetc.matmul %[[AA]], %[[A]] : (tensor<8x16xf32>, tensor<16x8xf32>) -> tensor<8x8xf32>
// CHECK: return %[[L]], %[[R]], %[[LR]], %[[T]]
func.func @matmul_transposes(%a: tensor<16x8xf32>, %b: tensor<4x16xf32>, %aa: tensor<8x16xf32>)
    -> (tensor<8x8xf32>, tensor<8x4xf32>, tensor<8x4xf32>, tensor<8x8xf32>) {
  %at = hetc.transpose %a [1, 0] : tensor<16x8xf32> -> tensor<8x16xf32>
  %bt = hetc.transpose %b [1, 0] : tensor<4x16xf32> -> tensor<16x4xf32>
  %0 = hetc.matmul %at, %aa transpose_rhs : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x8xf32>
  %1 = hetc.matmul %aa, %bt : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  %2 = hetc.matmul %at, %bt : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  %3 = hetc.matmul %aa, %at transpose_rhs : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x8xf32>
  return %0, %1, %2, %3 : tensor<8x8xf32>, tensor<8x4xf32>, tensor<8x4xf32>, tensor<8x8xf32>
}

// -----

// Batched: only a permutation that swaps exactly the last two dimensions
// folds into the matmul.
// CHECK-LABEL: func.func @matmul_batched_transposes
// CHECK-SAME: (%[[C:.*]]: tensor<2x16x8xf32>, %[[D:.*]]: tensor<8x2x16xf32>, %[[W:.*]]: tensor<16x4xf32>)
// CHECK-DAG: %[[M0:.*]] = hetc.matmul %[[C]], %[[W]] transpose_lhs : (tensor<2x16x8xf32>, tensor<16x4xf32>) -> tensor<2x8x4xf32>
// CHECK-DAG: %[[T:.*]] = hetc.transpose %[[D]] [1, 0, 2] : tensor<8x2x16xf32> -> tensor<2x8x16xf32>
// CHECK-DAG: %[[M1:.*]] = hetc.matmul %[[T]], %[[W]] : (tensor<2x8x16xf32>, tensor<16x4xf32>) -> tensor<2x8x4xf32>
// CHECK: return %[[M0]], %[[M1]]
func.func @matmul_batched_transposes(%c: tensor<2x16x8xf32>, %d: tensor<8x2x16xf32>, %w: tensor<16x4xf32>)
    -> (tensor<2x8x4xf32>, tensor<2x8x4xf32>) {
  %ct = hetc.transpose %c [0, 2, 1] : tensor<2x16x8xf32> -> tensor<2x8x16xf32>
  %0 = hetc.matmul %ct, %w : (tensor<2x8x16xf32>, tensor<16x4xf32>) -> tensor<2x8x4xf32>
  %dt = hetc.transpose %d [1, 0, 2] : tensor<8x2x16xf32> -> tensor<2x8x16xf32>
  %1 = hetc.matmul %dt, %w : (tensor<2x8x16xf32>, tensor<16x4xf32>) -> tensor<2x8x4xf32>
  return %0, %1 : tensor<2x8x4xf32>, tensor<2x8x4xf32>
}
