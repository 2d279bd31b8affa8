// RUN: hetc-opt %s -split-input-file -verify-diagnostics

// One case per verifier error of the hetc ops and attributes.

func.func @f(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+2 {{lhs and rhs have different element types ('f32' vs 'f16')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.add %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @f(%a: tensor<4x8xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{operand shapes [4, 8] and [3] are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.add %a, %b : (tensor<4x8xf32>, tensor<3xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @f(%a: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<4x8xf32>' are incompatible with return type(s) of operation 'tensor<4x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.mul %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @f(%a: tensor<?x8xf32>) {
  // expected-error @+1 {{must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type}}
  %0 = hetc.relu %a : tensor<?x8xf32>
  return
}

// -----

func.func @f(%a: tensor<4xi32>) {
  // expected-error @+1 {{must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type, but got 'tensor<4xi32>'}}
  %0 = hetc.exp %a : tensor<4xi32>
  return
}

// -----

func.func @f(%a: tensor<8xf32>, %b: tensor<8x4xf32>) {
  // expected-error @+2 {{operands must have rank >= 2, got lhs rank 1 and rhs rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.matmul %a, %b : (tensor<8xf32>, tensor<8x4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @f(%a: tensor<8x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{contraction dimensions differ: lhs [8, 3] has K = 3 but rhs [4, 5] has K = 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.matmul %a, %b : (tensor<8x3xf32>, tensor<4x5xf32>) -> tensor<8x5xf32>
  return
}

// -----

func.func @f(%a: tensor<8x3xf32>, %b: tensor<5x4xf32>) {
  // expected-error @+2 {{contraction dimensions differ: lhs [8, 3] has K = 3 but rhs [5, 4] has K = 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.matmul %a, %b transpose_rhs : (tensor<8x3xf32>, tensor<5x4xf32>) -> tensor<8x5xf32>
  return
}

// -----

func.func @f(%a: tensor<2x8x3xf32>, %b: tensor<3x3x4xf32>) {
  // expected-error @+2 {{batch dimensions [2] and [3] are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.matmul %a, %b : (tensor<2x8x3xf32>, tensor<3x3x4xf32>) -> tensor<2x8x4xf32>
  return
}

// -----

func.func @f(%a: tensor<8x3xf32>, %b: tensor<3x4xf16>) {
  // expected-error @+2 {{lhs and rhs have different element types ('f32' vs 'f16')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.matmul %a, %b : (tensor<8x3xf32>, tensor<3x4xf16>) -> tensor<8x4xf32>
  return
}

// -----

func.func @f(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{needs at least one axis to reduce}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reduce_sum %a [] : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @f(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{axis 2 is out of range for a rank-2 tensor (valid: [-2, 1])}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reduce_max %a [2] : tensor<4x8xf32> -> tensor<4xf32>
  return
}

// -----

func.func @f(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{axis -1 is listed more than once}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reduce_mean %a [1, -1] : tensor<4x8xf32> -> tensor<4xf32>
  return
}

// -----

func.func @f(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'hetc.softmax' op axis -3 is out of range for a rank-2 tensor (valid: [-2, 1])}}
  %0 = hetc.softmax %a axis -3 : tensor<4x8xf32>
  return
}

// -----

func.func @f(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'hetc.log_softmax' op axis 2 is out of range}}
  %0 = hetc.log_softmax %a axis 2 : tensor<4x8xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{shape [-1, -1] has more than one -1 (inferred) dimension}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reshape %a [-1, -1] : tensor<2x3x4xf32> -> tensor<4x6xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{shape [0, 24] has invalid dimension 0 (dimensions are positive, or -1 to infer one)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reshape %a [0, 24] : tensor<2x3x4xf32> -> tensor<0x24xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{cannot infer the -1 dimension of [5, -1]: 24 elements are not divisible by 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reshape %a [5, -1] : tensor<2x3x4xf32> -> tensor<5x5xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{shape [5] has 5 elements but the input [2, 3] has 6}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.reshape %a [5] : tensor<2x3xf32> -> tensor<5xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{permutation [0] has 1 entries but the input has rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.transpose %a [0] : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{permutation [0, 2] has entry 2 outside [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.transpose %a [0, 2] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{permutation [1, 1] repeats dimension 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.transpose %a [1, 1] : tensor<2x3xf32> -> tensor<3x3xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{cannot broadcast [2, 3] to the lower-rank shape [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.broadcast_to %a [3] : tensor<2x3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @f(%a: tensor<3xf32>) {
  // expected-error @+2 {{target shape [0, 3] has non-positive dimension 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.broadcast_to %a [0, 3] : tensor<3xf32> -> tensor<0x3xf32>
  return
}

// -----

func.func @f(%a: tensor<2xf32>) {
  // expected-error @+2 {{cannot broadcast [2] to [4, 3]: input dimension 0 has size 2 but the target has 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.broadcast_to %a [4, 3] : tensor<2xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @f() {
  // expected-error @+2 {{needs at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.concat axis 0 : () -> tensor<4xf32>
  return
}

// -----

func.func @f(%a: tensor<f32>) {
  // expected-error @+2 {{cannot concatenate 0-d tensors}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.concat %a axis 0 : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @f(%a: tensor<4x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{input #1 has rank 1 but input #0 has rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.concat %a, %b axis 1 : (tensor<4x3xf32>, tensor<4xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @f(%a: tensor<4x3xf32>, %b: tensor<5x3xf32>) {
  // expected-error @+2 {{input #1 [5, 3] differs from input #0 [4, 3] in dimension 0, which is not the concatenation axis}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.concat %a, %b axis 1 : (tensor<4x3xf32>, tensor<5x3xf32>) -> tensor<4x6xf32>
  return
}

// -----

func.func @f(%a: tensor<4x3xf32>, %b: tensor<4x3xf16>) {
  // expected-error @+2 {{input #0 and input #1 have different element types ('f32' vs 'f16')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.concat %a, %b axis 0 : (tensor<4x3xf32>, tensor<4x3xf16>) -> tensor<8x3xf32>
  return
}

// -----

func.func @f(%a: tensor<4x3xf32>) {
  // expected-error @+2 {{axis 2 is out of range for a rank-2 tensor}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.concat %a, %a axis 2 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x6xf32>
  return
}

// -----

func.func @f(%a: tensor<4x5xf32>) {
  // expected-error @+2 {{offsets, sizes and strides need one entry per input dimension (2), got 1, 2 and 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.slice %a offsets [0] sizes [2, 2] strides [1, 1] : tensor<4x5xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @f(%a: tensor<4x5xf32>) {
  // expected-error @+2 {{dimension 0: offset must be >= 0, size and stride >= 1 (got offset -1, size 2, stride 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.slice %a offsets [-1, 0] sizes [2, 2] strides [1, 1] : tensor<4x5xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @f(%a: tensor<4x5xf32>) {
  // expected-error @+2 {{dimension 1: the window reaches index 5 but the input size is 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.slice %a offsets [0, 1] sizes [2, 3] strides [1, 2] : tensor<4x5xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%x: tensor<4x16x16xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{input must be 4-D [N, C, H, W], got 'tensor<4x16x16xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w : (tensor<4x16x16xf32>, tensor<6x4x3x3xf32>) -> tensor<4x6x14x14xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x16x16xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+2 {{weight must be 4-D [F, C/groups, KH, KW], got 'tensor<6x4x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w : (tensor<2x4x16x16xf32>, tensor<6x4x3xf32>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x16x16xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{'strides' needs 2 values, got [1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w {strides = array<i64: 1>} : (tensor<2x4x16x16xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x16x16xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{'dilation' values must be >= 1, got [0, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w {dilation = array<i64: 0, 1>} : (tensor<2x4x16x16xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x16x16xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{'padding' values must be >= 0, got [1, -1, 1, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w {padding = array<i64: 1, -1, 1, 1>} : (tensor<2x4x16x16xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x16x16xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{'groups' must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w {groups = 0 : i64} : (tensor<2x4x16x16xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x16x16xf32>, %w: tensor<6x1x3x3xf32>) {
  // expected-error @+2 {{input channels (4) are not divisible by groups (3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w {groups = 3 : i64} : (tensor<2x4x16x16xf32>, tensor<6x1x3x3xf32>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x16x16xf32>, %w: tensor<6x1x3x3xf32>) {
  // expected-error @+2 {{output channels (6) are not divisible by groups (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w {groups = 4 : i64} : (tensor<2x4x16x16xf32>, tensor<6x1x3x3xf32>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x16x16xf32>, %w: tensor<6x3x3x3xf32>) {
  // expected-error @+2 {{weight [6, 3, 3, 3] expects 3 input channels per group, but the input has 4 (4 channels / 1 groups)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w : (tensor<2x4x16x16xf32>, tensor<6x3x3x3xf32>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x16x16xf32>, %w: tensor<6x4x3x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+2 {{bias must have shape [6], got [5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w, %b : (tensor<2x4x16x16xf32>, tensor<6x4x3x3xf32>, tensor<5xf32>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x16x16xf32>, %w: tensor<6x4x3x3xf32>, %b: tensor<6xf16>) {
  // expected-error @+2 {{input and bias have different element types ('f32' vs 'f16')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w, %b : (tensor<2x4x16x16xf32>, tensor<6x4x3x3xf32>, tensor<6xf16>) -> tensor<2x6x14x14xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x4x4xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{the height window (5 with dilation) is larger than the padded input (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.conv2d %x, %w {dilation = array<i64: 2, 1>} : (tensor<2x4x4x4xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x1x2xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x16x16xf32>) {
  // expected-error @+2 {{'kernel_size' needs 2 values, got [2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.max_pool2d %x {kernel_size = array<i64: 2>} : tensor<2x4x16x16xf32> -> tensor<2x4x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x16x16xf32>) {
  // expected-error @+2 {{padding [2, 0, 0, 0] exceeds half the kernel size [2, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.avg_pool2d %x {kernel_size = array<i64: 2, 2>, padding = array<i64: 2, 0, 0, 0>} : tensor<2x4x16x16xf32> -> tensor<2x4x9x8xf32>
  return
}

// -----

func.func @f(%x: tensor<4x16x16xf32>) {
  // expected-error @+2 {{'hetc.max_pool2d' op input must be 4-D [N, C, H, W], got 'tensor<4x16x16xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.max_pool2d %x {kernel_size = array<i64: 2, 2>} : tensor<4x16x16xf32> -> tensor<4x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x1x16xf32>) {
  // expected-error @+2 {{the height window (2 with dilation) is larger than the padded input (1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.max_pool2d %x {kernel_size = array<i64: 2, 2>} : tensor<2x4x1x16xf32> -> tensor<2x4x1x8xf32>
  return
}

// -----

func.func @f(%x: tensor<8xf32>, %g: tensor<8xf32>) {
  // expected-error @+2 {{input must have rank >= 2 [N, C, ...], got 'tensor<8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.batch_norm %x, %g, %g : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4xf32>, %g: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{scale must have shape [4], got [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.batch_norm %x, %g, %b : (tensor<2x4xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4xf32>, %g: tensor<4xf32>) {
  // expected-error @+2 {{epsilon must be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.batch_norm %x, %g, %g {epsilon = 0.0 : f64} : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4xf32>, %g: tensor<2x2x4xf32>) {
  // expected-error @+2 {{scale rank (3) selects the normalized trailing dimensions and must be in [1, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.layer_norm %x, %g, %g : (tensor<2x4xf32>, tensor<2x2x4xf32>, tensor<2x2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4xf32>, %g: tensor<4xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+2 {{bias must have shape [4], got [2, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.layer_norm %x, %g, %b : (tensor<2x4xf32>, tensor<4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%t: tensor<10xf32>, %i: tensor<3xi32>) {
  // expected-error @+2 {{table must be 2-D [V, D], got 'tensor<10xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.embedding %t, %i : (tensor<10xf32>, tensor<3xi32>) -> tensor<3xf32>
  return
}

// -----

func.func @f(%t: tensor<10x4xf32>, %i: tensor<3xf32>) {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer}}
  %0 = hetc.embedding %t, %i : (tensor<10x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %s: tensor<i64>) {
  // expected-error @+1 {{drop probability p must be in [0, 1), got 1}}
  %0 = hetc.dropout %x, %s {p = 1.0 : f64} : (tensor<4xf32>, tensor<i64>) -> tensor<4xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %s: tensor<1xi64>) {
  // expected-error @+1 {{operand #1 must be 0-d tensor of 64-bit signless integer}}
  %0 = hetc.dropout %x, %s {p = 0.5 : f64} : (tensor<4xf32>, tensor<1xi64>) -> tensor<4xf32>
  return
}

// -----

func.func @f(%l: tensor<4x2x3xf32>, %y: tensor<4xi32>) {
  // expected-error @+2 {{logits must be 2-D [N, C], got 'tensor<4x2x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.cross_entropy %l, %y : (tensor<4x2x3xf32>, tensor<4xi32>) -> tensor<f32>
  return
}

// -----

func.func @f(%l: tensor<4x3xf32>, %y: tensor<4x1xi32>) {
  // expected-error @+2 {{labels must be 1-D [N] class indices, got 'tensor<4x1xi32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.cross_entropy %l, %y : (tensor<4x3xf32>, tensor<4x1xi32>) -> tensor<f32>
  return
}

// -----

func.func @f(%l: tensor<4x3xf32>, %y: tensor<3xi32>) {
  // expected-error @+2 {{batch sizes differ: logits have N = 4 but labels have N = 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.cross_entropy %l, %y : (tensor<4x3xf32>, tensor<3xi32>) -> tensor<f32>
  return
}

// -----

func.func @f(%l: tensor<4x3xf32>, %y: tensor<4xi32>) {
  // expected-error @+1 {{result #0 must be 0-d tensor of 32-bit float or 16-bit float or bfloat16 type}}
  %0 = hetc.cross_entropy %l, %y : (tensor<4x3xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

func.func @f(%a: tensor<4x3xf32>, %b: tensor<4x1xf32>) {
  // expected-error @+2 {{input and target must have the same type, got 'tensor<4x3xf32>' and 'tensor<4x1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = hetc.mse %a, %b : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<f32>
  return
}

// -----

// expected-error @+1 {{#hetc.init<uniform> needs a positive scale, got 0}}
func.func @f(%w: tensor<4xf32> {hetc.param = #hetc.init<uniform, 0.0>}) {
  return
}

// -----

// expected-error @+1 {{#hetc.init<normal> needs a positive scale, got -1}}
func.func @f(%w: tensor<4xf32> {hetc.param = #hetc.init<normal, -1.0>}) {
  return
}

// -----

// expected-error @+1 {{#hetc.init<zeros> takes no value}}
func.func @f(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros, 1.0>}) {
  return
}

// -----

// expected-error @+1 {{unknown initializer 'glorot' (expected zeros, ones, constant, uniform or normal)}}
func.func @f(%w: tensor<4xf32> {hetc.param = #hetc.init<glorot>}) {
  return
}

// -----

// expected-error @+1 {{argument #0 has more than one of hetc.param, hetc.input and hetc.label}}
func.func @f(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>, hetc.input}) {
  return
}

// -----

// expected-error @+1 {{argument #0: 'hetc.param' must be a #hetc.init attribute, got 1.000000e+00 : f32}}
func.func @f(%w: tensor<4xf32> {hetc.param = 1.0 : f32}) {
  return
}

// -----

// expected-error @+1 {{argument #0: a parameter must be a statically shaped f32, f16 or bf16 tensor, got 'tensor<4xi32>'}}
func.func @f(%w: tensor<4xi32> {hetc.param = #hetc.init<zeros>}) {
  return
}

// -----

// expected-error @+1 {{argument #0: a parameter must be a statically shaped f32, f16 or bf16 tensor, got 'tensor<?xf32>'}}
func.func @f(%w: tensor<?xf32> {hetc.param = #hetc.init<zeros>}) {
  return
}

// -----

// expected-error @+1 {{argument #0: 'hetc.input' is a unit attribute and takes no value}}
func.func @f(%x: tensor<4xf32> {hetc.input = 1 : i64}) {
  return
}

// -----

// expected-error @+1 {{argument #0: 'hetc.label' must be a statically shaped tensor, got 'tensor<?xi32>'}}
func.func @f(%x: tensor<?xi32> {hetc.label}) {
  return
}

// -----

// expected-error @+1 {{argument #0: unknown hetc argument attribute 'hetc.weight' (expected hetc.param, hetc.input or hetc.label)}}
func.func @f(%x: tensor<4xf32> {hetc.weight}) {
  return
}
