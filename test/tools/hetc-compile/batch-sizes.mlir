// --batch-sizes=4,3: the main entries for 4 rows and a rebatched variant of
// each for 3 rows, eval from the eval-mode function; the variants name the
// same state.
// RUN: hetc-compile %s --batch-sizes=4,3 --emit=hetc | FileCheck %s
// The first size need not be the model's own.
// RUN: hetc-compile %s --batch-sizes=2 --emit=hetc | FileCheck %s --check-prefix=MAIN
// RUN: not hetc-compile %s --batch-sizes=4,x -o %t.hetc 2>&1 | FileCheck %s --check-prefix=TEXT
// RUN: not hetc-compile %s --batch-sizes=4,4 -o %t.hetc 2>&1 | FileCheck %s --check-prefix=TWICE
// RUN: not hetc-compile %s --batch-sizes=0 -o %t.hetc 2>&1 | FileCheck %s --check-prefix=ZERO

// CHECK: module attributes {hetc.entries = ["train_step", "eval", "train_step_b3", "eval_b3"], hetc.signature = "{{.*}}entry 13:train_step_b3 10:train_step 24:hetc_entry_train_step_b3\0A
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: tensor<4x3xf32> {hetc.input, hetc.name = "x"}
// CHECK-LABEL: func.func @eval(
// CHECK-SAME: tensor<4x3xf32> {hetc.input, hetc.name = "x"}
// CHECK-LABEL: func.func @train_step_b3(
// CHECK-SAME: tensor<3xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "running_mean"}
// CHECK-SAME: tensor<3x3xf32> {hetc.input, hetc.name = "x"}
// CHECK-SAME: tensor<3x2xf32> {hetc.label, hetc.name = "y"}
// CHECK: hetc.reduce_mean %{{.*}} [0] : tensor<3x3xf32> -> tensor<3xf32>
// CHECK-LABEL: func.func @eval_b3(
// CHECK-SAME: tensor<3x3xf32> {hetc.input, hetc.name = "x"}
// CHECK-SAME: -> (tensor<f32>, tensor<3x2xf32>)

// MAIN: module attributes {hetc.entries = ["train_step", "eval"], hetc.signature =
// MAIN: func.func @train_step(
// MAIN-SAME: tensor<2x3xf32> {hetc.input, hetc.name = "x"}

// TEXT: hetc-compile: error: --batch-sizes takes positive integers separated by commas, got '4,x'
// TWICE: hetc-compile: error: --batch-sizes: batch size 4 is listed twice
// ZERO: hetc-compile: error: --batch-sizes: batch sizes must be positive integers, got 0

func.func @model(%x: tensor<4x3xf32> {hetc.input, hetc.name = "x"},
                 %rm: tensor<3xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "running_mean"},
                 %w: tensor<2x3xf32> {hetc.param = #hetc.init<uniform, 0.5>, hetc.name = "w"},
                 %y: tensor<4x2xf32> {hetc.label, hetc.name = "y"})
    -> (tensor<f32>, tensor<3xf32> {hetc.buffer_update = 1 : i64}, tensor<4x2xf32>) {
  %mean = hetc.reduce_mean %x [0] : tensor<4x3xf32> -> tensor<3xf32>
  %xc = hetc.sub %x, %mean : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %o = hetc.matmul %xc, %w transpose_rhs : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  %loss = hetc.mse %o, %y : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<f32>
  %c = arith.constant dense<0.9> : tensor<f32>
  %keep = hetc.mul %rm, %c : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %new = hetc.add %keep, %mean : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %loss, %new, %o : tensor<f32>, tensor<3xf32>, tensor<4x2xf32>
}

func.func @model_eval(%x: tensor<4x3xf32> {hetc.input, hetc.name = "x"},
                      %rm: tensor<3xf32> {hetc.buffer = #hetc.init<zeros>, hetc.name = "running_mean"},
                      %w: tensor<2x3xf32> {hetc.param = #hetc.init<uniform, 0.5>, hetc.name = "w"},
                      %y: tensor<4x2xf32> {hetc.label, hetc.name = "y"})
    -> (tensor<f32>, tensor<4x2xf32>) attributes {hetc.eval_of = "model"} {
  %xc = hetc.sub %x, %rm : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %o = hetc.matmul %xc, %w transpose_rhs : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  %loss = hetc.mse %o, %y : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<f32>
  return %loss, %o : tensor<f32>, tensor<4x2xf32>
}
