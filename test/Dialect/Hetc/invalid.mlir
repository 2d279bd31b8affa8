// RUN: hetc-opt %s -split-input-file -verify-diagnostics

// One case per verifier error of the hetc ops, the #hetc.init attribute and
// the argument-role attributes. Ops with inferred result types report the
// specific error and then "failed to infer returned types".

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

func.func @dynamic_shape(%a: tensor<?x8xf32>) {
  // expected-error @+1 {{'hetc.relu' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type, but got 'tensor<?x8xf32>'}}
  %0 = hetc.relu %a : tensor<?x8xf32>
  return
}

// -----

func.func @integer_for_float(%a: tensor<4xi32>) {
  // expected-error @+1 {{'hetc.exp' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type, but got 'tensor<4xi32>'}}
  %0 = hetc.exp %a : tensor<4xi32>
  return
}

// -----

func.func @float_indices(%t: tensor<10x4xf32>, %i: tensor<3xf32>) {
  // expected-error @+1 {{'hetc.embedding' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer, but got 'tensor<3xf32>'}}
  %0 = hetc.embedding %t, %i : (tensor<10x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @seed_not_0d(%x: tensor<4xf32>, %s: tensor<1xi64>) {
  // expected-error @+1 {{'hetc.dropout' op operand #1 must be 0-d tensor of 64-bit signless integer, but got 'tensor<1xi64>'}}
  %0 = hetc.dropout %x, %s {p = 0.5 : f64} : (tensor<4xf32>, tensor<1xi64>) -> tensor<4xf32>
  return
}

// -----

func.func @loss_not_0d(%l: tensor<4x3xf32>, %y: tensor<4xi32>) {
  // expected-error @+1 {{'hetc.cross_entropy' op result #0 must be 0-d tensor of 32-bit float or 16-bit float or bfloat16 type, but got 'tensor<4xf32>'}}
  %0 = hetc.cross_entropy %l, %y : (tensor<4x3xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

func.func @unary_result_type(%a: tensor<4xf32>) {
  // expected-error @+1 {{'hetc.relu' op requires the same type for all operands and results}}
  %0 = "hetc.relu"(%a) : (tensor<4xf32>) -> tensor<4xf16>
  return
}

// -----

func.func @dropout_result_type(%a: tensor<4xf32>, %s: tensor<i64>) {
  // expected-error @+1 {{'hetc.dropout' op failed to verify that all of {input, result} have same type}}
  %0 = "hetc.dropout"(%a, %s) <{p = 0.5 : f64}> : (tensor<4xf32>, tensor<i64>) -> tensor<4xf16>
  return
}

// -----

func.func @missing_attribute(%a: tensor<4xf32>) {
  // expected-error @+1 {{'hetc.pow' op requires attribute 'exponent'}}
  %0 = "hetc.pow"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// The written result type is checked against the inferred one.
func.func @wrong_result_shape(%a: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+2 {{'hetc.mul' op inferred type(s) 'tensor<4x8xf32>' are incompatible with return type(s) of operation 'tensor<4x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.mul %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

func.func @element_types_differ(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+2 {{'hetc.add' op lhs and rhs have different element types ('f32' vs 'f16')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.add %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @not_broadcastable(%a: tensor<4x8xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'hetc.sub' op operand shapes [4, 8] and [3] are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.sub %a, %b : (tensor<4x8xf32>, tensor<3xf32>) -> tensor<4x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

func.func @matmul_rank(%a: tensor<8xf32>, %b: tensor<8x4xf32>) {
  // expected-error @+2 {{'hetc.matmul' op operands must have rank >= 2, got lhs rank 1 and rhs rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.matmul %a, %b : (tensor<8xf32>, tensor<8x4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_contraction(%a: tensor<8x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{'hetc.matmul' op contraction dimensions differ: lhs [8, 3] has K = 3 but rhs [4, 5] has K = 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.matmul %a, %b : (tensor<8x3xf32>, tensor<4x5xf32>) -> tensor<8x5xf32>
  return
}

// -----

// transpose_lhs reads K from the second-to-last dimension of lhs.
func.func @matmul_contraction_transposed(%a: tensor<8x3xf32>, %b: tensor<3x5xf32>) {
  // expected-error @+2 {{'hetc.matmul' op contraction dimensions differ: lhs [8, 3] has K = 8 but rhs [3, 5] has K = 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.matmul %a, %b transpose_lhs : (tensor<8x3xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x8x3xf32>, %b: tensor<3x3x4xf32>) {
  // expected-error @+2 {{'hetc.matmul' op batch dimensions [2] and [3] are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.matmul %a, %b : (tensor<2x8x3xf32>, tensor<3x3x4xf32>) -> tensor<2x8x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Reductions and softmax
//===----------------------------------------------------------------------===//

func.func @reduce_no_axes(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{'hetc.reduce_sum' op needs at least one axis to reduce}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reduce_sum %a [] : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @reduce_axis_range(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{'hetc.reduce_max' op axis 2 is out of range for a rank-2 tensor (valid: [-2, 1])}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reduce_max %a [2] : tensor<4x8xf32> -> tensor<4xf32>
  return
}

// -----

func.func @reduce_axis_repeated(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{'hetc.reduce_mean' op axis -1 is listed more than once}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reduce_mean %a [1, -1] : tensor<4x8xf32> -> tensor<4xf32>
  return
}

// -----

func.func @reduce_0d(%a: tensor<f32>) {
  // expected-error @+2 {{'hetc.reduce_sum' op axis 0 is out of range for a rank-0 tensor, which has no axes}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reduce_sum %a [0] : tensor<f32> -> tensor<f32>
  return
}

// -----

func.func @softmax_axis(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'hetc.softmax' op axis -3 is out of range for a rank-2 tensor (valid: [-2, 1])}}
  %0 = hetc.softmax %a axis -3 : tensor<4x8xf32>
  return
}

// -----

func.func @log_softmax_0d(%a: tensor<f32>) {
  // expected-error @+1 {{'hetc.log_softmax' op axis 0 is out of range for a rank-0 tensor, which has no axes}}
  %0 = hetc.log_softmax %a axis 0 : tensor<f32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

func.func @reshape_two_inferred(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'hetc.reshape' op shape [-1, -1] has more than one -1 (inferred) dimension}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reshape %a [-1, -1] : tensor<2x3x4xf32> -> tensor<4x6xf32>
  return
}

// -----

func.func @reshape_zero_dim(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'hetc.reshape' op shape [0, 24] has invalid dimension 0 (dimensions are positive, or -1 to infer one)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reshape %a [0, 24] : tensor<2x3x4xf32> -> tensor<0x24xf32>
  return
}

// -----

func.func @reshape_not_divisible(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'hetc.reshape' op cannot infer the -1 dimension of [5, -1]: 24 elements are not divisible by 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reshape %a [5, -1] : tensor<2x3x4xf32> -> tensor<5x5xf32>
  return
}

// -----

func.func @reshape_count(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'hetc.reshape' op shape [5] has 5 elements but the input [2, 3] has 6}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reshape %a [5] : tensor<2x3xf32> -> tensor<5xf32>
  return
}

// -----

func.func @transpose_size(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'hetc.transpose' op permutation [0] has 1 entries but the input has rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.transpose %a [0] : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

func.func @transpose_range(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'hetc.transpose' op permutation [0, 2] has entry 2 outside [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.transpose %a [0, 2] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_repeat(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'hetc.transpose' op permutation [1, 1] repeats dimension 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.transpose %a [1, 1] : tensor<2x3xf32> -> tensor<3x3xf32>
  return
}

// -----

func.func @broadcast_lower_rank(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'hetc.broadcast_to' op cannot broadcast [2, 3] to the lower-rank shape [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.broadcast_to %a [3] : tensor<2x3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @broadcast_non_positive(%a: tensor<3xf32>) {
  // expected-error @+2 {{'hetc.broadcast_to' op target shape [0, 3] has non-positive dimension 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.broadcast_to %a [0, 3] : tensor<3xf32> -> tensor<0x3xf32>
  return
}

// -----

func.func @broadcast_incompatible(%a: tensor<2xf32>) {
  // expected-error @+2 {{'hetc.broadcast_to' op cannot broadcast [2] to [4, 3]: input dimension 0 has size 2 but the target has 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.broadcast_to %a [4, 3] : tensor<2xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+2 {{'hetc.concat' op needs at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.concat axis 0 : () -> tensor<4xf32>
  return
}

// -----

func.func @concat_0d(%a: tensor<f32>) {
  // expected-error @+2 {{'hetc.concat' op cannot concatenate 0-d tensors}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.concat %a axis 0 : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @concat_rank(%a: tensor<4x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'hetc.concat' op input #1 has rank 1 but input #0 has rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.concat %a, %b axis 1 : (tensor<4x3xf32>, tensor<4xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @concat_other_dim(%a: tensor<4x3xf32>, %b: tensor<4x3xf32>, %c: tensor<5x3xf32>) {
  // expected-error @+2 {{'hetc.concat' op input #2 [5, 3] differs from input #0 [4, 3] in dimension 0, which is not the concatenation axis}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.concat %a, %b, %c axis -1 : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<5x3xf32>) -> tensor<4x9xf32>
  return
}

// -----

func.func @slice_entries(%a: tensor<4x5xf32>) {
  // expected-error @+2 {{'hetc.slice' op offsets, sizes and strides need one entry per input dimension (2), got 1, 2 and 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.slice %a offsets [0] sizes [2, 2] strides [1, 1] : tensor<4x5xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @slice_values(%a: tensor<4x5xf32>) {
  // expected-error @+2 {{'hetc.slice' op dimension 1: offset must be >= 0, size and stride >= 1 (got offset 0, size 2, stride 0)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.slice %a offsets [0, 0] sizes [2, 2] strides [1, 0] : tensor<4x5xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @slice_window(%a: tensor<4x5xf32>) {
  // expected-error @+2 {{'hetc.slice' op dimension 1: the window reaches index 5 but the input size is 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.slice %a offsets [0, 1] sizes [2, 3] strides [1, 2] : tensor<4x5xf32> -> tensor<2x3xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

func.func @conv_input_rank(%x: tensor<4x16x16xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{'hetc.conv2d' op input must be 4-D [N, C, H, W], got 'tensor<4x16x16xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w : (tensor<4x16x16xf32>, tensor<6x4x3x3xf32>) -> tensor<4x6x14x14xf32>
  return
}

// -----

func.func @conv_weight_rank(%x: tensor<2x4x16x16xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+2 {{'hetc.conv2d' op weight must be 4-D [F, C/groups, KH, KW], got 'tensor<6x4x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w : (tensor<2x4x16x16xf32>, tensor<6x4x3xf32>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @conv_empty_kernel(%x: tensor<2x4x16x16xf32>, %w: tensor<6x4x0x3xf32>) {
  // expected-error @+2 {{'hetc.conv2d' op weight [6, 4, 0, 3] has an empty kernel (KH and KW must be >= 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w : (tensor<2x4x16x16xf32>, tensor<6x4x0x3xf32>) -> tensor<2x6x17x14xf32>
  return
}

// -----

func.func @conv_strides_size(%x: tensor<2x4x16x16xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{'hetc.conv2d' op 'strides' needs 2 values, got [1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w {strides = array<i64: 1>} : (tensor<2x4x16x16xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @conv_padding_negative(%x: tensor<2x4x16x16xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{'hetc.conv2d' op 'padding' values must be >= 0, got [1, -1, 1, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w {padding = array<i64: 1, -1, 1, 1>} : (tensor<2x4x16x16xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @conv_groups(%x: tensor<2x4x16x16xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{'hetc.conv2d' op 'groups' must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w {groups = 0 : i64} : (tensor<2x4x16x16xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @conv_input_groups(%x: tensor<2x4x16x16xf32>, %w: tensor<6x1x3x3xf32>) {
  // expected-error @+2 {{'hetc.conv2d' op input channels (4) are not divisible by groups (3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w {groups = 3 : i64} : (tensor<2x4x16x16xf32>, tensor<6x1x3x3xf32>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @conv_output_groups(%x: tensor<2x4x16x16xf32>, %w: tensor<6x1x3x3xf32>) {
  // expected-error @+2 {{'hetc.conv2d' op output channels (6) are not divisible by groups (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w {groups = 4 : i64} : (tensor<2x4x16x16xf32>, tensor<6x1x3x3xf32>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<2x4x16x16xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{'hetc.conv2d' op weight [6, 4, 3, 3] expects 4 input channels per group, but the input has 2 (4 channels / 2 groups)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w {groups = 2 : i64} : (tensor<2x4x16x16xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<2x4x16x16xf32>, %w: tensor<6x4x3x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+2 {{'hetc.conv2d' op bias must have shape [6], got [5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w, %b : (tensor<2x4x16x16xf32>, tensor<6x4x3x3xf32>, tensor<5xf32>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @conv_window(%x: tensor<2x4x4x4xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{'hetc.conv2d' op the height window (5 with dilation 2) is larger than the padded input (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w {dilation = array<i64: 2, 1>} : (tensor<2x4x4x4xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x1x2xf32>
  return
}

// -----

func.func @pool_window(%x: tensor<2x4x4x4xf32>) {
  // expected-error @+2 {{'hetc.max_pool2d' op the width window (8) is larger than the padded input (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.max_pool2d %x {kernel_size = array<i64: 2, 8>} : tensor<2x4x4x4xf32> -> tensor<2x4x2x1xf32>
  return
}

// -----

func.func @pool_padding(%x: tensor<2x4x16x16xf32>) {
  // expected-error @+2 {{'hetc.avg_pool2d' op padding [0, 0, 0, 2] exceeds half the kernel size [4, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.avg_pool2d %x {kernel_size = array<i64: 4, 3>, padding = array<i64: 0, 0, 0, 2>} : tensor<2x4x16x16xf32> -> tensor<2x4x4x5xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Normalizations, embedding, dropout
//===----------------------------------------------------------------------===//

func.func @batch_norm_rank(%x: tensor<8xf32>, %g: tensor<8xf32>) {
  // expected-error @+2 {{'hetc.batch_norm' op input must have rank >= 2 [N, C, ...], got 'tensor<8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.batch_norm %x, %g, %g : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @batch_norm_scale(%x: tensor<2x4x3x3xf32>, %g: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'hetc.batch_norm' op scale must have shape [4], got [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.batch_norm %x, %g, %b : (tensor<2x4x3x3xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<2x4x3x3xf32>
  return
}

// -----

func.func @epsilon(%x: tensor<2x4xf32>, %g: tensor<4xf32>) {
  // expected-error @+2 {{'hetc.layer_norm' op epsilon must be positive, got 0.000000e+00}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.layer_norm %x, %g, %g {epsilon = 0.0 : f64} : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @layer_norm_rank(%x: tensor<2x4xf32>, %g: tensor<2x2x4xf32>) {
  // expected-error @+2 {{'hetc.layer_norm' op scale rank (3) selects the normalized trailing dimensions and must be in [1, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.layer_norm %x, %g, %g : (tensor<2x4xf32>, tensor<2x2x4xf32>, tensor<2x2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @embedding_table(%t: tensor<10xf32>, %i: tensor<3xi32>) {
  // expected-error @+2 {{'hetc.embedding' op table must be 2-D [V, D], got 'tensor<10xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.embedding %t, %i : (tensor<10xf32>, tensor<3xi32>) -> tensor<3xf32>
  return
}

// -----

func.func @dropout_p(%x: tensor<4xf32>, %s: tensor<i64>) {
  // expected-error @+1 {{'hetc.dropout' op drop probability p must be in [0, 1), got 1.000000e+00}}
  %0 = hetc.dropout %x, %s {p = 1.0 : f64} : (tensor<4xf32>, tensor<i64>) -> tensor<4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

func.func @logits_rank(%l: tensor<4x2x3xf32>, %y: tensor<4xi32>) {
  // expected-error @+2 {{'hetc.cross_entropy' op logits must be 2-D [N, C], got 'tensor<4x2x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.cross_entropy %l, %y : (tensor<4x2x3xf32>, tensor<4xi32>) -> tensor<f32>
  return
}

// -----

func.func @labels_rank(%l: tensor<4x3xf32>, %y: tensor<4x1xi64>) {
  // expected-error @+2 {{'hetc.cross_entropy' op labels must be 1-D [N] class indices, got 'tensor<4x1xi64>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.cross_entropy %l, %y : (tensor<4x3xf32>, tensor<4x1xi64>) -> tensor<f32>
  return
}

// -----

func.func @batch_sizes(%l: tensor<4x3xf32>, %y: tensor<3xi32>) {
  // expected-error @+2 {{'hetc.cross_entropy' op batch sizes differ: logits have N = 4 but labels have N = 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.cross_entropy %l, %y : (tensor<4x3xf32>, tensor<3xi32>) -> tensor<f32>
  return
}

// -----

func.func @mse_types(%a: tensor<4x3xf32>, %b: tensor<4x1xf32>) {
  // expected-error @+2 {{'hetc.mse' op input and target must have the same type, got 'tensor<4x3xf32>' and 'tensor<4x1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.mse %a, %b : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<f32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Gradient ops
//===----------------------------------------------------------------------===//

func.func @gradient_type(%g: tensor<4x4xf32>, %x: tensor<4x5xf32>) {
  // expected-error @+2 {{'hetc.slice_backward' op grad has type 'tensor<4x4xf32>' but the forward op produces 'tensor<4x2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.slice_backward %g, %x offsets [0, 0] sizes [4, 2] strides [1, 1] : (tensor<4x4xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  return
}

// -----

// Errors in the forward shapes name the gradient op, not the forward op.
func.func @cross_entropy_backward_logits(%g: tensor<f32>, %l: tensor<4x3x2xf32>, %y: tensor<4xi32>) {
  // expected-error @+2 {{'hetc.cross_entropy_backward' op logits must be 2-D [N, C], got 'tensor<4x3x2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.cross_entropy_backward %g, %l, %y : (tensor<f32>, tensor<4x3x2xf32>, tensor<4xi32>) -> tensor<4x3x2xf32>
  return
}

// -----

func.func @embedding_backward_table(%g: tensor<3x4xf32>, %i: tensor<3xi32>, %t: tensor<10xf32>) {
  // expected-error @+2 {{'hetc.embedding_backward' op table must be 2-D [V, D], got 'tensor<10xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.embedding_backward %g, %i, %t : (tensor<3x4xf32>, tensor<3xi32>, tensor<10xf32>) -> tensor<10xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// #hetc.init
//===----------------------------------------------------------------------===//

// expected-error @+1 {{unknown initializer 'glorot' (expected zeros, ones, constant, uniform or normal)}}
func.func @f(%w: tensor<4xf32> {hetc.param = #hetc.init<glorot>}) {
  return
}

// -----

// expected-error @+1 {{#hetc.init<normal> needs a positive scale, got -1.000000e+00}}
func.func @f(%w: tensor<4xf32> {hetc.param = #hetc.init<normal, -1.0>}) {
  return
}

// -----

// expected-error @+1 {{#hetc.init<zeros> takes no value}}
func.func @f(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros, 1.0>}) {
  return
}

// -----

// inf and nan have no JSON form in the manifest, and f32 tensors cannot hold
// values beyond its range.
// expected-error @+1 {{#hetc.init<uniform> needs a finite value within the f32 range, got INF}}
func.func @f(%w: tensor<4xf32> {hetc.param = #hetc.init<uniform, 0x7FF0000000000000>}) {
  return
}

// -----

// expected-error @+1 {{#hetc.init<normal> needs a finite value within the f32 range, got nan}}
func.func @f(%w: tensor<4xf32> {hetc.param = #hetc.init<normal, 0x7FF8000000000000>}) {
  return
}

// -----

// expected-error @+1 {{#hetc.init<constant> needs a finite value within the f32 range, got 1.000000e+300}}
func.func @f(%w: tensor<4xf32> {hetc.param = #hetc.init<constant, 1.0e300>}) {
  return
}

// -----

//===----------------------------------------------------------------------===//
// Argument roles
//===----------------------------------------------------------------------===//

// expected-error @+1 {{'func.func' op argument #1 has more than one of hetc.param, hetc.buffer, hetc.input, hetc.label, hetc.opt_state and hetc.hyper}}
func.func @f(%x: tensor<4xf32> {hetc.input}, %w: tensor<4xf32> {hetc.param = #hetc.init<zeros>, hetc.label}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0: 'hetc.param' must be a #hetc.init attribute, got 1.000000e+00 : f32}}
func.func @f(%w: tensor<4xf32> {hetc.param = 1.0 : f32}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0: a parameter must be a statically shaped f32, f16 or bf16 tensor, got 'tensor<4xi32>'}}
func.func @f(%w: tensor<4xi32> {hetc.param = #hetc.init<zeros>}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0: 'hetc.buffer' must be a #hetc.init attribute, got unit}}
func.func @f(%w: tensor<4xf32> {hetc.buffer}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0: a buffer must be a statically shaped f32, f16 or bf16 tensor, got 'tensor<4xi64>'}}
func.func @f(%w: tensor<4xi64> {hetc.buffer = #hetc.init<zeros>}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0 has more than one of hetc.param, hetc.buffer, hetc.input, hetc.label, hetc.opt_state and hetc.hyper}}
func.func @f(%w: tensor<4xf32> {hetc.buffer = #hetc.init<zeros>, hetc.param = #hetc.init<zeros>}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0: 'hetc.input' is a unit attribute and takes no value}}
func.func @f(%x: tensor<4xf32> {hetc.input = 1 : i64}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0: 'hetc.label' must be a statically shaped tensor, got 'tensor<?xi32>'}}
func.func @f(%x: tensor<?xi32> {hetc.label}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0: 'hetc.name' must be a string}}
func.func @f(%x: tensor<4xf32> {hetc.input, hetc.name = 3 : i64}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0: 'hetc.opt_state' must be {kind = "...", init = #hetc.init<...>} with an optional integer param}}
func.func @f(%m: tensor<4xf32> {hetc.opt_state = {kind = "momentum", init = #hetc.init<zeros>, param = "w"}}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0: optimizer state must be a float tensor, got 'tensor<4xi32>'}}
func.func @f(%m: tensor<4xi32> {hetc.opt_state = {kind = "momentum", init = #hetc.init<zeros>}}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #1: the 'step' optimizer state is a 0-d tensor without a param}}
func.func @f(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}, %s: tensor<f32> {hetc.opt_state = {kind = "step", init = #hetc.init<zeros>, param = 0 : i64}}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #1: unknown optimizer state kind 'velocity' (expected momentum, exp_avg, exp_avg_sq, grad_accum, step or micro_step)}}
func.func @f(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}, %m: tensor<4xf32> {hetc.opt_state = {kind = "velocity", init = #hetc.init<zeros>, param = 0 : i64}}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #1: 'momentum' optimizer state needs param = <index of its parameter's argument>}}
func.func @f(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}, %m: tensor<4xf32> {hetc.opt_state = {kind = "momentum", init = #hetc.init<zeros>, param = 2 : i64}}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #1: 'exp_avg' state has type 'tensor<3xf32>' but its param (argument #0) has type 'tensor<4xf32>'}}
func.func @f(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}, %m: tensor<3xf32> {hetc.opt_state = {kind = "exp_avg", init = #hetc.init<zeros>, param = 0 : i64}}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0: unknown hetc argument attribute 'hetc.weight' (expected hetc.param, hetc.buffer, hetc.input, hetc.label, hetc.opt_state, hetc.hyper or hetc.name)}}
func.func @f(%x: tensor<4xf32> {hetc.weight}) {
  return
}

// -----

// A runtime hyper-parameter is a 0-d f32 tensor with a name, a group and a
// constant initial value.
func.func @f(%lr: tensor<f32> {hetc.hyper = {name = "lr", group = 1 : i64, init = #hetc.init<constant, 1.000000e-01>}, hetc.name = "hyper:group1:lr"}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0: 'hetc.hyper' must be {name = "...", group = <n >= 0>, init = #hetc.init<constant, ...>}}}
func.func @f(%lr: tensor<f32> {hetc.hyper = {name = "lr", group = -1 : i64, init = #hetc.init<constant, 1.000000e-01>}}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0: 'hetc.hyper' must be {name = "...", group = <n >= 0>, init = #hetc.init<constant, ...>}}}
func.func @f(%lr: tensor<f32> {hetc.hyper = {name = "lr", group = 0 : i64, init = #hetc.init<zeros>}}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0: a hyper-parameter must be tensor<f32>, got 'tensor<1xf32>'}}
func.func @f(%lr: tensor<1xf32> {hetc.hyper = {name = "lr", group = 0 : i64, init = #hetc.init<constant, 1.000000e-01>}}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0 has more than one of hetc.param, hetc.buffer, hetc.input, hetc.label, hetc.opt_state and hetc.hyper}}
func.func @f(%lr: tensor<f32> {hetc.input, hetc.hyper = {name = "lr", group = 0 : i64, init = #hetc.init<constant, 1.000000e-01>}}) {
  return
}
