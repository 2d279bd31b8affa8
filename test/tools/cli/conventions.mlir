// Every tool has --help (with defaults) and --version; option errors carry
// no source location and print no pass pipeline.
// RUN: hetc-compile --version | FileCheck %s --check-prefix=VERSION
// RUN: hetc-opt --version | FileCheck %s --check-prefix=VERSION
// RUN: hetc-train --version | FileCheck %s --check-prefix=VERSION
// VERSION: {{^hetc-(compile|opt|train)}}: hetc {{[0-9]+\.[0-9]+\.[0-9]+}} (commit {{[0-9a-f]+|unknown}}), LLVM 22.

// RUN: hetc-compile --help | FileCheck %s --check-prefix=HELP
// HELP: --target=<string> {{.*}}(default: cpu)
// HELP: --lr=<string> {{.*}}(default: 0.01 for sgd, 0.001 for adam and adamw)
// RUN: hetc-train --help | FileCheck %s --check-prefix=TRAIN-HELP
// TRAIN-HELP: --epochs N {{.*}}(default: 10)

// RUN: not hetc-compile %s --target=gpu -o %t 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: {{^}}hetc-compile: error: unknown target 'gpu' (known targets: cpu,

// RUN: not hetc-compile %s --lr=-1 -o %t 2>&1 | FileCheck %s --check-prefix=LR
// RUN: not hetc-compile %s --lr=nan -o %t 2>&1 | FileCheck %s --check-prefix=LR
// RUN: not hetc-compile %s --lr=inf -o %t 2>&1 | FileCheck %s --check-prefix=LR
// RUN: not hetc-compile %s --lr=0x -o %t 2>&1 | FileCheck %s --check-prefix=LR
// LR: {{^}}hetc-compile: error: lr must be a positive finite number, got '
// LR-NOT: pipeline

// RUN: not hetc-compile %s --optimizer=adam --momentum=0.9 -o %t 2>&1 | FileCheck %s --check-prefix=MOM
// MOM: {{^}}hetc-compile: error: momentum applies to sgd, not adam
// RUN: not hetc-compile %s --beta1=0.8 -o %t 2>&1 | FileCheck %s --check-prefix=BETA
// BETA: {{^}}hetc-compile: error: beta1 applies to adam and adamw, not sgd
// RUN: not hetc-compile %s --nesterov=maybe -o %t 2>&1 | FileCheck %s --check-prefix=NEST
// NEST: {{^}}hetc-compile: error: nesterov must be true or false, got 'maybe'
// NEST-NOT: hetc-train-step{
// RUN: not hetc-compile %s --optimizer=adamw --weight-decay=-0.5 -o %t 2>&1 | FileCheck %s --check-prefix=WD
// WD: {{^}}hetc-compile: error: weight-decay must be a finite number >= 0, got '-0.5'

// The pass refuses the same through hetc-opt.
// RUN: not hetc-opt %s --hetc-train-step="optimizer=adam momentum=0.9" 2>&1 | FileCheck %s --check-prefix=PASS
// PASS: error: momentum applies to sgd, not adam

// RUN: not hetc-train %t.missing --eval-only --test-x a.npy --test-y b.npy 2>&1 | FileCheck %s --check-prefix=EVAL
// EVAL: hetc-train: --eval-only needs --resume ckpt
// RUN: not hetc-train %t.missing --train-x a.npy --train-y b.npy --save /nonexistent/dir/m.ckpt 2>&1 | FileCheck %s --check-prefix=SAVE
// SAVE: hetc-train: --save '/nonexistent/dir/m.ckpt': cannot write into '/nonexistent/dir'

func.func @model(%x: tensor<2x3xf32> {hetc.input}, %y: tensor<2xi32> {hetc.label},
                 %w: tensor<4x3xf32> {hetc.param = #hetc.init<uniform, 0.5>})
    -> tensor<f32> {
  %l = hetc.matmul %x, %w transpose_rhs : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  %loss = hetc.cross_entropy %l, %y : (tensor<2x4xf32>, tensor<2xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}
