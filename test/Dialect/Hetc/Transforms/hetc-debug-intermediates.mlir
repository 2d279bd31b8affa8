// RUN: hetc-opt %s --hetc-debug-intermediates | FileCheck %s
// RUN: not hetc-opt %s --hetc-debug-intermediates="source=nope" 2>&1 | FileCheck %s --check-prefix=MISSING

// The source entry is unchanged; its twin returns, instead of its results
// (it changes no state), every hetc op's result in program order with its
// name, result number, file:line:col and module path (the NameLoc around
// the file location).

// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: -> (tensor<4xf32> {hetc.updates = 0 : i64}, tensor<f32> {hetc.loss})
// CHECK-NOT: hetc.debug
// CHECK: return %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<f32>

// CHECK-LABEL: func.func @train_step_debug(
// CHECK-SAME: -> (tensor<4xf32> {hetc.debug = {index = 0 : i64, location = "model.py:3:5", op = "hetc.mul", result = 0 : i64, scope = "layers.0"}},
// CHECK-SAME: tensor<f32> {hetc.debug = {index = 1 : i64, location = "model.py:4:1", op = "hetc.reduce_sum", result = 0 : i64, scope = ""}},
// CHECK-SAME: tensor<4xf32> {hetc.debug = {index = 2 : i64, location = "unknown", op = "hetc.sub", result = 0 : i64, scope = ""}})
// CHECK-SAME: attributes {hetc.debug_of = "train_step"}
// CHECK: %[[M:.*]] = hetc.mul
// CHECK: %[[S:.*]] = hetc.reduce_sum
// CHECK: %[[P:.*]] = hetc.sub
// CHECK: return %[[M]], %[[S]], %[[P]] :

func.func @train_step(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                      %x: tensor<4xf32> {hetc.input})
    -> (tensor<4xf32> {hetc.updates = 0 : i64}, tensor<f32> {hetc.loss}) {
  %m = hetc.mul %w, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> loc("layers.0"("model.py":3:5))
  %s = hetc.reduce_sum %m [0] : tensor<4xf32> -> tensor<f32> loc("model.py":4:1)
  // Not a hetc op: not exposed.
  %c = arith.constant dense<1.0> : tensor<4xf32>
  %p = hetc.sub %w, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> loc(unknown)
  return %p, %s : tensor<4xf32>, tensor<f32>
}

// MISSING: error: hetc-debug-intermediates: the module has no entry 'nope' with a body to build a debug entry of
