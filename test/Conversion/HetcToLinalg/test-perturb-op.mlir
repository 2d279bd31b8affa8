// RUN: hetc-opt %s --hetc-test-perturb-op="match=hetc.relu" | FileCheck %s --check-prefix=FIRST
// RUN: hetc-opt %s --hetc-test-perturb-op="match=hetc.relu@model.py:7" | FileCheck %s --check-prefix=LINE
// RUN: hetc-opt %s --hetc-test-perturb-op="match=hetc.relu@model.py:7:3" --convert-hetc-to-linalg | FileCheck %s --check-prefix=LOWERED
// RUN: not hetc-opt %s --hetc-test-perturb-op="match=hetc.relu@other.py:7" 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: not hetc-opt %s --hetc-test-perturb-op="match=@model.py:7" 2>&1 | FileCheck %s --check-prefix=BAD

// The first matching op's result is replaced, for every later use, by its
// bits plus one; the other ops are untouched.

// FIRST-LABEL: func.func @f(
// FIRST: %[[A:.*]] = hetc.relu %arg0
// FIRST: %[[E:.*]] = tensor.empty() : tensor<4xf32>
// FIRST: %[[P:.*]] = linalg.generic {{.*}} ins(%[[A]] : tensor<4xf32>) outs(%[[E]] : tensor<4xf32>)
// FIRST: arith.bitcast %{{.*}} : f32 to i32
// FIRST: arith.constant 1 : i32
// FIRST: arith.addi
// FIRST: arith.bitcast %{{.*}} : i32 to f32
// FIRST: %[[B:.*]] = hetc.relu %[[P]]
// FIRST-NOT: linalg.generic
// FIRST: return %[[B]], %[[P]]

// LINE-LABEL: func.func @f(
// LINE: %[[A:.*]] = hetc.relu %arg0
// LINE-NOT: linalg.generic
// LINE: %[[B:.*]] = hetc.relu %[[A]]
// LINE: %[[P:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<4xf32>)
// LINE: return %[[P]], %[[A]]

// LOWERED-LABEL: func.func @f(
// LOWERED-NOT: hetc.
// LOWERED: arith.addi
// LOWERED: return

// NONE: error: hetc-test-perturb-op: no hetc op with an f32 result matches 'hetc.relu@other.py:7'
// BAD: error: hetc-test-perturb-op: 'match' must be NAME or NAME@LOCATION, got '@model.py:7'

func.func @f(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = hetc.relu %x : tensor<4xf32> loc("model.py":6:3)
  %b = hetc.relu %a : tensor<4xf32> loc("model.py":7:3)
  return %b, %a : tensor<4xf32>, tensor<4xf32>
}
