// RUN: hetc-opt %s -split-input-file -verify-diagnostics

// One case per verifier error of the gradient ops. Like the forward ops,
// they infer their result type: a malformed op reports the specific error,
// then "failed to infer returned types". Shape-only operands are checked
// as the forward op would check them.

func.func @compare_element_types(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+2 {{'hetc.compare' op lhs and rhs have different element types ('f32' vs 'f16')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.compare gt, %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @compare_broadcast(%a: tensor<4xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'hetc.compare' op operand shapes [4] and [3] are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.compare gt, %a, %b : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @compare_result_type(%a: tensor<4xf32>, %b: tensor<1xf32>) {
  // expected-error @+2 {{'hetc.compare' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.compare gt, %a, %b : (tensor<4xf32>, tensor<1xf32>) -> tensor<1xf32>
  return
}

// -----

func.func @compare_integer_result(%a: tensor<4xi32>) {
  // Integer operands compare to an f32 mask, never to an integer one.
  // expected-error @+1 {{'hetc.compare' op result #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type, but got 'tensor<4xi32>'}}
  %0 = hetc.compare gt, %a, %a : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @compare_mixed_operands(%a: tensor<4xi32>, %b: tensor<4xi64>) {
  // expected-error @+2 {{'hetc.compare' op lhs and rhs have different element types ('i32' vs 'i64')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.compare eq, %a, %b : (tensor<4xi32>, tensor<4xi64>) -> tensor<4xf32>
  return
}

// -----

func.func @compare_integer_mask_type(%a: tensor<4xi64>) {
  // expected-error @+2 {{'hetc.compare' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<4xf16>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.compare eq, %a, %a : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xf16>
  return
}

// -----

func.func @compare_unknown_predicate(%a: tensor<4xf32>) {
  // expected-error @+2 {{expected ::mlir::hetc::ComparePredicate to be one of: eq, ne, lt, le, gt, ge}}
  // expected-error @+1 {{failed to parse Hetc_ComparePredicateAttr parameter 'value' which is to be a `::mlir::hetc::ComparePredicate`}}
  %0 = hetc.compare gtx, %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @gelu_backward_types(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{'hetc.gelu_backward' op requires the same type for all operands and results}}
  %0 = "hetc.gelu_backward"(%a, %b) : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @cross_entropy_backward_logits_rank(%g: tensor<f32>, %l: tensor<4xf32>, %y: tensor<4xi32>) {
  // expected-error @+2 {{'hetc.cross_entropy_backward' op logits must be 2-D [N, C], got 'tensor<4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.cross_entropy_backward %g, %l, %y : (tensor<f32>, tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

func.func @cross_entropy_backward_labels_rank(%g: tensor<f32>, %l: tensor<4x3xf32>, %y: tensor<4x1xi32>) {
  // expected-error @+2 {{'hetc.cross_entropy_backward' op labels must be 1-D [N] class indices, got 'tensor<4x1xi32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.cross_entropy_backward %g, %l, %y : (tensor<f32>, tensor<4x3xf32>, tensor<4x1xi32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @cross_entropy_backward_batch(%g: tensor<f32>, %l: tensor<4x3xf32>, %y: tensor<5xi32>) {
  // expected-error @+2 {{'hetc.cross_entropy_backward' op batch sizes differ: logits have N = 4 but labels have N = 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.cross_entropy_backward %g, %l, %y : (tensor<f32>, tensor<4x3xf32>, tensor<5xi32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @cross_entropy_backward_grad_type(%g: tensor<f16>, %l: tensor<4x3xf32>, %y: tensor<4xi32>) {
  // expected-error @+2 {{'hetc.cross_entropy_backward' op the loss gradient has type 'tensor<f16>' but the forward op produces 'tensor<f32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.cross_entropy_backward %g, %l, %y : (tensor<f16>, tensor<4x3xf32>, tensor<4xi32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @cross_entropy_backward_grad_rank(%g: tensor<1xf32>, %l: tensor<4x3xf32>, %y: tensor<4xi32>) {
  // expected-error @+1 {{'hetc.cross_entropy_backward' op operand #0 must be 0-d tensor of 32-bit float or 16-bit float or bfloat16 type, but got 'tensor<1xf32>'}}
  %0 = hetc.cross_entropy_backward %g, %l, %y : (tensor<1xf32>, tensor<4x3xf32>, tensor<4xi32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @conv2d_backward_input_input_rank(%g: tensor<2x6x4x4xf32>, %w: tensor<6x4x3x3xf32>, %x: tensor<2x4x8xf32>) {
  // expected-error @+2 {{'hetc.conv2d_backward_input' op input must be 4-D [N, C, H, W], got 'tensor<2x4x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d_backward_input %g, %w, %x : (tensor<2x6x4x4xf32>, tensor<6x4x3x3xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

func.func @conv2d_backward_input_weight_rank(%g: tensor<2x6x6x6xf32>, %w: tensor<6x4x3xf32>, %x: tensor<2x4x8x8xf32>) {
  // expected-error @+2 {{'hetc.conv2d_backward_input' op weight must be 4-D [F, C/groups, KH, KW], got 'tensor<6x4x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d_backward_input %g, %w, %x : (tensor<2x6x6x6xf32>, tensor<6x4x3xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

func.func @conv2d_backward_input_element_types(%g: tensor<2x6x6x6xf32>, %w: tensor<6x4x3x3xf16>, %x: tensor<2x4x8x8xf32>) {
  // expected-error @+2 {{'hetc.conv2d_backward_input' op input and weight have different element types ('f32' vs 'f16')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d_backward_input %g, %w, %x : (tensor<2x6x6x6xf32>, tensor<6x4x3x3xf16>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

func.func @conv2d_backward_input_strides_size(%g: tensor<2x6x6x6xf32>, %w: tensor<6x4x3x3xf32>, %x: tensor<2x4x8x8xf32>) {
  // expected-error @+2 {{'hetc.conv2d_backward_input' op 'strides' needs 2 values, got [1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d_backward_input %g, %w, %x {strides = array<i64: 1>} : (tensor<2x6x6x6xf32>, tensor<6x4x3x3xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

func.func @conv2d_backward_input_dilation(%g: tensor<2x6x6x6xf32>, %w: tensor<6x4x3x3xf32>, %x: tensor<2x4x8x8xf32>) {
  // expected-error @+2 {{'hetc.conv2d_backward_input' op 'dilation' values must be >= 1, got [0, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d_backward_input %g, %w, %x {dilation = array<i64: 0, 1>} : (tensor<2x6x6x6xf32>, tensor<6x4x3x3xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

func.func @conv2d_backward_input_padding(%g: tensor<2x6x6x6xf32>, %w: tensor<6x4x3x3xf32>, %x: tensor<2x4x8x8xf32>) {
  // expected-error @+2 {{'hetc.conv2d_backward_input' op 'padding' values must be >= 0, got [-1, 0, 0, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d_backward_input %g, %w, %x {padding = array<i64: -1, 0, 0, 0>} : (tensor<2x6x6x6xf32>, tensor<6x4x3x3xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

func.func @conv2d_backward_input_groups(%g: tensor<2x6x6x6xf32>, %w: tensor<6x4x3x3xf32>, %x: tensor<2x4x8x8xf32>) {
  // expected-error @+2 {{'hetc.conv2d_backward_input' op 'groups' must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d_backward_input %g, %w, %x {groups = 0 : i64} : (tensor<2x6x6x6xf32>, tensor<6x4x3x3xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

func.func @conv2d_backward_input_input_groups(%g: tensor<2x6x6x6xf32>, %w: tensor<6x1x3x3xf32>, %x: tensor<2x4x8x8xf32>) {
  // expected-error @+2 {{'hetc.conv2d_backward_input' op input channels (4) are not divisible by groups (3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d_backward_input %g, %w, %x {groups = 3 : i64} : (tensor<2x6x6x6xf32>, tensor<6x1x3x3xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

func.func @conv2d_backward_input_output_groups(%g: tensor<2x5x6x6xf32>, %w: tensor<5x2x3x3xf32>, %x: tensor<2x4x8x8xf32>) {
  // expected-error @+2 {{'hetc.conv2d_backward_input' op output channels (5) are not divisible by groups (2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d_backward_input %g, %w, %x {groups = 2 : i64} : (tensor<2x5x6x6xf32>, tensor<5x2x3x3xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

func.func @conv2d_backward_input_channels(%g: tensor<2x6x6x6xf32>, %w: tensor<6x3x3x3xf32>, %x: tensor<2x4x8x8xf32>) {
  // expected-error @+2 {{'hetc.conv2d_backward_input' op weight [6, 3, 3, 3] expects 3 input channels per group, but the input has 4 (4 channels / 1 groups)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d_backward_input %g, %w, %x : (tensor<2x6x6x6xf32>, tensor<6x3x3x3xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

func.func @conv2d_backward_input_window(%g: tensor<2x6x6x6xf32>, %w: tensor<6x4x9x3xf32>, %x: tensor<2x4x8x8xf32>) {
  // expected-error @+2 {{'hetc.conv2d_backward_input' op the height window (9) is larger than the padded input (8)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d_backward_input %g, %w, %x : (tensor<2x6x6x6xf32>, tensor<6x4x9x3xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

func.func @conv2d_backward_input_grad_type(%g: tensor<2x6x8x8xf32>, %w: tensor<6x4x3x3xf32>, %x: tensor<2x4x8x8xf32>) {
  // expected-error @+2 {{'hetc.conv2d_backward_input' op grad_output has type 'tensor<2x6x8x8xf32>' but the forward op produces 'tensor<2x6x6x6xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d_backward_input %g, %w, %x : (tensor<2x6x8x8xf32>, tensor<6x4x3x3xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

func.func @conv2d_backward_input_result_type(%g: tensor<2x6x6x6xf32>, %w: tensor<6x4x3x3xf32>, %x: tensor<2x4x8x8xf32>) {
  // expected-error @+2 {{'hetc.conv2d_backward_input' op inferred type(s) 'tensor<2x4x8x8xf32>' are incompatible with return type(s) of operation 'tensor<6x4x3x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d_backward_input %g, %w, %x : (tensor<2x6x6x6xf32>, tensor<6x4x3x3xf32>, tensor<2x4x8x8xf32>) -> tensor<6x4x3x3xf32>
  return
}

// -----

func.func @conv2d_backward_weight_grad_type(%g: tensor<2x6x8x8xf32>, %w: tensor<6x4x3x3xf32>, %x: tensor<2x4x8x8xf32>) {
  // expected-error @+2 {{'hetc.conv2d_backward_weight' op grad_output has type 'tensor<2x6x8x8xf32>' but the forward op produces 'tensor<2x6x6x6xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d_backward_weight %g, %x, %w : (tensor<2x6x8x8xf32>, tensor<2x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<6x4x3x3xf32>
  return
}

// -----

func.func @conv2d_backward_weight_result_type(%g: tensor<2x6x6x6xf32>, %w: tensor<6x4x3x3xf32>, %x: tensor<2x4x8x8xf32>) {
  // expected-error @+2 {{'hetc.conv2d_backward_weight' op inferred type(s) 'tensor<6x4x3x3xf32>' are incompatible with return type(s) of operation 'tensor<2x4x8x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d_backward_weight %g, %x, %w : (tensor<2x6x6x6xf32>, tensor<2x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

func.func @max_pool2d_backward_input_rank(%g: tensor<2x3x4x4xf32>, %x: tensor<2x3x8xf32>) {
  // expected-error @+2 {{'hetc.max_pool2d_backward' op input must be 4-D [N, C, H, W], got 'tensor<2x3x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.max_pool2d_backward %g, %x {kernel_size = array<i64: 2, 2>} : (tensor<2x3x4x4xf32>, tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  return
}

// -----

func.func @max_pool2d_backward_kernel_size(%g: tensor<2x3x4x4xf32>, %x: tensor<2x3x8x8xf32>) {
  // expected-error @+2 {{'hetc.max_pool2d_backward' op 'kernel_size' needs 2 values, got [2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.max_pool2d_backward %g, %x {kernel_size = array<i64: 2>} : (tensor<2x3x4x4xf32>, tensor<2x3x8x8xf32>) -> tensor<2x3x8x8xf32>
  return
}

// -----

func.func @max_pool2d_backward_strides(%g: tensor<2x3x4x4xf32>, %x: tensor<2x3x8x8xf32>) {
  // expected-error @+2 {{'hetc.max_pool2d_backward' op 'strides' values must be >= 1, got [0, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.max_pool2d_backward %g, %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 0, 2>} : (tensor<2x3x4x4xf32>, tensor<2x3x8x8xf32>) -> tensor<2x3x8x8xf32>
  return
}

// -----

func.func @max_pool2d_backward_padding(%g: tensor<2x3x4x4xf32>, %x: tensor<2x3x8x8xf32>) {
  // expected-error @+2 {{'hetc.max_pool2d_backward' op padding [2, 0, 0, 0] exceeds half the kernel size [2, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.max_pool2d_backward %g, %x {kernel_size = array<i64: 2, 2>, padding = array<i64: 2, 0, 0, 0>} : (tensor<2x3x4x4xf32>, tensor<2x3x8x8xf32>) -> tensor<2x3x8x8xf32>
  return
}

// -----

func.func @max_pool2d_backward_window(%g: tensor<2x3x4x4xf32>, %x: tensor<2x3x8x8xf32>) {
  // expected-error @+2 {{'hetc.max_pool2d_backward' op the height window (9) is larger than the padded input (8)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.max_pool2d_backward %g, %x {kernel_size = array<i64: 9, 2>} : (tensor<2x3x4x4xf32>, tensor<2x3x8x8xf32>) -> tensor<2x3x8x8xf32>
  return
}

// -----

func.func @max_pool2d_backward_grad_type(%g: tensor<2x3x3x3xf32>, %x: tensor<2x3x8x8xf32>) {
  // expected-error @+2 {{'hetc.max_pool2d_backward' op grad_output has type 'tensor<2x3x3x3xf32>' but the forward op produces 'tensor<2x3x4x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.max_pool2d_backward %g, %x {kernel_size = array<i64: 2, 2>} : (tensor<2x3x3x3xf32>, tensor<2x3x8x8xf32>) -> tensor<2x3x8x8xf32>
  return
}

// -----

func.func @max_pool2d_backward_kernel_missing(%g: tensor<2x3x4x4xf32>, %x: tensor<2x3x8x8xf32>) {
  // expected-error @+1 {{'hetc.max_pool2d_backward' op requires attribute 'kernel_size'}}
  %0 = hetc.max_pool2d_backward %g, %x : (tensor<2x3x4x4xf32>, tensor<2x3x8x8xf32>) -> tensor<2x3x8x8xf32>
  return
}

// -----

func.func @avg_pool2d_backward_result_type(%g: tensor<2x3x4x4xf32>, %x: tensor<2x3x8x8xf32>) {
  // expected-error @+2 {{'hetc.avg_pool2d_backward' op inferred type(s) 'tensor<2x3x8x8xf32>' are incompatible with return type(s) of operation 'tensor<2x3x4x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.avg_pool2d_backward %g, %x {kernel_size = array<i64: 2, 2>} : (tensor<2x3x4x4xf32>, tensor<2x3x8x8xf32>) -> tensor<2x3x4x4xf32>
  return
}

// -----

func.func @avg_pool2d_backward_grad_type(%g: tensor<2x3x4x4xf32>, %x: tensor<2x3x8x8xf32>) {
  // expected-error @+2 {{'hetc.avg_pool2d_backward' op grad_output has type 'tensor<2x3x4x4xf32>' but the forward op produces 'tensor<2x3x2x2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.avg_pool2d_backward %g, %x {kernel_size = array<i64: 3, 3>} : (tensor<2x3x4x4xf32>, tensor<2x3x8x8xf32>) -> tensor<2x3x8x8xf32>
  return
}

// -----

func.func @embedding_backward_table_rank(%g: tensor<2x3x4xf32>, %ids: tensor<2x3xi64>, %t: tensor<10xf32>) {
  // expected-error @+2 {{'hetc.embedding_backward' op table must be 2-D [V, D], got 'tensor<10xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.embedding_backward %g, %ids, %t : (tensor<2x3x4xf32>, tensor<2x3xi64>, tensor<10xf32>) -> tensor<10xf32>
  return
}

// -----

func.func @embedding_backward_grad_type(%g: tensor<2x3x5xf32>, %ids: tensor<2x3xi64>, %t: tensor<10x4xf32>) {
  // expected-error @+2 {{'hetc.embedding_backward' op grad_output has type 'tensor<2x3x5xf32>' but the forward op produces 'tensor<2x3x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.embedding_backward %g, %ids, %t : (tensor<2x3x5xf32>, tensor<2x3xi64>, tensor<10x4xf32>) -> tensor<10x4xf32>
  return
}

// -----

func.func @embedding_backward_float_indices(%g: tensor<2x3x4xf32>, %ids: tensor<2x3xf32>, %t: tensor<10x4xf32>) {
  // expected-error @+1 {{'hetc.embedding_backward' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer, but got 'tensor<2x3xf32>'}}
  %0 = hetc.embedding_backward %g, %ids, %t : (tensor<2x3x4xf32>, tensor<2x3xf32>, tensor<10x4xf32>) -> tensor<10x4xf32>
  return
}

// -----

func.func @slice_backward_entries(%g: tensor<4x3xf32>, %x: tensor<4x8xf32>) {
  // expected-error @+2 {{'hetc.slice_backward' op offsets, sizes and strides need one entry per input dimension (2), got 1, 2 and 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.slice_backward %g, %x offsets [0] sizes [4, 3] strides [1, 1] : (tensor<4x3xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @slice_backward_stride(%g: tensor<4x3xf32>, %x: tensor<4x8xf32>) {
  // expected-error @+2 {{'hetc.slice_backward' op dimension 1: offset must be >= 0, size and stride >= 1 (got offset 0, size 3, stride 0)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.slice_backward %g, %x offsets [0, 0] sizes [4, 3] strides [1, 0] : (tensor<4x3xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @slice_backward_window(%g: tensor<4x3xf32>, %x: tensor<4x8xf32>) {
  // expected-error @+2 {{'hetc.slice_backward' op dimension 1: the window reaches index 8 but the input size is 8}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.slice_backward %g, %x offsets [0, 4] sizes [4, 3] strides [1, 2] : (tensor<4x3xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @slice_backward_grad_type(%g: tensor<4x2xf32>, %x: tensor<4x8xf32>) {
  // expected-error @+2 {{'hetc.slice_backward' op grad has type 'tensor<4x2xf32>' but the forward op produces 'tensor<4x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.slice_backward %g, %x offsets [0, 0] sizes [4, 3] strides [1, 1] : (tensor<4x2xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @slice_backward_result_type(%g: tensor<4x3xf32>, %x: tensor<4x8xf32>) {
  // expected-error @+2 {{'hetc.slice_backward' op inferred type(s) 'tensor<4x8xf32>' are incompatible with return type(s) of operation 'tensor<4x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.slice_backward %g, %x offsets [0, 0] sizes [4, 3] strides [1, 1] : (tensor<4x3xf32>, tensor<4x8xf32>) -> tensor<4x3xf32>
  return
}
