// Located errors and nonzero exits from hetc-compile.
// RUN: not hetc-compile %s --target=nosuch -o %t 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: error: unknown target 'nosuch' (known targets: cpu

// RUN: not hetc-compile %s --chip=nosuchcpu --eval-only -o %t 2>&1 | FileCheck %s --check-prefix=CHIP
// CHIP: error: unknown CPU 'nosuchcpu' for --chip
// CHIP-NOT: not a recognized processor

// RUN: not hetc-compile %s --entry=missing -o %t 2>&1 | FileCheck %s --check-prefix=ENTRY
// ENTRY: error: no function named 'missing' in the module

// RUN: not hetc-compile %s --eval-only 2>&1 | FileCheck %s --check-prefix=STDOUT
// STDOUT: refusing to write a binary artifact to stdout

// RUN: not hetc-compile %s.missing -o %t 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: hetc-compile: cannot open input file

func.func @model(%x: tensor<2x3xf32> {hetc.input}, %y: tensor<2x4xf32> {hetc.label},
                 %w: tensor<3x4xf32> {hetc.param = #hetc.init<uniform, 0.5>})
    -> tensor<f32> {
  %p = hetc.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %l = hetc.mse %p, %y : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
