// What the runtime would refuse to load is refused at compile time, with a
// located error: ranks above 8, tensors beyond 2^48 bytes, and optimizer
// options that are not finite (the manifest's JSON has no inf or nan).
// RUN: split-file %s %t
// RUN: not hetc-compile %t/rank9.mlir -o %t/out 2>&1 | FileCheck %s --check-prefix=RANK
// RANK: rank9.mlir:1:1: error: 'param0' has rank 9; artifacts carry tensors of rank at most 8
// RUN: hetc-compile %t/rank8.mlir --chip=x86-64 -o %t/rank8.hetc
// RUN: not hetc-compile %t/huge.mlir -o %t/out 2>&1 | FileCheck %s --check-prefix=HUGE
// HUGE: huge.mlir:1:1: error: 'param0' of type 'tensor<65536x65536x65536xf32>' has more than 2^48 bytes, the most an artifact tensor may hold
// RUN: not hetc-compile %t/rank8.mlir --lr=inf -o %t/out 2>&1 | FileCheck %s --check-prefix=LR
// LR: hetc-compile: error: lr must be a positive finite number, got 'inf'
// RUN: not hetc-compile %t/rank8.mlir --lr=nan -o %t/out 2>&1 | FileCheck %s --check-prefix=LRNAN
// LRNAN: hetc-compile: error: lr must be a positive finite number, got 'nan'
// RUN: not hetc-compile %t/rank8.mlir --weight-decay=inf -o %t/out 2>&1 | FileCheck %s --check-prefix=DECAY
// DECAY: hetc-compile: error: weight-decay must be a finite number >= 0, got 'inf'
// RUN: not hetc-compile %t/rank8.mlir --momentum=nan -o %t/out 2>&1 | FileCheck %s --check-prefix=MOM
// MOM: hetc-compile: error: momentum must be a finite number >= 0, got 'nan'
// RUN: not hetc-compile %t/rank8.mlir --optimizer=adam --eps=inf -o %t/out 2>&1 | FileCheck %s --check-prefix=EPS
// EPS: hetc-compile: error: eps must be a positive finite number, got 'inf'

//--- rank9.mlir
func.func @model(%x: tensor<1x1x1x1x1x1x1x2x3xf32> {hetc.input}, %y: tensor<1x1x1x1x1x1x1x2x3xf32> {hetc.label},
                 %w: tensor<1x1x1x1x1x1x1x2x3xf32> {hetc.param = #hetc.init<uniform, 0.5>})
    -> tensor<f32> {
  %p = hetc.mul %x, %w : (tensor<1x1x1x1x1x1x1x2x3xf32>, tensor<1x1x1x1x1x1x1x2x3xf32>) -> tensor<1x1x1x1x1x1x1x2x3xf32>
  %l = hetc.mse %p, %y : (tensor<1x1x1x1x1x1x1x2x3xf32>, tensor<1x1x1x1x1x1x1x2x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

//--- rank8.mlir
func.func @model(%x: tensor<1x1x1x1x1x1x2x3xf32> {hetc.input}, %y: tensor<1x1x1x1x1x1x2x3xf32> {hetc.label},
                 %w: tensor<1x1x1x1x1x1x2x3xf32> {hetc.param = #hetc.init<uniform, 0.5>})
    -> tensor<f32> {
  %p = hetc.mul %x, %w : (tensor<1x1x1x1x1x1x2x3xf32>, tensor<1x1x1x1x1x1x2x3xf32>) -> tensor<1x1x1x1x1x1x2x3xf32>
  %l = hetc.mse %p, %y : (tensor<1x1x1x1x1x1x2x3xf32>, tensor<1x1x1x1x1x1x2x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

//--- huge.mlir
func.func @model(%x: tensor<65536x65536x65536xf32> {hetc.input}, %y: tensor<65536x65536x65536xf32> {hetc.label},
                 %w: tensor<65536x65536x65536xf32> {hetc.param = #hetc.init<uniform, 0.5>})
    -> tensor<f32> {
  %p = hetc.mul %x, %w : (tensor<65536x65536x65536xf32>, tensor<65536x65536x65536xf32>) -> tensor<65536x65536x65536xf32>
  %l = hetc.mse %p, %y : (tensor<65536x65536x65536xf32>, tensor<65536x65536x65536xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
