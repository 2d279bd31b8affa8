// hetc-compile's flags for parameter groups, clipping and the NaN/Inf
// guard reach the train step; bad values are refused whatever their
// spelling, before the model is read.
// RUN: hetc-compile %s --emit=hetc --lr=0.1 --weight-decay=1e-4 --param-group='*.bias:weight-decay=0' --param-group='*' --max-grad-norm=2 --nan-guard | FileCheck %s
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: hetc.name = "fc.weight"
// CHECK-SAME: hetc.name = "fc.bias"
// CHECK-SAME: {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 1.000000e-01>, name = "lr"}, hetc.name = "hyper:lr"}
// CHECK-SAME: {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 0.000000e+00>, name = "weight_decay"}, hetc.name = "hyper:weight_decay"}
// CHECK-SAME: {hetc.hyper = {group = 1 : i64, init = #hetc.init<constant, 1.000000e-01>, name = "lr"}, hetc.name = "hyper:group1:lr"}
// CHECK-SAME: {hetc.hyper = {group = 1 : i64, init = #hetc.init<constant, 1.000000e-04>, name = "weight_decay"}, hetc.name = "hyper:group1:weight_decay"}
// CHECK-SAME: {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 2.000000e+00>, name = "max_grad_norm"}, hetc.name = "hyper:max_grad_norm"}
// CHECK-SAME: tensor<f32> {hetc.grad_norm}, tensor<3xf32> {hetc.nonfinite = ["loss", "fc.weight", "fc.bias"]}

// RUN: not hetc-compile %s --lr=-1e0 -o %t 2>&1 | FileCheck %s --check-prefix=LR
// LR: {{^}}hetc-compile: error: lr must be a positive finite number, got '-1e0'
// RUN: not hetc-compile %s --max-grad-norm=nan -o %t 2>&1 | FileCheck %s --check-prefix=CLIP
// CLIP: {{^}}hetc-compile: error: max-grad-norm must be a positive finite number, got 'nan'
// RUN: not hetc-compile %s --param-group='*:momentum=-0.5' -o %t 2>&1 | FileCheck %s --check-prefix=GROUP
// GROUP: {{^}}hetc-compile: error: parameter group '*:momentum=-0.5': momentum must be a finite number >= 0, got '-0.5'
// RUN: not hetc-compile %s --optimizer=adam --param-group='*:momentum=0.9' -o %t 2>&1 | FileCheck %s --check-prefix=GROUP-MOM
// GROUP-MOM: {{^}}hetc-compile: error: parameter group '*:momentum=0.9': momentum applies to sgd, not adam
// RUN: not hetc-compile %s --param-group='*:rate=1' -o %t 2>&1 | FileCheck %s --check-prefix=GROUP-KEY
// GROUP-KEY: {{^}}hetc-compile: error: parameter group '*:rate=1': unknown key 'rate' (known: lr, weight-decay, momentum, beta1, beta2, eps)
// RUN: not hetc-compile %s --accumulate=1.5 -o %t 2>&1 | FileCheck %s --check-prefix=ACCUM
// ACCUM: {{^}}hetc-compile: error: accumulate must be a whole number from 1 to 2^24, got '1.5'
// RUN: hetc-compile %s --emit=hetc --accumulate=2 | FileCheck %s --check-prefix=ACCUM-IR
// ACCUM-IR: kind = "micro_step"
// RUN: not hetc-compile %s --param-group='a,b' -o %t 2>&1 | FileCheck %s --check-prefix=GROUP-COMMA
// GROUP-COMMA: {{^}}hetc-compile: error: --param-group 'a,b' contains ',': give one group per --param-group
// RUN: not hetc-compile %s --param-group='*.bias' -o %t 2>&1 | FileCheck %s --check-prefix=GROUP-NONE
// GROUP-NONE: error: parameter 'fc.weight' is in no parameter group (add a group matching it, or '*' last)

func.func @m(%x: tensor<4x3xf32> {hetc.input, hetc.name = "x"},
             %y: tensor<4xi32> {hetc.label, hetc.name = "y"},
             %w: tensor<2x3xf32> {hetc.param = #hetc.init<uniform, 0.5>, hetc.name = "fc.weight"},
             %b: tensor<2xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "fc.bias"})
    -> tensor<f32> {
  %h = hetc.matmul %x, %w transpose_rhs : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  %l = hetc.add %h, %b : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %loss = hetc.cross_entropy %l, %y : (tensor<4x2xf32>, tensor<4xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}
