// RUN: hetc-opt %s --hetc-rebatch="batch-size=29" -split-input-file -verify-diagnostics

// Flattening the batch into the features leaves no dimension of the batch.
func.func @folds(%x: tensor<64x8xf32> {hetc.input},
                 %w: tensor<512xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  // expected-error @+1 {{'hetc.reshape' op cannot rebatch: it folds the batch dimension (axis 0 of [64, 8]) into [512], which keeps no dimension of the batch's size 64}}
  %f = hetc.reshape %x [512] : tensor<64x8xf32> -> tensor<512xf32>
  %a = hetc.add %f, %w : (tensor<512xf32>, tensor<512xf32>) -> tensor<512xf32>
  %l = hetc.reduce_sum %a [0] : tensor<512xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Taking some rows of the batch depends on the batch size.
func.func @some_rows(%x: tensor<64x8xf32> {hetc.input},
                     %w: tensor<8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %a = hetc.add %x, %w : (tensor<64x8xf32>, tensor<8xf32>) -> tensor<64x8xf32>
  // expected-error @+1 {{'hetc.slice' op cannot rebatch: it takes 32 of the batch's 64 rows (offset 0, stride 1) on axis 0}}
  %s = hetc.slice %a offsets [0, 0] sizes [32, 8] strides [1, 1] : tensor<64x8xf32> -> tensor<32x8xf32>
  %l = hetc.reduce_sum %s [0, 1] : tensor<32x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A batch-sized constant cannot follow: the add no longer type-checks.
func.func @constant(%x: tensor<64x8xf32> {hetc.input},
                    %w: tensor<8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %c = arith.constant dense<1.0> : tensor<64x8xf32>
  %a = hetc.add %x, %w : (tensor<64x8xf32>, tensor<8xf32>) -> tensor<64x8xf32>
  // expected-error @+2 {{cannot rebatch 'hetc.mul' from 64 to 29 rows: its operands no longer fit (see above)}}
  // expected-error @+1 {{operand shapes [29, 8] and [64, 8] are not broadcast-compatible}}
  %m = hetc.mul %a, %c : (tensor<64x8xf32>, tensor<64x8xf32>) -> tensor<64x8xf32>
  %l = hetc.reduce_sum %m [0, 1] : tensor<64x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Inputs that disagree on the batch.
func.func @mixed(%x: tensor<64x8xf32> {hetc.input, hetc.name = "x"},
                 // expected-error @+1 {{cannot rebatch 'mixed': 'y' has 32 rows but 'x' has 64 (every input and label leads with the batch)}}
                 %y: tensor<32xf32> {hetc.label, hetc.name = "y"},
                 %w: tensor<8xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %a = hetc.add %x, %w : (tensor<64x8xf32>, tensor<8xf32>) -> tensor<64x8xf32>
  %l = hetc.reduce_sum %a [0, 1] : tensor<64x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}
