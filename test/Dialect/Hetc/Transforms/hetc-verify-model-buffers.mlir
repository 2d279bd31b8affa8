// RUN: hetc-opt %s --hetc-verify-model --split-input-file --verify-diagnostics | FileCheck %s

// A model with buffers and buffer updates, and an eval-mode function that
// omits an input (the dropout seed) and the buffer update, pass unchanged.
// CHECK-LABEL: func.func @bn
// CHECK-SAME: hetc.buffer = #hetc.init<zeros>
// CHECK-SAME: {hetc.buffer_update = 2 : i64}
// CHECK-LABEL: func.func @bn_eval
// CHECK-SAME: attributes {hetc.eval_of = "bn"}
func.func @bn(%x: tensor<4x3xf32> {hetc.input, hetc.name = "x"},
              %seed: tensor<i64> {hetc.input, hetc.name = "seed"},
              %rm: tensor<3xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "rm"},
              %w: tensor<3xf32> {hetc.param = #hetc.init<ones>, hetc.name = "w"})
    -> (tensor<f32>, tensor<3xf32> {hetc.buffer_update = 2 : i64}) {
  %d = hetc.dropout %x, %seed {p = 0.1 : f64} : (tensor<4x3xf32>, tensor<i64>) -> tensor<4x3xf32>
  %m = hetc.reduce_mean %d [0] : tensor<4x3xf32> -> tensor<3xf32>
  %s = hetc.mul %m, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %l = hetc.reduce_sum %s [0] : tensor<3xf32> -> tensor<f32>
  return %l, %m : tensor<f32>, tensor<3xf32>
}
func.func @bn_eval(%w: tensor<3xf32> {hetc.param = #hetc.init<ones>, hetc.name = "w"},
                   %x: tensor<4x3xf32> {hetc.input, hetc.name = "x"},
                   %rm: tensor<3xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "rm"})
    -> tensor<f32> attributes {hetc.eval_of = "bn"} {
  %s = hetc.mul %rm, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %l = hetc.reduce_sum %s [0] : tensor<3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Two arguments of one name would silently share one session tensor.
func.func @dup(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "w"},
               // expected-error @+1 {{argument #1 of model 'dup' is named 'w' like argument #0}}
               %v: tensor<4xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "w"}) -> tensor<f32> {
  %l = hetc.mse %v, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A hetc.name may not take an unnamed argument's default name either.
func.func @dup_default(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                       // expected-error @+1 {{argument #1 of model 'dup_default' is named 'param0' like argument #0}}
                       %v: tensor<4xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "param0"}) -> tensor<f32> {
  %l = hetc.mse %v, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op result #1 of model 'not_buffer': hetc.buffer_update = 0 does not name a hetc.buffer argument}}
func.func @not_buffer(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>})
    -> (tensor<f32>, tensor<4xf32> {hetc.buffer_update = 0 : i64}) {
  %l = hetc.mse %w, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l, %w : tensor<f32>, tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op result #1 of model 'out_of_range': hetc.buffer_update = 7 does not name a hetc.buffer argument}}
func.func @out_of_range(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>})
    -> (tensor<f32>, tensor<4xf32> {hetc.buffer_update = 7 : i64}) {
  %l = hetc.mse %w, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l, %w : tensor<f32>, tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op result #1 of model 'wrong_type': has type 'tensor<3xf32>' but the buffer it updates (argument #1) has type 'tensor<4xf32>'}}
func.func @wrong_type(%w: tensor<3xf32> {hetc.param = #hetc.init<zeros>},
                      %b: tensor<4xf32> {hetc.buffer = #hetc.init<zeros>})
    -> (tensor<f32>, tensor<3xf32> {hetc.buffer_update = 1 : i64}) {
  %l = hetc.mse %w, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  return %l, %w : tensor<f32>, tensor<3xf32>
}

// -----

// expected-error @+1 {{'func.func' op result #2 of model 'twice': updates buffer argument #1 again (result #1 already does)}}
func.func @twice(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                 %b: tensor<4xf32> {hetc.buffer = #hetc.init<zeros>})
    -> (tensor<f32>, tensor<4xf32> {hetc.buffer_update = 1 : i64},
        tensor<4xf32> {hetc.buffer_update = 1 : i64}) {
  %l = hetc.mse %w, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l, %w, %w : tensor<f32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op result #0 of model 'loss_update': the loss cannot be a buffer update; buffer updates come after the loss}}
func.func @loss_update(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                       %b: tensor<f32> {hetc.buffer = #hetc.init<zeros>})
    -> (tensor<f32> {hetc.buffer_update = 1 : i64}) {
  %l = hetc.mse %w, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op result #1 of model 'not_int': 'hetc.buffer_update' must be an integer argument index}}
func.func @not_int(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                   %b: tensor<4xf32> {hetc.buffer = #hetc.init<zeros>})
    -> (tensor<f32>, tensor<4xf32> {hetc.buffer_update = "b"}) {
  %l = hetc.mse %w, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l, %w : tensor<f32>, tensor<4xf32>
}

// -----

func.func @m(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "w"},
             %b: tensor<4xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "b"}) -> tensor<f32> {
  %l = hetc.mse %w, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
func.func @m_eval(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "w"},
                  // expected-error @+1 {{argument #1 of eval-mode function 'm_eval' is named 'c', which no argument of model 'm' is}}
                  %c: tensor<4xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "c"}) -> tensor<f32>
    attributes {hetc.eval_of = "m"} {
  %l = hetc.mse %w, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

func.func @m(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "w"},
             %b: tensor<4xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "b"}) -> tensor<f32> {
  %l = hetc.mse %w, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
func.func @m_eval(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "w"},
                  // expected-error @+1 {{argument #1 ('b') of eval-mode function 'm_eval' is hetc.param but it is hetc.buffer in model 'm'}}
                  %b: tensor<4xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "b"}) -> tensor<f32>
    attributes {hetc.eval_of = "m"} {
  %l = hetc.mse %w, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

func.func @m(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "w"},
             %b: tensor<4xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "b"}) -> tensor<f32> {
  %l = hetc.mse %w, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
func.func @m_eval(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "w"},
                  // expected-error @+1 {{argument #1 ('b') of eval-mode function 'm_eval' is 'tensor<2x2xf32>' {hetc.buffer = #hetc.init<zeros>} but model 'm' has 'tensor<4xf32>' {hetc.buffer = #hetc.init<zeros>}}}
                  %b: tensor<2x2xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "b"}) -> tensor<f32>
    attributes {hetc.eval_of = "m"} {
  %l = hetc.mse %b, %b : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

func.func @m(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "w"}) -> tensor<f32> {
  %l = hetc.mse %w, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
func.func @m_eval(%w: tensor<4xf32> {hetc.param = #hetc.init<ones>, hetc.name = "w"}) -> tensor<f32>
    // expected-error @-1 {{argument #0 ('w') of eval-mode function 'm_eval' is 'tensor<4xf32>' {hetc.param = #hetc.init<ones>} but model 'm' has 'tensor<4xf32>' {hetc.param = #hetc.init<zeros>}}}
    attributes {hetc.eval_of = "m"} {
  %l = hetc.mse %w, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

func.func @m(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %l = hetc.mse %w, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
func.func @m_eval(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32>
    attributes {hetc.eval_of = "m"} {
  %l = hetc.mse %w, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
// expected-error @+1 {{'func.func' op is a second eval-mode function of model 'm' ('m_eval' is the first)}}
func.func @m_eval2(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32>
    attributes {hetc.eval_of = "m"} {
  %l = hetc.mse %w, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

func.func @m(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %l = hetc.mse %w, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
// expected-error @+1 {{'func.func' op 'hetc.eval_of' must name a model function of the module}}
func.func @orphan(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32>
    attributes {hetc.eval_of = "nope"} {
  %l = hetc.mse %w, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

func.func @m(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %l = hetc.mse %w, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
// The eval-mode function keeps the contract: loss first, every argument a role.
// expected-error @+1 {{'func.func' op eval-mode function 'm_eval' must return its loss as the first result}}
func.func @m_eval(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                  // expected-error @+1 {{argument #1 of eval-mode function 'm_eval' has no role}}
                  %z: tensor<4xf32>) -> tensor<4xf32>
    attributes {hetc.eval_of = "m"} {
  return %w : tensor<4xf32>
}
