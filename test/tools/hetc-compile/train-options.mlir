// The optimizer flags reach hetc-train-step through the typed TrainOptions:
// a given value is used, an option not given takes the optimizer's default
// (lr 0.01 for sgd, 0.001 for adam and adamw; weight decay 0.01 for adamw).
// RUN: hetc-compile %s --emit=hetc | FileCheck %s --check-prefix=SGD
// RUN: hetc-compile %s --optimizer=adam --lr=0.05 --beta2=0.99 --emit=hetc | FileCheck %s --check-prefix=ADAM
// RUN: hetc-compile %s --optimizer=adamw --emit=hetc | FileCheck %s --check-prefix=ADAMW
// RUN: hetc-compile %s --momentum=0.9 --nesterov=true --max-grad-norm=2 --accumulate=4 --nan-guard --emit=hetc | FileCheck %s --check-prefix=FLAGS

// SGD: hetc.optimizer = {{{.*}}lr = 1.000000e-02 : f64, {{.*}}momentum = 0.000000e+00 : f64, name = "sgd", nesterov = false, weight_decay = 0.000000e+00 : f64}
// ADAM: hetc.optimizer = {beta1 = 9.000000e-01 : f64, beta2 = 0.98999999999999999 : f64, {{.*}}lr = 5.000000e-02 : f64, name = "adam", weight_decay = 0.000000e+00 : f64}
// ADAMW: hetc.optimizer = {{{.*}}lr = 1.000000e-03 : f64, name = "adamw", weight_decay = 1.000000e-02 : f64}
// FLAGS: hetc.optimizer = {accumulate = 4 : i64, {{.*}}max_grad_norm = 2.000000e+00 : f64, momentum = 9.000000e-01 : f64, name = "sgd", nan_guard = true, nesterov = true,

func.func @mlp(%x: tensor<8x16xf32> {hetc.input, hetc.name = "x"},
               %labels: tensor<8xi32> {hetc.label, hetc.name = "labels"},
               %w: tensor<4x16xf32> {hetc.param = #hetc.init<uniform, 0.25>, hetc.name = "w"})
    -> tensor<f32> {
  %logits = hetc.matmul %x, %w transpose_rhs
      : (tensor<8x16xf32>, tensor<4x16xf32>) -> tensor<8x4xf32>
  %loss = hetc.cross_entropy %logits, %labels
      : (tensor<8x4xf32>, tensor<8xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}
