// RUN: hetc-opt %s -split-input-file -verify-diagnostics

// One case per verifier error of the ops of HetcOpsExtra.td.

func.func @abs_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'hetc.abs' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type, but got 'tensor<4xi32>'}}
  %0 = hetc.abs %a : tensor<4xi32>
  return
}

// -----

func.func @clamp_no_bound(%x: tensor<4xf32>) {
  // expected-error @+1 {{'hetc.clamp' op needs a min or a max bound (or both)}}
  %0 = hetc.clamp %x : tensor<4xf32>
  return
}

// -----

func.func @clamp_nan_bound(%x: tensor<4xf32>) {
  // expected-error @+1 {{'hetc.clamp' op max bound is NaN}}
  %0 = hetc.clamp %x {max = 0x7FF8000000000000 : f64} : tensor<4xf32>
  return
}

// -----

func.func @where_value_types(%c: tensor<4xf32>, %a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+2 {{'hetc.where' op lhs and rhs have different element types ('f32' vs 'f16')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.where %c, %a, %b : (tensor<4xf32>, tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @where_values_broadcast(%c: tensor<4xf32>, %a: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'hetc.where' op lhs [3] and rhs [4] are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.where %c, %a, %b : (tensor<4xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @where_condition_broadcast(%c: tensor<3x1xi1>, %a: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+2 {{'hetc.where' op condition [3, 1] is not broadcast-compatible with the values' shape [4, 8]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.where %c, %a, %b : (tensor<3x1xi1>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @where_integer_condition(%c: tensor<4xi32>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'hetc.where' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type or 1-bit signless integer, but got 'tensor<4xi32>'}}
  %0 = hetc.where %c, %a, %a : (tensor<4xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @where_wrong_result(%c: tensor<4xi1>, %a: tensor<4xf32>) {
  // expected-error @+2 {{'hetc.where' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<1x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.where %c, %a, %a : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @cast_shape(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'hetc.cast' op changes the shape from [4, 8] to [32]; it converts element types only}}
  %0 = hetc.cast %x : tensor<4x8xf32> -> tensor<32xi32>
  return
}

// -----

func.func @cast_unsupported(%x: tensor<4xf32>) {
  // expected-error @+1 {{'hetc.cast' op result #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type or 32-bit signless integer or 64-bit signless integer, but got 'tensor<4xi8>'}}
  %0 = hetc.cast %x : tensor<4xf32> -> tensor<4xi8>
  return
}

// -----

func.func @gather_axis(%x: tensor<4x8xf32>, %i: tensor<3xi64>) {
  // expected-error @+2 {{'hetc.gather' op axis 2 is out of range for a rank-2 tensor (valid: [-2, 1])}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.gather %x, %i axis 2 : (tensor<4x8xf32>, tensor<3xi64>) -> tensor<4x3xf32>
  return
}

// -----

func.func @gather_rank0(%x: tensor<f32>, %i: tensor<3xi64>) {
  // expected-error @+2 {{'hetc.gather' op axis 0 is out of range for a rank-0 tensor, which has no axes}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.gather %x, %i axis 0 : (tensor<f32>, tensor<3xi64>) -> tensor<3xf32>
  return
}

// -----

func.func @gather_float_indices(%x: tensor<4x8xf32>, %i: tensor<3xf32>) {
  // expected-error @+1 {{'hetc.gather' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer, but got 'tensor<3xf32>'}}
  %0 = hetc.gather %x, %i axis 0 : (tensor<4x8xf32>, tensor<3xf32>) -> tensor<3x8xf32>
  return
}

// -----

func.func @gather_wrong_result(%x: tensor<4x8xf32>, %i: tensor<2x3xi32>) {
  // expected-error @+2 {{'hetc.gather' op inferred type(s) 'tensor<4x2x3xf32>' are incompatible with return type(s) of operation 'tensor<4x6xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.gather %x, %i axis 1 : (tensor<4x8xf32>, tensor<2x3xi32>) -> tensor<4x6xf32>
  return
}

// -----

func.func @gather_backward_grad(%g: tensor<4x3xf32>, %i: tensor<2xi64>, %x: tensor<4x8xf32>) {
  // expected-error @+2 {{'hetc.gather_backward' op grad_output has type 'tensor<4x3xf32>' but the forward op produces 'tensor<4x2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.gather_backward %g, %i, %x axis 1 : (tensor<4x3xf32>, tensor<2xi64>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @cumsum_axis(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'hetc.cumsum' op axis -3 is out of range for a rank-2 tensor (valid: [-2, 1])}}
  %0 = hetc.cumsum %x axis -3 : tensor<4x8xf32>
  return
}

// -----

func.func @reduce_min_axis(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'hetc.reduce_min' op axis -1 is listed more than once}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reduce_min %x [1, -1] : tensor<4x8xf32> -> tensor<4xf32>
  return
}
