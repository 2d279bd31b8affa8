// RUN: hetc-opt %s --hetc-autodiff -split-input-file | FileCheck %s

// The vector-Jacobian products of the ops of HetcOpsExtra.td. As in
// hetc-autodiff-rules.mlir, each op feeds a sum, so G is broadcast ones.

// abs: G * sign(x).
// CHECK-LABEL: func.func @abs_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [4, 8]
// CHECK: %[[S:.*]] = hetc.sign %[[X]] : tensor<4x8xf32>
// CHECK: %[[DX:.*]] = hetc.mul %[[G]], %[[S]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @abs(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.abs %x : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// erf: G * 2/sqrt(pi) * exp(-x^2).
// CHECK-LABEL: func.func @erf_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [4, 8]
// CHECK: %[[SQ:.*]] = hetc.mul %[[X]], %[[X]]
// CHECK: %[[N:.*]] = hetc.neg %[[SQ]]
// CHECK: %[[E:.*]] = hetc.exp %[[N]]
// CHECK: %[[C:.*]] = arith.constant dense<1.12837{{[0-9]*}}> : tensor<f32>
// CHECK: %[[D:.*]] = hetc.mul %[[E]], %[[C]]
// CHECK: %[[DX:.*]] = hetc.mul %[[G]], %[[D]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @erf(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.erf %x : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// sign: zero.
// CHECK-LABEL: func.func @sign_grad(
// CHECK: %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<4x8xf32>
// CHECK: return %{{.*}}, %[[Z]]
func.func @sign(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.sign %x : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// clamp: G * (x >= min) * (x <= max).
// CHECK-LABEL: func.func @clamp_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [4, 8]
// CHECK: %[[LO:.*]] = arith.constant dense<-1.000000e+00> : tensor<f32>
// CHECK: %[[GE:.*]] = hetc.compare ge, %[[X]], %[[LO]]
// CHECK: %[[HI:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK: %[[LE:.*]] = hetc.compare le, %[[X]], %[[HI]]
// CHECK: %[[M:.*]] = hetc.mul %[[GE]], %[[LE]]
// CHECK: %[[DX:.*]] = hetc.mul %[[G]], %[[M]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @clamp(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.clamp %x {min = -1.0 : f64, max = 0.5 : f64} : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// where: each branch takes G where it was selected, unbroadcast to its
// shape; the condition, although a float parameter, gets zeros.
// CHECK-LABEL: func.func @where_grad(
// CHECK-SAME: %[[C:[^:]+]]: tensor<4x1xf32>{{[^,]*}}, %[[A:[^:]+]]: tensor<8xf32>{{[^,]*}}, %[[B:[^:]+]]: tensor<4x8xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [4, 8]
// CHECK: %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<f32>
// CHECK: %[[WA:.*]] = hetc.where %[[C]], %[[G]], %[[Z]] : (tensor<4x1xf32>, tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
// CHECK: %[[SA:.*]] = hetc.reduce_sum %[[WA]] [0] keepdims
// CHECK: %[[DA:.*]] = hetc.reshape %[[SA]] [8]
// CHECK: %[[DB:.*]] = hetc.where %[[C]], %[[Z]], %[[G]] : (tensor<4x1xf32>, tensor<f32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: %[[DC:.*]] = arith.constant dense<0.000000e+00> : tensor<4x1xf32>
// CHECK: return %{{.*}}, %[[DC]], %[[DA]], %[[DB]]
func.func @where(%c: tensor<4x1xf32> {hetc.param = #hetc.init<zeros>},
                 %a: tensor<8xf32> {hetc.param = #hetc.init<zeros>},
                 %b: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.where %c, %a, %b : (tensor<4x1xf32>, tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// cast f32 -> f16: the gradient is cast back.
// CHECK-LABEL: func.func @cast_float_grad(
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [4, 8] : tensor<1x1xf16> -> tensor<4x8xf16>
// CHECK: %[[DX:.*]] = hetc.cast %[[G]] : tensor<4x8xf16> -> tensor<4x8xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @cast_float(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f16> {
  %0 = hetc.cast %x : tensor<4x8xf32> -> tensor<4x8xf16>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf16> -> tensor<f16>
  return %l : tensor<f16>
}

// -----

// cast through an integer: no gradient flows, so the parameter gets zeros.
// CHECK-LABEL: func.func @cast_integer_grad(
// CHECK: %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<4x8xf32>
// CHECK: return %{{.*}}, %[[Z]]
func.func @cast_integer(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.cast %x : tensor<4x8xf32> -> tensor<4x8xi32>
  %1 = hetc.cast %0 : tensor<4x8xi32> -> tensor<4x8xf32>
  %l = hetc.reduce_sum %1 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// gather: gather_backward scatters G into x's shape; the indices get none.
// CHECK-LABEL: func.func @gather_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>{{[^,]*}}, %[[I:[^:]+]]: tensor<2x3xi64>
// CHECK-SAME: -> (tensor<f32>, tensor<4x8xf32>)
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [4, 2, 3]
// CHECK: %[[DX:.*]] = hetc.gather_backward %[[G]], %[[I]], %[[X]] axis 1 : (tensor<4x2x3xf32>, tensor<2x3xi64>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @gather(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>},
                  %i: tensor<2x3xi64> {hetc.input}) -> tensor<f32> {
  %0 = hetc.gather %x, %i axis 1 : (tensor<4x8xf32>, tensor<2x3xi64>) -> tensor<4x2x3xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2] : tensor<4x2x3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// cumsum: the cumsum of G in the other direction, same exclusivity.
// CHECK-LABEL: func.func @cumsum_grad(
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [4, 8]
// CHECK: %[[D1:.*]] = hetc.cumsum %[[G]] axis -1 exclusive : tensor<4x8xf32>
// CHECK: %[[D0:.*]] = hetc.cumsum %[[D1]] axis 0 reverse : tensor<4x8xf32>
// CHECK: return %{{.*}}, %[[D0]]
func.func @cumsum(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.cumsum %x axis 0 : tensor<4x8xf32>
  %1 = hetc.cumsum %0 axis -1 exclusive reverse : tensor<4x8xf32>
  %l = hetc.reduce_sum %1 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// reduce_min: m = (x == min); m * G / sum(m), like reduce_max.
// CHECK-LABEL: func.func @reduce_min_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<3x4xf32>
// CHECK: %[[Y:.*]] = hetc.reduce_min %[[X]] [1]
// CHECK: %[[YK:.*]] = hetc.reshape %[[Y]] [3, 1]
// CHECK: %[[M:.*]] = hetc.compare eq, %[[X]], %[[YK]]
// CHECK: %[[N:.*]] = hetc.reduce_sum %[[M]] [1] keepdims
// CHECK: %[[S:.*]] = hetc.div %{{.*}}, %[[N]]
// CHECK: %[[DX:.*]] = hetc.mul %[[M]], %[[S]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @reduce_min(%x: tensor<3x4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.reduce_min %x [1] : tensor<3x4xf32> -> tensor<3xf32>
  %l = hetc.reduce_sum %0 [0] : tensor<3xf32> -> tensor<f32>
  return %l : tensor<f32>
}
