// RUN: hetc-opt %s --hetc-autodiff -split-input-file | FileCheck %s

// The vector-Jacobian product each op's DifferentiableOpInterface emits.
// Each model feeds one op into a sum (or is a loss itself), so the incoming
// gradient G is ones, broadcast from the seed by reduce_sum's rule. The
// formulas are listed in docs/autodiff.md.

// reduce_sum over every axis: G = broadcast_to(reshape(1)).
// CHECK-LABEL: func.func @add_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>{{[^,]*}}, %[[Y:[^:]+]]: tensor<8xf32>
// CHECK-SAME: -> (tensor<f32>, tensor<4x8xf32>, tensor<8xf32>)
// CHECK-SAME: attributes {hetc.generated, hetc.grad_of = @add}
// CHECK: %[[L:.*]] = hetc.reduce_sum %{{.*}} [0, 1] : tensor<4x8xf32> -> tensor<f32>
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[R:.*]] = hetc.reshape %[[ONE]] [1, 1] : tensor<f32> -> tensor<1x1xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %[[R]] [4, 8] : tensor<1x1xf32> -> tensor<4x8xf32>
// dy sums G over the broadcast axis.
// CHECK: %[[S:.*]] = hetc.reduce_sum %[[G]] [0] keepdims : tensor<4x8xf32> -> tensor<1x8xf32>
// CHECK: %[[DY:.*]] = hetc.reshape %[[S]] [8] : tensor<1x8xf32> -> tensor<8xf32>
// CHECK: return %[[L]], %[[G]], %[[DY]]
func.func @add(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>},
               %y: tensor<8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.add %x, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// dx = G, dy = unbroadcast(-G).
// CHECK-LABEL: func.func @sub_grad(
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[N:.*]] = hetc.neg %[[G]] : tensor<4x8xf32>
// CHECK: %[[S:.*]] = hetc.reduce_sum %[[N]] [0] keepdims
// CHECK: %[[DY:.*]] = hetc.reshape %[[S]] [8]
// CHECK: return %{{.*}}, %[[G]], %[[DY]]
func.func @sub(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>},
               %y: tensor<8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.sub %x, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// dx = G * y, dy = unbroadcast(G * x).
// CHECK-LABEL: func.func @mul_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>{{[^,]*}}, %[[Y:[^:]+]]: tensor<8xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[DX:.*]] = hetc.mul %[[G]], %[[Y]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK: %[[GX:.*]] = hetc.mul %[[G]], %[[X]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: %[[S:.*]] = hetc.reduce_sum %[[GX]] [0] keepdims
// CHECK: %[[DY:.*]] = hetc.reshape %[[S]] [8]
// CHECK: return %{{.*}}, %[[DX]], %[[DY]]
func.func @mul(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>},
               %y: tensor<8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.mul %x, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A size-1 dimension is summed with keepdims and needs no reshape.
// CHECK-LABEL: func.func @mul_keepdim_broadcast_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[GX:.*]] = hetc.mul %[[G]], %[[X]]
// CHECK: %[[DY:.*]] = hetc.reduce_sum %[[GX]] [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
// CHECK-NEXT: return %{{.*}}, %{{.*}}, %[[DY]]
func.func @mul_keepdim_broadcast(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>},
                                 %y: tensor<4x1xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.mul %x, %y : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// z = x / y: dx = G / y, dy = unbroadcast(-(G / y) * z).
// CHECK-LABEL: func.func @div_grad(
// CHECK-SAME: %{{[^:]+}}: tensor<4x8xf32>{{[^,]*}}, %[[Y:[^:]+]]: tensor<8xf32>
// CHECK: %[[Z:.*]] = hetc.div
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[DX:.*]] = hetc.div %[[G]], %[[Y]]
// CHECK: %[[M:.*]] = hetc.mul %[[DX]], %[[Z]]
// CHECK: %[[N:.*]] = hetc.neg %[[M]]
// CHECK: %[[S:.*]] = hetc.reduce_sum %[[N]] [0] keepdims
// CHECK: %[[DY:.*]] = hetc.reshape %[[S]] [8]
// CHECK: return %{{.*}}, %[[DX]], %[[DY]]
func.func @div(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>},
               %y: tensor<8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.div %x, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// The larger operand takes G; ties split it in half (torch.maximum).
// share = (x > y) + 0.5 * (x == y); dx = G * share; dy = G * (1 - share).
// CHECK-LABEL: func.func @maximum_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>{{[^,]*}}, %[[Y:[^:]+]]: tensor<8xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[EQ:.*]] = hetc.compare eq, %[[X]], %[[Y]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK: %[[HALF:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK: %[[TIE:.*]] = hetc.mul %[[EQ]], %[[HALF]]
// CHECK: %[[GT:.*]] = hetc.compare gt, %[[X]], %[[Y]]
// CHECK: %[[SHARE:.*]] = hetc.add %[[GT]], %[[TIE]]
// CHECK: %[[DX:.*]] = hetc.mul %[[G]], %[[SHARE]]
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[REST:.*]] = hetc.sub %[[ONE]], %[[SHARE]]
// CHECK: %[[GY:.*]] = hetc.mul %[[G]], %[[REST]]
// CHECK: %[[S:.*]] = hetc.reduce_sum %[[GY]] [0] keepdims
// CHECK: %[[DY:.*]] = hetc.reshape %[[S]] [8]
// CHECK: return %{{.*}}, %[[DX]], %[[DY]]
func.func @maximum(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>},
                   %y: tensor<8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.maximum %x, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Like maximum with the smaller operand winning.
// CHECK-LABEL: func.func @minimum_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>{{[^,]*}}, %[[Y:[^:]+]]: tensor<8xf32>
// CHECK: %[[EQ:.*]] = hetc.compare eq, %[[X]], %[[Y]]
// CHECK: %[[TIE:.*]] = hetc.mul %[[EQ]]
// CHECK: %[[LT:.*]] = hetc.compare lt, %[[X]], %[[Y]]
// CHECK: %[[SHARE:.*]] = hetc.add %[[LT]], %[[TIE]]
// CHECK: %[[DX:.*]] = hetc.mul %{{.*}}, %[[SHARE]]
// CHECK: hetc.sub %{{.*}}, %[[SHARE]]
// CHECK: return %{{.*}}, %[[DX]], %{{.*}}
func.func @minimum(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>},
                   %y: tensor<8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.minimum %x, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// C = A B: dA = G B^T, dB = A^T G, through the transpose flags.
// CHECK-LABEL: func.func @matmul_grad(
// CHECK-SAME: %[[A:[^:]+]]: tensor<4x3xf32>{{[^,]*}}, %[[B:[^:]+]]: tensor<3x5xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [4, 5]
// CHECK: %[[DA:.*]] = hetc.matmul %[[G]], %[[B]] transpose_rhs : (tensor<4x5xf32>, tensor<3x5xf32>) -> tensor<4x3xf32>
// CHECK: %[[DB:.*]] = hetc.matmul %[[A]], %[[G]] transpose_lhs : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
// CHECK: return %{{.*}}, %[[DA]], %[[DB]]
func.func @matmul(%a: tensor<4x3xf32> {hetc.param = #hetc.init<zeros>},
                  %b: tensor<3x5xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.matmul %a, %b : (tensor<4x3xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x5xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// C = A^T B^T with A stored [K, M] and B stored [N, K]:
// dA = (G B)^T = B^T G^T, dB = (A G)^T = G^T A^T.
// CHECK-LABEL: func.func @matmul_transposed_grad(
// CHECK-SAME: %[[A:[^:]+]]: tensor<3x4xf32>{{[^,]*}}, %[[B:[^:]+]]: tensor<5x3xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [4, 5]
// CHECK: %[[DA:.*]] = hetc.matmul %[[B]], %[[G]] transpose_lhs transpose_rhs : (tensor<5x3xf32>, tensor<4x5xf32>) -> tensor<3x4xf32>
// CHECK: %[[DB:.*]] = hetc.matmul %[[G]], %[[A]] transpose_lhs transpose_rhs : (tensor<4x5xf32>, tensor<3x4xf32>) -> tensor<5x3xf32>
// CHECK: return %{{.*}}, %[[DA]], %[[DB]]
func.func @matmul_transposed(%a: tensor<3x4xf32> {hetc.param = #hetc.init<zeros>},
                             %b: tensor<5x3xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.matmul %a, %b transpose_lhs transpose_rhs
      : (tensor<3x4xf32>, tensor<5x3xf32>) -> tensor<4x5xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x5xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A rank-2 weight broadcast over the batch: its gradient sums over it.
// CHECK-LABEL: func.func @matmul_batch_grad(
// CHECK-SAME: %[[A:[^:]+]]: tensor<2x4x3xf32>{{[^,]*}}, %[[B:[^:]+]]: tensor<3x5xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [2, 4, 5]
// CHECK: %[[DA:.*]] = hetc.matmul %[[G]], %[[B]] transpose_rhs : (tensor<2x4x5xf32>, tensor<3x5xf32>) -> tensor<2x4x3xf32>
// CHECK: %[[PB:.*]] = hetc.matmul %[[A]], %[[G]] transpose_lhs : (tensor<2x4x3xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
// CHECK: %[[S:.*]] = hetc.reduce_sum %[[PB]] [0] keepdims : tensor<2x3x5xf32> -> tensor<1x3x5xf32>
// CHECK: %[[DB:.*]] = hetc.reshape %[[S]] [3, 5] : tensor<1x3x5xf32> -> tensor<3x5xf32>
// CHECK: return %{{.*}}, %[[DA]], %[[DB]]
func.func @matmul_batch(%a: tensor<2x4x3xf32> {hetc.param = #hetc.init<zeros>},
                        %b: tensor<3x5xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.matmul %a, %b : (tensor<2x4x3xf32>, tensor<3x5xf32>) -> tensor<2x4x5xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2] : tensor<2x4x5xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// dx = -G.
// CHECK-LABEL: func.func @neg_grad(
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[DX:.*]] = hetc.neg %[[G]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @neg(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.neg %x : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// dx = G * exp(x), reusing the forward result.
// CHECK-LABEL: func.func @exp_grad(
// CHECK: %[[Y:.*]] = hetc.exp
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[DX:.*]] = hetc.mul %[[G]], %[[Y]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @exp(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.exp %x : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// dx = G / x.
// CHECK-LABEL: func.func @log_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[DX:.*]] = hetc.div %[[G]], %[[X]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @log(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.log %x : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// dx = G / (2 sqrt(x)).
// CHECK-LABEL: func.func @sqrt_grad(
// CHECK: %[[Y:.*]] = hetc.sqrt
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[TWO:.*]] = arith.constant dense<2.000000e+00> : tensor<f32>
// CHECK: %[[D:.*]] = hetc.mul %[[Y]], %[[TWO]]
// CHECK: %[[DX:.*]] = hetc.div %[[G]], %[[D]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @sqrt(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.sqrt %x : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// d x^-1/2 = -1/2 x^-3/2: dx = G * (rsqrt(x) * -0.5 / x).
// CHECK-LABEL: func.func @rsqrt_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>
// CHECK: %[[Y:.*]] = hetc.rsqrt
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[C:.*]] = arith.constant dense<-5.000000e-01> : tensor<f32>
// CHECK: %[[M:.*]] = hetc.mul %[[Y]], %[[C]]
// CHECK: %[[D:.*]] = hetc.div %[[M]], %[[X]]
// CHECK: %[[DX:.*]] = hetc.mul %[[G]], %[[D]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @rsqrt(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.rsqrt %x : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// dx = G * (1 - y^2) with y = tanh(x).
// CHECK-LABEL: func.func @tanh_grad(
// CHECK: %[[Y:.*]] = hetc.tanh
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[Y2:.*]] = hetc.mul %[[Y]], %[[Y]]
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[D:.*]] = hetc.sub %[[ONE]], %[[Y2]]
// CHECK: %[[DX:.*]] = hetc.mul %[[G]], %[[D]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @tanh(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.tanh %x : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// dx = G * y (1 - y) with y = sigmoid(x).
// CHECK-LABEL: func.func @sigmoid_grad(
// CHECK: %[[Y:.*]] = hetc.sigmoid
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[C:.*]] = hetc.sub %[[ONE]], %[[Y]]
// CHECK: %[[D:.*]] = hetc.mul %[[Y]], %[[C]]
// CHECK: %[[DX:.*]] = hetc.mul %[[G]], %[[D]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @sigmoid(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.sigmoid %x : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// dx = G * (x > 0): torch.relu passes no gradient at 0.
// CHECK-LABEL: func.func @relu_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<f32>
// CHECK: %[[MASK:.*]] = hetc.compare gt, %[[X]], %[[ZERO]] : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
// CHECK: %[[DX:.*]] = hetc.mul %[[G]], %[[MASK]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @relu(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.relu %x : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// gelu_backward computes G * gelu'(x) with the forward op's approximation.
// CHECK-LABEL: func.func @gelu_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[DX:.*]] = hetc.gelu_backward %[[G]], %[[X]] : tensor<4x8xf32>
// CHECK: return %{{.*}}, %[[DX]]
// CHECK-LABEL: func.func @gelu_tanh_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[DX:.*]] = hetc.gelu_backward %[[G]], %[[X]] approximate tanh : tensor<4x8xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @gelu(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.gelu %x : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @gelu_tanh(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.gelu %x approximate tanh : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// dx = G * (p x^(p-1)); x^0 is constant and gets a zero gradient.
// CHECK-LABEL: func.func @pow_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[XP:.*]] = hetc.pow %[[X]], 2.000000e+00 : tensor<4x8xf32>
// CHECK: %[[P:.*]] = arith.constant dense<3.000000e+00> : tensor<f32>
// CHECK: %[[D:.*]] = hetc.mul %[[XP]], %[[P]]
// CHECK: %[[DX:.*]] = hetc.mul %[[G]], %[[D]]
// CHECK: return %{{.*}}, %[[DX]]
// CHECK-LABEL: func.func @pow_zero_grad(
// CHECK: %[[ZEROS:.*]] = arith.constant dense<0.000000e+00> : tensor<4x8xf32>
// CHECK-NEXT: return %{{.*}}, %[[ZEROS]]
func.func @pow(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.pow %x, 3.0 : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @pow_zero(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.pow %x, 0.0 : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// reduce_sum: G reshaped to keepdims form, broadcast back.
// reduce_mean: the same, divided by the reduced element count.
// CHECK-LABEL: func.func @reduce_sum_grad(
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [4] : tensor<1xf32> -> tensor<4xf32>
// CHECK: %[[K:.*]] = hetc.reshape %[[G]] [4, 1] : tensor<4xf32> -> tensor<4x1xf32>
// CHECK: %[[DX:.*]] = hetc.broadcast_to %[[K]] [4, 8] : tensor<4x1xf32> -> tensor<4x8xf32>
// CHECK: return %{{.*}}, %[[DX]]
// CHECK-LABEL: func.func @reduce_mean_grad(
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [4] : tensor<1xf32> -> tensor<4xf32>
// CHECK: %[[N:.*]] = arith.constant dense<8.000000e+00> : tensor<f32>
// CHECK: %[[S:.*]] = hetc.div %[[G]], %[[N]]
// CHECK: %[[K:.*]] = hetc.reshape %[[S]] [4, 1]
// CHECK: %[[DX:.*]] = hetc.broadcast_to %[[K]] [4, 8]
// CHECK: return %{{.*}}, %[[DX]]
func.func @reduce_sum(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.reduce_sum %x [1] : tensor<4x8xf32> -> tensor<4xf32>
  %l = hetc.reduce_sum %0 [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @reduce_mean(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.reduce_mean %x [-1] : tensor<4x8xf32> -> tensor<4xf32>
  %l = hetc.reduce_sum %0 [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Ties of the maximum share G evenly, as torch.amax does:
// dx = (x == max) * G / count(x == max).
// CHECK-LABEL: func.func @reduce_max_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>
// CHECK: %[[MAX:.*]] = hetc.reduce_max %[[X]] [1] keepdims
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [4, 1]
// CHECK: %[[MASK:.*]] = hetc.compare eq, %[[X]], %[[MAX]] : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
// CHECK: %[[COUNT:.*]] = hetc.reduce_sum %[[MASK]] [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
// CHECK: %[[SHARE:.*]] = hetc.div %[[G]], %[[COUNT]]
// CHECK: %[[DX:.*]] = hetc.mul %[[MASK]], %[[SHARE]] : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @reduce_max(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.reduce_max %x [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x1xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// softmax: dx = y * (G - sum(G * y)). log_softmax: dx = G - exp(y) sum(G).
// CHECK-LABEL: func.func @softmax_grad(
// CHECK: %[[Y:.*]] = hetc.softmax
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[GY:.*]] = hetc.mul %[[G]], %[[Y]]
// CHECK: %[[DOT:.*]] = hetc.reduce_sum %[[GY]] [-1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
// CHECK: %[[D:.*]] = hetc.sub %[[G]], %[[DOT]]
// CHECK: %[[DX:.*]] = hetc.mul %[[Y]], %[[D]]
// CHECK: return %{{.*}}, %[[DX]]
// CHECK-LABEL: func.func @log_softmax_grad(
// CHECK: %[[Y:.*]] = hetc.log_softmax
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[SUM:.*]] = hetc.reduce_sum %[[G]] [-1] keepdims
// CHECK: %[[P:.*]] = hetc.exp %[[Y]]
// CHECK: %[[M:.*]] = hetc.mul %[[P]], %[[SUM]]
// CHECK: %[[DX:.*]] = hetc.sub %[[G]], %[[M]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @softmax(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.softmax %x axis -1 : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @log_softmax(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.log_softmax %x axis -1 : tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// reshape back; transpose by the inverse permutation; broadcast_to sums
// over the broadcast axes.
// CHECK-LABEL: func.func @reshape_grad(
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [2, 16]
// CHECK: %[[DX:.*]] = hetc.reshape %[[G]] [4, 8] : tensor<2x16xf32> -> tensor<4x8xf32>
// CHECK: return %{{.*}}, %[[DX]]
// CHECK-LABEL: func.func @transpose_grad(
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [3, 4, 2]
// CHECK: %[[DX:.*]] = hetc.transpose %[[G]] [2, 0, 1] : tensor<3x4x2xf32> -> tensor<2x3x4xf32>
// CHECK: return %{{.*}}, %[[DX]]
// CHECK-LABEL: func.func @broadcast_to_grad(
// CHECK: arith.constant dense<1.000000e+00>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [3, 4, 8]
// CHECK: %[[S:.*]] = hetc.reduce_sum %[[G]] [0, 1] keepdims : tensor<3x4x8xf32> -> tensor<1x1x8xf32>
// CHECK: %[[DX:.*]] = hetc.reshape %[[S]] [1, 8] : tensor<1x1x8xf32> -> tensor<1x8xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @reshape(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.reshape %x [2, 16] : tensor<4x8xf32> -> tensor<2x16xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<2x16xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @transpose(%x: tensor<2x3x4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.transpose %x [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2] : tensor<3x4x2xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @broadcast_to(%x: tensor<1x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.broadcast_to %x [3, 4, 8] : tensor<1x8xf32> -> tensor<3x4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2] : tensor<3x4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// concat: each input's window of G; slice: slice_backward scatters G into
// zeros of the input's shape.
// CHECK-LABEL: func.func @concat_grad(
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [4, 8]
// CHECK: %[[DX:.*]] = hetc.slice %[[G]] offsets [0, 0] sizes [4, 3] strides [1, 1] : tensor<4x8xf32> -> tensor<4x3xf32>
// CHECK: %[[DY:.*]] = hetc.slice %[[G]] offsets [0, 3] sizes [4, 5] strides [1, 1] : tensor<4x8xf32> -> tensor<4x5xf32>
// CHECK: return %{{.*}}, %[[DX]], %[[DY]]
// CHECK-LABEL: func.func @slice_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [4, 3]
// CHECK: %[[DX:.*]] = hetc.slice_backward %[[G]], %[[X]] offsets [0, 2] sizes [4, 3] strides [1, 2] : (tensor<4x3xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @concat(%x: tensor<4x3xf32> {hetc.param = #hetc.init<zeros>},
                  %y: tensor<4x5xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.concat %x, %y axis -1 : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @slice(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.slice %x offsets [0, 2] sizes [4, 3] strides [1, 2] : tensor<4x8xf32> -> tensor<4x3xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// conv2d: the input and weight gradients are gradient ops carrying the
// window attributes; the bias gradient sums G over N, H and W.
// CHECK-LABEL: func.func @conv2d_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4x8x8xf32>{{[^,]*}}, %[[W:[^:]+]]: tensor<6x2x3x3xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [2, 6, 4, 4]
// CHECK: %[[DX:.*]] = hetc.conv2d_backward_input %[[G]], %[[W]], %[[X]] {groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x6x4x4xf32>, tensor<6x2x3x3xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
// CHECK: %[[DW:.*]] = hetc.conv2d_backward_weight %[[G]], %[[X]], %[[W]] {groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x6x4x4xf32>, tensor<2x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<6x2x3x3xf32>
// CHECK: %[[S:.*]] = hetc.reduce_sum %[[G]] [0, 2, 3] keepdims : tensor<2x6x4x4xf32> -> tensor<1x6x1x1xf32>
// CHECK: %[[DB:.*]] = hetc.reshape %[[S]] [6] : tensor<1x6x1x1xf32> -> tensor<6xf32>
// CHECK: return %{{.*}}, %[[DX]], %[[DW]], %[[DB]]
func.func @conv2d(%x: tensor<2x4x8x8xf32> {hetc.param = #hetc.init<zeros>},
                  %w: tensor<6x2x3x3xf32> {hetc.param = #hetc.init<zeros>},
                  %b: tensor<6xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.conv2d %x, %w, %b {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, groups = 2 : i64}
      : (tensor<2x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<2x6x4x4xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2, 3] : tensor<2x6x4x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Pooling gradients are gradient ops with the forward window attributes.
// CHECK-LABEL: func.func @max_pool2d_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3x8x8xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [2, 3, 4, 4]
// CHECK: %[[DX:.*]] = hetc.max_pool2d_backward %[[G]], %[[X]] {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x3x4x4xf32>, tensor<2x3x8x8xf32>) -> tensor<2x3x8x8xf32>
// CHECK: return %{{.*}}, %[[DX]]
// CHECK-LABEL: func.func @avg_pool2d_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3x8x8xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [2, 3, 4, 4]
// CHECK: %[[DX:.*]] = hetc.avg_pool2d_backward %[[G]], %[[X]] {count_include_pad = false, kernel_size = array<i64: 2, 2>} : (tensor<2x3x4x4xf32>, tensor<2x3x8x8xf32>) -> tensor<2x3x8x8xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @max_pool2d(%x: tensor<2x3x8x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.max_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : tensor<2x3x8x8xf32> -> tensor<2x3x4x4xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2, 3] : tensor<2x3x4x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @avg_pool2d(%x: tensor<2x3x8x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.avg_pool2d %x {kernel_size = array<i64: 2, 2>, count_include_pad = false}
      : tensor<2x3x8x8xf32> -> tensor<2x3x4x4xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2, 3] : tensor<2x3x4x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Training-mode batch_norm over N, H, W (count 2*4*4 = 32), recomputing the
// batch statistics: x_hat = (x - mean) * rstd;
// d_scale = sum(G x_hat), d_bias = sum(G), dxh = G * scale,
// dx = rstd * (dxh - mean(dxh) - x_hat * mean(dxh * x_hat)).
// CHECK-LABEL: func.func @batch_norm_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3x4x4xf32>{{[^,]*}}, %[[S:[^:]+]]: tensor<3xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [2, 3, 4, 4]
// CHECK: %[[INV:.*]] = arith.constant dense<3.125000e-02> : tensor<f32>
// CHECK: %[[SX:.*]] = hetc.reduce_sum %[[X]] [0, 2, 3] keepdims : tensor<2x3x4x4xf32> -> tensor<1x3x1x1xf32>
// CHECK: %[[MEAN:.*]] = hetc.mul %[[SX]], %[[INV]]
// CHECK: %[[C:.*]] = hetc.sub %[[X]], %[[MEAN]]
// CHECK: %[[C2:.*]] = hetc.mul %[[C]], %[[C]]
// CHECK: %[[SC2:.*]] = hetc.reduce_sum %[[C2]] [0, 2, 3] keepdims
// CHECK: %[[VAR:.*]] = hetc.mul %[[SC2]], %[[INV]]
// CHECK: %[[EPS:.*]] = arith.constant dense<9.99999974E-6> : tensor<f32>
// CHECK: %[[VE:.*]] = hetc.add %[[VAR]], %[[EPS]]
// CHECK: %[[RSTD:.*]] = hetc.rsqrt %[[VE]] : tensor<1x3x1x1xf32>
// CHECK: %[[XH:.*]] = hetc.mul %[[C]], %[[RSTD]]
// CHECK: %[[GXH:.*]] = hetc.mul %[[G]], %[[XH]]
// CHECK: %[[SS:.*]] = hetc.reduce_sum %[[GXH]] [0, 2, 3] keepdims
// CHECK: %[[DS:.*]] = hetc.reshape %[[SS]] [3] : tensor<1x3x1x1xf32> -> tensor<3xf32>
// CHECK: %[[SB:.*]] = hetc.reduce_sum %[[G]] [0, 2, 3] keepdims
// CHECK: %[[DB:.*]] = hetc.reshape %[[SB]] [3]
// CHECK: %[[SC:.*]] = hetc.reshape %[[S]] [3, 1, 1] : tensor<3xf32> -> tensor<3x1x1xf32>
// CHECK: %[[DXH:.*]] = hetc.mul %[[G]], %[[SC]]
// CHECK: %[[SD:.*]] = hetc.reduce_sum %[[DXH]] [0, 2, 3] keepdims
// CHECK: %[[MD:.*]] = hetc.mul %[[SD]], %[[INV]]
// CHECK: %[[DXHXH:.*]] = hetc.mul %[[DXH]], %[[XH]]
// CHECK: %[[SDX:.*]] = hetc.reduce_sum %[[DXHXH]] [0, 2, 3] keepdims
// CHECK: %[[MDX:.*]] = hetc.mul %[[SDX]], %[[INV]]
// CHECK: %[[D1:.*]] = hetc.sub %[[DXH]], %[[MD]]
// CHECK: %[[T:.*]] = hetc.mul %[[XH]], %[[MDX]]
// CHECK: %[[D2:.*]] = hetc.sub %[[D1]], %[[T]]
// CHECK: %[[DX:.*]] = hetc.mul %[[RSTD]], %[[D2]]
// CHECK: return %{{.*}}, %[[DX]], %[[DS]], %[[DB]]
func.func @batch_norm(%x: tensor<2x3x4x4xf32> {hetc.param = #hetc.init<zeros>},
                      %s: tensor<3xf32> {hetc.param = #hetc.init<ones>},
                      %b: tensor<3xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.batch_norm %x, %s, %b
      : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2, 3] : tensor<2x3x4x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// layer_norm: the same formulas over the trailing (normalized) axes; scale
// and bias gradients sum over the leading ones.
// CHECK-LABEL: func.func @layer_norm_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4x8xf32>{{[^,]*}}, %[[S:[^:]+]]: tensor<8xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [2, 4, 8]
// CHECK: %[[INV:.*]] = arith.constant dense<1.250000e-01> : tensor<f32>
// CHECK: %[[SX:.*]] = hetc.reduce_sum %[[X]] [2] keepdims : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
// CHECK: %[[MEAN:.*]] = hetc.mul %[[SX]], %[[INV]]
// CHECK: %[[C:.*]] = hetc.sub %[[X]], %[[MEAN]]
// CHECK: %[[EPS:.*]] = arith.constant dense<9.99999997E-7> : tensor<f32>
// CHECK: %[[RSTD:.*]] = hetc.rsqrt %{{.*}} : tensor<2x4x1xf32>
// CHECK: %[[XH:.*]] = hetc.mul %[[C]], %[[RSTD]]
// CHECK: %[[GXH:.*]] = hetc.mul %[[G]], %[[XH]]
// CHECK: %[[SS:.*]] = hetc.reduce_sum %[[GXH]] [0, 1] keepdims : tensor<2x4x8xf32> -> tensor<1x1x8xf32>
// CHECK: %[[DS:.*]] = hetc.reshape %[[SS]] [8]
// CHECK: %[[SB:.*]] = hetc.reduce_sum %[[G]] [0, 1] keepdims
// CHECK: %[[DB:.*]] = hetc.reshape %[[SB]] [8]
// CHECK: %[[DXH:.*]] = hetc.mul %[[G]], %[[S]] : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
// CHECK: %[[SD:.*]] = hetc.reduce_sum %[[DXH]] [2] keepdims
// CHECK: %[[MD:.*]] = hetc.mul %[[SD]], %[[INV]]
// CHECK: %[[DXHXH:.*]] = hetc.mul %[[DXH]], %[[XH]]
// CHECK: %[[SDX:.*]] = hetc.reduce_sum %[[DXHXH]] [2] keepdims
// CHECK: %[[MDX:.*]] = hetc.mul %[[SDX]], %[[INV]]
// CHECK: %[[D1:.*]] = hetc.sub %[[DXH]], %[[MD]]
// CHECK: %[[T:.*]] = hetc.mul %[[XH]], %[[MDX]]
// CHECK: %[[D2:.*]] = hetc.sub %[[D1]], %[[T]]
// CHECK: %[[DX:.*]] = hetc.mul %[[RSTD]], %[[D2]]
// CHECK: return %{{.*}}, %[[DX]], %[[DS]], %[[DB]]
func.func @layer_norm(%x: tensor<2x4x8xf32> {hetc.param = #hetc.init<zeros>},
                      %s: tensor<8xf32> {hetc.param = #hetc.init<ones>},
                      %b: tensor<8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %0 = hetc.layer_norm %x, %s, %b {epsilon = 1.0e-6 : f64}
      : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2] : tensor<2x4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// embedding: scatter-add into the table; the indices get no gradient.
// CHECK-LABEL: func.func @embedding_grad(
// CHECK-SAME: %[[T:[^:]+]]: tensor<10x4xf32>{{[^,]*}}, %[[IDS:[^:]+]]: tensor<2x3xi64>
// CHECK-SAME: -> (tensor<f32>, tensor<10x4xf32>)
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [2, 3, 4]
// CHECK: %[[DT:.*]] = hetc.embedding_backward %[[G]], %[[IDS]], %[[T]] : (tensor<2x3x4xf32>, tensor<2x3xi64>, tensor<10x4xf32>) -> tensor<10x4xf32>
// CHECK: return %{{.*}}, %[[DT]]
func.func @embedding(%t: tensor<10x4xf32> {hetc.param = #hetc.init<zeros>},
                     %ids: tensor<2x3xi64> {hetc.input}) -> tensor<f32> {
  %0 = hetc.embedding %t, %ids : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  %l = hetc.reduce_sum %0 [0, 1, 2] : tensor<2x3x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// dropout: the same seeded mask and scale applied to G.
// CHECK-LABEL: func.func @dropout_grad(
// CHECK-SAME: %{{[^:]+}}: tensor<4x8xf32>{{[^,]*}}, %[[SEED:[^:]+]]: tensor<i64>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [4, 8]
// CHECK: %[[DX:.*]] = hetc.dropout %[[G]], %[[SEED]] {p = 2.500000e-01 : f64} : (tensor<4x8xf32>, tensor<i64>) -> tensor<4x8xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @dropout(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>},
                   %seed: tensor<i64> {hetc.input}) -> tensor<f32> {
  %0 = hetc.dropout %x, %seed {p = 0.25 : f64} : (tensor<4x8xf32>, tensor<i64>) -> tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// cross_entropy: (softmax(x) - one_hot(y)) * G / N in one gradient op; the
// loss is the result, so G is the seed itself.
// CHECK-LABEL: func.func @cross_entropy_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x10xf32>{{[^,]*}}, %[[Y:[^:]+]]: tensor<4xi32>
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[DX:.*]] = hetc.cross_entropy_backward %[[ONE]], %[[X]], %[[Y]] : (tensor<f32>, tensor<4x10xf32>, tensor<4xi32>) -> tensor<4x10xf32>
// CHECK-NEXT: return %{{.*}}, %[[DX]]
func.func @cross_entropy(%x: tensor<4x10xf32> {hetc.param = #hetc.init<zeros>},
                         %y: tensor<4xi32> {hetc.label}) -> tensor<f32> {
  %l = hetc.cross_entropy %x, %y : (tensor<4x10xf32>, tensor<4xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// mse over 8 elements: dx = (x - t) * (G * 2/8), dt = -dx.
// CHECK-LABEL: func.func @mse_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x2xf32>{{[^,]*}}, %[[T:[^:]+]]: tensor<4x2xf32>
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[C:.*]] = arith.constant dense<2.500000e-01> : tensor<f32>
// CHECK: %[[SCALE:.*]] = hetc.mul %[[ONE]], %[[C]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK: %[[D:.*]] = hetc.sub %[[X]], %[[T]]
// CHECK: %[[DX:.*]] = hetc.mul %[[D]], %[[SCALE]] : (tensor<4x2xf32>, tensor<f32>) -> tensor<4x2xf32>
// CHECK: %[[DT:.*]] = hetc.neg %[[DX]]
// CHECK: return %{{.*}}, %[[DX]], %[[DT]]
func.func @mse(%x: tensor<4x2xf32> {hetc.param = #hetc.init<zeros>},
               %t: tensor<4x2xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %l = hetc.mse %x, %t : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A comparison is piecewise constant: a mask stops the gradient, and no
// gradient is computed for it.
// CHECK-LABEL: func.func @compare_mask_grad(
// CHECK: %[[MASK:.*]] = hetc.compare gt
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [4, 8]
// CHECK: %[[DX:.*]] = hetc.mul %[[G]], %[[MASK]]
// CHECK-NEXT: return %{{.*}}, %[[DX]]
func.func @compare_mask(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %z = arith.constant dense<0.0> : tensor<f32>
  %m = hetc.compare gt, %x, %z : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %0 = hetc.mul %x, %m : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %l = hetc.reduce_sum %0 [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}
