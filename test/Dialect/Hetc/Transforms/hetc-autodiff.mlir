// RUN: hetc-opt %s --hetc-autodiff -split-input-file -verify-diagnostics --allow-unregistered-dialect | FileCheck %s
// RUN: hetc-opt %s --hetc-autodiff=rematerialize=true -split-input-file -verify-diagnostics --allow-unregistered-dialect | FileCheck %s --check-prefix=REMAT
// RUN: hetc-opt %s --hetc-autodiff=entry=second --allow-unregistered-dialect | FileCheck %s --check-prefix=ENTRY

// The gradient function keeps the model's arguments and their attributes
// and returns the loss, then one gradient per hetc.param in argument order.
// Auxiliary results (the logits) are dropped; the labels and the input get
// no gradient: only what reaches a parameter is computed.

// CHECK-LABEL: func.func @mlp(
// CHECK-LABEL: func.func @mlp_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<8x4xf32> {hetc.input, hetc.name = "x"}
// CHECK-SAME: %[[Y:[^:]+]]: tensor<8xi32> {hetc.label}
// CHECK-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {hetc.name = "w", hetc.param = #hetc.init<uniform, 5.000000e-01>}
// CHECK-SAME: %[[B:[^:]+]]: tensor<3xf32> {hetc.param = #hetc.init<zeros>}
// CHECK-SAME: -> (tensor<f32>, tensor<3x4xf32>, tensor<3xf32>)
// CHECK-SAME: attributes {hetc.generated, hetc.grad_of = @mlp}
// CHECK: %[[H:.*]] = hetc.matmul %[[X]], %[[W]] transpose_rhs
// CHECK: %[[LOGITS:.*]] = hetc.add %[[H]], %[[B]]
// CHECK: %[[LOSS:.*]] = hetc.cross_entropy %[[LOGITS]], %[[Y]]
// CHECK: %[[SEED:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[GL:.*]] = hetc.cross_entropy_backward %[[SEED]], %[[LOGITS]], %[[Y]]
// The bias was broadcast over the batch: its gradient sums over it.
// CHECK: %[[SB:.*]] = hetc.reduce_sum %[[GL]] [0] keepdims : tensor<8x3xf32> -> tensor<1x3xf32>
// CHECK: %[[GB:.*]] = hetc.reshape %[[SB]] [3] : tensor<1x3xf32> -> tensor<3xf32>
// Only the weight's gradient of the matmul: none for the input.
// CHECK-NOT: -> tensor<8x4xf32>
// CHECK: %[[GW:.*]] = hetc.matmul %[[GL]], %[[X]] transpose_lhs : (tensor<8x3xf32>, tensor<8x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[LOSS]], %[[GW]], %[[GB]] : tensor<f32>, tensor<3x4xf32>, tensor<3xf32>
func.func @mlp(%x: tensor<8x4xf32> {hetc.input, hetc.name = "x"},
               %y: tensor<8xi32> {hetc.label},
               %w: tensor<3x4xf32> {hetc.param = #hetc.init<uniform, 0.5>, hetc.name = "w"},
               %b: tensor<3xf32> {hetc.param = #hetc.init<zeros>})
    -> (tensor<f32>, tensor<8x3xf32>) {
  %h = hetc.matmul %x, %w transpose_rhs : (tensor<8x4xf32>, tensor<3x4xf32>) -> tensor<8x3xf32>
  %logits = hetc.add %h, %b : (tensor<8x3xf32>, tensor<3xf32>) -> tensor<8x3xf32>
  %loss = hetc.cross_entropy %logits, %y : (tensor<8x3xf32>, tensor<8xi32>) -> tensor<f32>
  return %loss, %logits : tensor<f32>, tensor<8x3xf32>
}

// -----

// Fan-out: %w feeds the loss three times (twice through the same mul);
// the contributions are summed with hetc.add in reverse order of use.
// loss = sum(w * w + w): d loss / dw = 1 + 2w.

// CHECK-LABEL: func.func @fan_out_grad(
// CHECK-SAME: %[[W:[^:]+]]: tensor<4xf32>
// CHECK: %[[G:.*]] = hetc.broadcast_to %{{.*}} [4]
// CHECK: %[[A:.*]] = hetc.mul %[[G]], %[[W]]
// CHECK: %[[B:.*]] = hetc.mul %[[G]], %[[W]]
// CHECK: %[[S1:.*]] = hetc.add %[[G]], %[[A]]
// CHECK: %[[S2:.*]] = hetc.add %[[S1]], %[[B]]
// CHECK: return %{{.*}}, %[[S2]]
func.func @fan_out(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %sq = hetc.mul %w, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %s = hetc.add %sq, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %l = hetc.reduce_sum %s [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// An unused parameter, and one that only feeds an auxiliary output, get
// zero gradients; labels passed to mse as its target get none.

// CHECK-LABEL: func.func @unused_grad(
// CHECK-SAME: -> (tensor<f32>, tensor<4x2xf32>, tensor<3x3xf32>, tensor<2xf32>)
// CHECK: %[[SCALE:.*]] = hetc.mul
// CHECK: %[[D:.*]] = hetc.sub
// CHECK: %[[GP:.*]] = hetc.mul %[[D]], %[[SCALE]]
// CHECK-NOT: hetc.neg
// CHECK: %[[Z1:.*]] = arith.constant dense<0.000000e+00> : tensor<3x3xf32>
// CHECK: %[[Z2:.*]] = arith.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK: return %{{.*}}, %[[GP]], %[[Z1]], %[[Z2]]
func.func @unused(%p: tensor<4x2xf32> {hetc.param = #hetc.init<zeros>},
                  %unused: tensor<3x3xf32> {hetc.param = #hetc.init<zeros>},
                  %aux: tensor<2xf32> {hetc.param = #hetc.init<zeros>},
                  %t: tensor<4x2xf32> {hetc.label})
    -> (tensor<f32>, tensor<4x2xf32>) {
  %l = hetc.mse %p, %t : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<f32>
  %o = hetc.add %p, %aux : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %l, %o : tensor<f32>, tensor<4x2xf32>
}

// -----

// Integer operands (labels, indices, dropout seeds) are not differentiable;
// neither are the operands of a comparison: the mask stops the gradient.
// The seed is the same in the forward and the backward dropout.

// CHECK-LABEL: func.func @nondiff_grad(
// CHECK-SAME: %[[T:[^:]+]]: tensor<10x4xf32>{{[^,]*}}, %[[IDS:[^:]+]]: tensor<6xi64>{{[^,]*}}, %[[SEED:[^:]+]]: tensor<i64>
// CHECK: %[[MASK:.*]] = hetc.compare ge
// CHECK: %[[SEED_GRAD:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[G:.*]] = hetc.broadcast_to
// CHECK: %[[GM:.*]] = hetc.mul %[[G]], %[[MASK]]
// CHECK-NOT: hetc.compare
// CHECK: %[[GD:.*]] = hetc.dropout %[[GM]], %[[SEED]] {p = 5.000000e-01 : f64}
// CHECK: %[[GT:.*]] = hetc.embedding_backward %[[GD]], %[[IDS]], %[[T]]
// CHECK-NEXT: return %{{.*}}, %[[GT]]
func.func @nondiff(%t: tensor<10x4xf32> {hetc.param = #hetc.init<zeros>},
                   %ids: tensor<6xi64> {hetc.input},
                   %seed: tensor<i64> {hetc.input}) -> tensor<f32> {
  %e = hetc.embedding %t, %ids : (tensor<10x4xf32>, tensor<6xi64>) -> tensor<6x4xf32>
  %d = hetc.dropout %e, %seed {p = 0.5 : f64} : (tensor<6x4xf32>, tensor<i64>) -> tensor<6x4xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %m = hetc.compare ge, %d, %z : (tensor<6x4xf32>, tensor<f32>) -> tensor<6x4xf32>
  %r = hetc.mul %d, %m : (tensor<6x4xf32>, tensor<6x4xf32>) -> tensor<6x4xf32>
  %l = hetc.reduce_sum %r [0, 1] : tensor<6x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Rematerialization: by default the backward pass reads the forward values
// (%t and %y); with rematerialize=true the cheap elementwise chain
// tanh(x * w) is recomputed right before its first backward use, back to
// the arguments, and the forward values are no longer read.

// CHECK-LABEL: func.func @remat_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>{{[^,]*}}, %[[W:[^:]+]]: tensor<4x8xf32>
// CHECK: %[[T:.*]] = hetc.mul %[[X]], %[[W]]
// CHECK: %[[Y:.*]] = hetc.tanh %[[T]]
// CHECK: arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[Y2:.*]] = hetc.mul %[[Y]], %[[Y]]
// CHECK-NOT: hetc.tanh
// CHECK: return

// REMAT-LABEL: func.func @remat_grad(
// REMAT-SAME: %[[X:[^:]+]]: tensor<4x8xf32>{{[^,]*}}, %[[W:[^:]+]]: tensor<4x8xf32>
// REMAT: %[[T:.*]] = hetc.mul %[[X]], %[[W]]
// REMAT: %[[Y:.*]] = hetc.tanh %[[T]]
// REMAT: arith.constant dense<1.000000e+00> : tensor<f32>
// REMAT: %[[G:.*]] = hetc.broadcast_to
// REMAT-NEXT: %[[T2:.*]] = hetc.mul %[[X]], %[[W]]
// REMAT-NEXT: %[[Y2:.*]] = hetc.tanh %[[T2]]
// REMAT-NEXT: hetc.mul %[[Y2]], %[[Y2]]
// REMAT-NOT: %[[Y]]{{[ ,]}}
// REMAT: return
func.func @remat(%x: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>},
                 %w: tensor<4x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %t = hetc.mul %x, %w : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = hetc.tanh %t : tensor<4x8xf32>
  %l = hetc.reduce_sum %y [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Expensive forward values (matmul, reductions) are kept, not recomputed.

// REMAT-LABEL: func.func @remat_keeps_matmul_grad(
// REMAT: %[[H:.*]] = hetc.matmul
// REMAT: %[[S:.*]] = hetc.sigmoid %[[H]]
// REMAT: arith.constant dense<1.000000e+00> : tensor<f32>
// REMAT-NOT: hetc.matmul %{{.*}}, %{{.*}} :
// REMAT: %[[S2:.*]] = hetc.sigmoid %[[H]]
// REMAT: return
func.func @remat_keeps_matmul(%x: tensor<4x8xf32> {hetc.input},
                              %w: tensor<8x8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %h = hetc.matmul %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %s = hetc.sigmoid %h : tensor<4x8xf32>
  %l = hetc.reduce_sum %s [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Every model of the module is differentiated unless entry names one.

// CHECK-LABEL: func.func @first_grad(
// CHECK-LABEL: func.func @second_grad(
// ENTRY-NOT: @first_grad
// ENTRY-LABEL: func.func @second_grad(
// ENTRY-NOT: @first_grad
func.func @first(%w: tensor<2xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %l = hetc.reduce_sum %w [0] : tensor<2xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @second(%w: tensor<2xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %l = hetc.reduce_mean %w [0] : tensor<2xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A gradient op is legal IR but has no gradient rule itself.

func.func @no_rule(%x: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                   %g: tensor<4xf32> {hetc.input}) -> tensor<f32> {
  // expected-error @+1 {{'hetc.gelu_backward' op has no gradient rule; hetc cannot differentiate through it}}
  %0 = hetc.gelu_backward %g, %x : tensor<4xf32>
  %l = hetc.reduce_sum %0 [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// The model contract is checked first, at the offending op or argument.

func.func @foreign_op(%x: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  // expected-error @+1 {{'foo.bar' op is not supported in a hetc model (only hetc ops, arith.constant and func.return are)}}
  %0 = "foo.bar"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %l = hetc.reduce_sum %0 [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{argument #1 of model 'no_role' has no role: mark it hetc.param, hetc.buffer, hetc.input or hetc.label}}
func.func @no_role(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}, %x: tensor<4xf32>) -> tensor<f32> {
  %l = hetc.reduce_sum %w [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{model 'no_loss' must return its loss as the first result, a 0-d f32, f16 or bf16 tensor}}
func.func @no_loss(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<4xf32> {
  return %w : tensor<4xf32>
}

// -----

func.func @taken(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %l = hetc.reduce_sum %w [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}
// expected-error @+1 {{the module already defines 'taken_grad', the gradient of 'taken'}}
func.func @taken_grad() {
  return
}
