// RUN: hetc-opt %s | hetc-opt | FileCheck %s
// RUN: hetc-opt %s --mlir-print-op-generic | hetc-opt | FileCheck %s

// Round trip of the ops of HetcOpsExtra.td, in the custom and the generic
// form.

// CHECK-LABEL: func.func @unary
// CHECK: hetc.abs %{{.*}} : tensor<4x8xf32>
// CHECK: hetc.erf %{{.*}} : tensor<4x8xf16>
// CHECK: hetc.sign %{{.*}} : tensor<4x8xbf16>
// CHECK: hetc.clamp %{{.*}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<4x8xf32>
// CHECK: hetc.clamp %{{.*}} {min = -1.000000e+00 : f64} : tensor<4x8xf32>
// CHECK: hetc.clamp %{{.*}} {max = 1.000000e+00 : f64} : tensor<4x8xf32>
func.func @unary(%x: tensor<4x8xf32>, %h: tensor<4x8xf16>, %b: tensor<4x8xbf16>) {
  %0 = hetc.abs %x : tensor<4x8xf32>
  %1 = hetc.erf %h : tensor<4x8xf16>
  %2 = hetc.sign %b : tensor<4x8xbf16>
  %3 = hetc.clamp %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<4x8xf32>
  %4 = hetc.clamp %x {min = -1.0 : f64} : tensor<4x8xf32>
  %5 = hetc.clamp %x {max = 1.0 : f64} : tensor<4x8xf32>
  return
}

// CHECK-LABEL: func.func @where
// CHECK: hetc.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x1xf32>, tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: hetc.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x4x8xi1>, tensor<f32>, tensor<8xf32>) -> tensor<2x4x8xf32>
func.func @where(%m: tensor<4x1xf32>, %c: tensor<2x4x8xi1>, %a: tensor<8xf32>,
                 %b: tensor<4x8xf32>, %s: tensor<f32>) {
  %0 = hetc.where %m, %a, %b : (tensor<4x1xf32>, tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = hetc.where %c, %s, %a : (tensor<2x4x8xi1>, tensor<f32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// CHECK-LABEL: func.func @cast
// CHECK: hetc.cast %{{.*}} : tensor<32xi64> -> tensor<32xi32>
// CHECK: hetc.cast %{{.*}} : tensor<4x8xf32> -> tensor<4x8xbf16>
// CHECK: hetc.cast %{{.*}} : tensor<4x8xf32> -> tensor<4x8xi64>
// CHECK: hetc.cast %{{.*}} : tensor<32xi64> -> tensor<32xf16>
func.func @cast(%l: tensor<32xi64>, %x: tensor<4x8xf32>) {
  %0 = hetc.cast %l : tensor<32xi64> -> tensor<32xi32>
  %1 = hetc.cast %x : tensor<4x8xf32> -> tensor<4x8xbf16>
  %2 = hetc.cast %x : tensor<4x8xf32> -> tensor<4x8xi64>
  %3 = hetc.cast %l : tensor<32xi64> -> tensor<32xf16>
  return
}

// CHECK-LABEL: func.func @gather
// CHECK: hetc.gather %{{.*}}, %{{.*}} axis 1 : (tensor<4x8xf32>, tensor<2x3xi64>) -> tensor<4x2x3xf32>
// CHECK: hetc.gather %{{.*}}, %{{.*}} axis -2 : (tensor<4x8xf32>, tensor<i32>) -> tensor<8xf32>
// CHECK: hetc.gather_backward %{{.*}}, %{{.*}}, %{{.*}} axis 1 : (tensor<4x2x3xf32>, tensor<2x3xi64>, tensor<4x8xf32>) -> tensor<4x8xf32>
func.func @gather(%x: tensor<4x8xf32>, %i: tensor<2x3xi64>, %j: tensor<i32>,
                  %g: tensor<4x2x3xf32>) {
  %0 = hetc.gather %x, %i axis 1 : (tensor<4x8xf32>, tensor<2x3xi64>) -> tensor<4x2x3xf32>
  %1 = hetc.gather %x, %j axis -2 : (tensor<4x8xf32>, tensor<i32>) -> tensor<8xf32>
  %2 = hetc.gather_backward %g, %i, %x axis 1 : (tensor<4x2x3xf32>, tensor<2x3xi64>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// CHECK-LABEL: func.func @scan_and_min
// CHECK: hetc.cumsum %{{.*}} axis 1 : tensor<4x8xf32>
// CHECK: hetc.cumsum %{{.*}} axis -1 exclusive reverse : tensor<4x8xf32>
// CHECK: hetc.cumsum %{{.*}} axis 0 reverse : tensor<4x8xf32>
// CHECK: hetc.reduce_min %{{.*}} [1] : tensor<4x8xf32> -> tensor<4xf32>
// CHECK: hetc.reduce_min %{{.*}} [-1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
func.func @scan_and_min(%x: tensor<4x8xf32>) {
  %0 = hetc.cumsum %x axis 1 : tensor<4x8xf32>
  %1 = hetc.cumsum %x axis -1 exclusive reverse : tensor<4x8xf32>
  %2 = hetc.cumsum %x axis 0 reverse : tensor<4x8xf32>
  %3 = hetc.reduce_min %x [1] : tensor<4x8xf32> -> tensor<4xf32>
  %4 = hetc.reduce_min %x [-1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  return
}

// hetc.compare accepts integer operands and gives an f32 mask.
// CHECK-LABEL: func.func @compare_integer
// CHECK: hetc.compare eq, %{{.*}}, %{{.*}} : (tensor<8x16xi64>, tensor<i64>) -> tensor<8x16xf32>
// CHECK: hetc.compare ge, %{{.*}}, %{{.*}} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xf32>
func.func @compare_integer(%ids: tensor<8x16xi64>, %pad: tensor<i64>, %a: tensor<4xi32>) {
  %0 = hetc.compare eq, %ids, %pad : (tensor<8x16xi64>, tensor<i64>) -> tensor<8x16xf32>
  %1 = hetc.compare ge, %a, %a : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xf32>
  return
}
