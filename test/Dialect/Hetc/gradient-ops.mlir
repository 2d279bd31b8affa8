// RUN: hetc-opt %s | FileCheck %s
// RUN: hetc-opt %s | hetc-opt | FileCheck %s
// RUN: hetc-opt %s --mlir-print-op-generic | hetc-opt | FileCheck %s

// Round trip of the gradient ops autodiff emits.

// CHECK-LABEL: func.func @compare(
// CHECK-SAME: %[[A:[^:]+]]: tensor<4x8xf32>, %[[B:[^:]+]]: tensor<8xf32>, %[[S:[^:]+]]: tensor<f32>
func.func @compare(%a: tensor<4x8xf32>, %b: tensor<8xf32>, %s: tensor<f32>) {
  // CHECK: hetc.compare eq, %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %0 = hetc.compare eq, %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK: hetc.compare ne, %[[B]], %[[A]] : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = hetc.compare ne, %b, %a : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: hetc.compare lt, %[[A]], %[[S]] : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %2 = hetc.compare lt, %a, %s : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  // CHECK: hetc.compare le, %[[S]], %[[S]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %3 = hetc.compare le, %s, %s : (tensor<f32>, tensor<f32>) -> tensor<f32>
  // CHECK: hetc.compare gt, %[[A]], %[[A]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %4 = hetc.compare gt, %a, %a : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: hetc.compare ge, %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %5 = hetc.compare ge, %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return
}

// CHECK-LABEL: func.func @compare_half(
func.func @compare_half(%a: tensor<3xf16>, %b: tensor<2x1xbf16>, %c: tensor<3xbf16>) {
  // CHECK: hetc.compare gt, %{{.*}}, %{{.*}} : (tensor<3xf16>, tensor<3xf16>) -> tensor<3xf16>
  %0 = hetc.compare gt, %a, %a : (tensor<3xf16>, tensor<3xf16>) -> tensor<3xf16>
  // CHECK: hetc.compare lt, %{{.*}}, %{{.*}} : (tensor<2x1xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16>
  %1 = hetc.compare lt, %b, %c : (tensor<2x1xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16>
  return
}

// CHECK-LABEL: func.func @gelu_backward(
// CHECK-SAME: %[[G:[^:]+]]: tensor<4x8xf32>, %[[X:[^:]+]]: tensor<4x8xf32>
func.func @gelu_backward(%g: tensor<4x8xf32>, %x: tensor<4x8xf32>) {
  // CHECK: hetc.gelu_backward %[[G]], %[[X]] : tensor<4x8xf32>
  %0 = hetc.gelu_backward %g, %x : tensor<4x8xf32>
  // The default approximation is elided.
  // CHECK: hetc.gelu_backward %[[G]], %[[X]] : tensor<4x8xf32>
  %1 = hetc.gelu_backward %g, %x approximate none : tensor<4x8xf32>
  // CHECK: hetc.gelu_backward %[[G]], %[[X]] approximate tanh : tensor<4x8xf32>
  %2 = hetc.gelu_backward %g, %x approximate tanh : tensor<4x8xf32>
  return
}

// CHECK-LABEL: func.func @conv2d_backward(
// CHECK-SAME: %[[G:[^:]+]]: tensor<8x16x16x16xf32>, %[[W:[^:]+]]: tensor<16x3x3x3xf32>, %[[X:[^:]+]]: tensor<8x3x32x32xf32>
func.func @conv2d_backward(%g: tensor<8x16x16x16xf32>, %w: tensor<16x3x3x3xf32>,
                           %x: tensor<8x3x32x32xf32>) {
  // CHECK: hetc.conv2d_backward_input %[[G]], %[[W]], %[[X]] {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<8x16x16x16xf32>, tensor<16x3x3x3xf32>, tensor<8x3x32x32xf32>) -> tensor<8x3x32x32xf32>
  %0 = hetc.conv2d_backward_input %g, %w, %x {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
      : (tensor<8x16x16x16xf32>, tensor<16x3x3x3xf32>, tensor<8x3x32x32xf32>) -> tensor<8x3x32x32xf32>
  // CHECK: hetc.conv2d_backward_weight %[[G]], %[[X]], %[[W]] {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<8x16x16x16xf32>, tensor<8x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<16x3x3x3xf32>
  %1 = hetc.conv2d_backward_weight %g, %x, %w {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
      : (tensor<8x16x16x16xf32>, tensor<8x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<16x3x3x3xf32>
  return
}

// Grouped and dilated, with the default attributes elided.
// CHECK-LABEL: func.func @conv2d_backward_grouped(
func.func @conv2d_backward_grouped(%g: tensor<2x6x4x4xf32>, %w: tensor<6x2x3x3xf32>,
                                   %x: tensor<2x4x8x8xf32>) {
  // CHECK: hetc.conv2d_backward_input %{{.*}}, %{{.*}}, %{{.*}} {dilation = array<i64: 2, 2>, groups = 2 : i64} : (tensor<2x6x4x4xf32>, tensor<6x2x3x3xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %0 = hetc.conv2d_backward_input %g, %w, %x {dilation = array<i64: 2, 2>, groups = 2 : i64, strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>}
      : (tensor<2x6x4x4xf32>, tensor<6x2x3x3xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  // CHECK: hetc.conv2d_backward_weight %{{.*}}, %{{.*}}, %{{.*}} {dilation = array<i64: 2, 2>, groups = 2 : i64} : (tensor<2x6x4x4xf32>, tensor<2x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<6x2x3x3xf32>
  %1 = hetc.conv2d_backward_weight %g, %x, %w {dilation = array<i64: 2, 2>, groups = 2 : i64}
      : (tensor<2x6x4x4xf32>, tensor<2x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<6x2x3x3xf32>
  return
}

// CHECK-LABEL: func.func @pool_backward(
// CHECK-SAME: %[[G:[^:]+]]: tensor<8x16x16x16xf32>, %[[X:[^:]+]]: tensor<8x16x32x32xf32>, %[[G2:[^:]+]]: tensor<8x16x16x16xf32>
func.func @pool_backward(%g: tensor<8x16x16x16xf32>, %x: tensor<8x16x32x32xf32>,
                         %g2: tensor<8x16x16x16xf32>) {
  // CHECK: hetc.max_pool2d_backward %[[G]], %[[X]] {kernel_size = array<i64: 2, 2>} : (tensor<8x16x16x16xf32>, tensor<8x16x32x32xf32>) -> tensor<8x16x32x32xf32>
  %0 = hetc.max_pool2d_backward %g, %x {kernel_size = array<i64: 2, 2>}
      : (tensor<8x16x16x16xf32>, tensor<8x16x32x32xf32>) -> tensor<8x16x32x32xf32>
  // CHECK: hetc.max_pool2d_backward %[[G2]], %[[X]] {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
  %1 = hetc.max_pool2d_backward %g2, %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<8x16x16x16xf32>, tensor<8x16x32x32xf32>) -> tensor<8x16x32x32xf32>
  // CHECK: hetc.avg_pool2d_backward %[[G]], %[[X]] {kernel_size = array<i64: 2, 2>} : (tensor<8x16x16x16xf32>, tensor<8x16x32x32xf32>) -> tensor<8x16x32x32xf32>
  %2 = hetc.avg_pool2d_backward %g, %x {kernel_size = array<i64: 2, 2>}
      : (tensor<8x16x16x16xf32>, tensor<8x16x32x32xf32>) -> tensor<8x16x32x32xf32>
  // CHECK: hetc.avg_pool2d_backward %[[G2]], %[[X]] {count_include_pad = false, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
  %3 = hetc.avg_pool2d_backward %g2, %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = false}
      : (tensor<8x16x16x16xf32>, tensor<8x16x32x32xf32>) -> tensor<8x16x32x32xf32>
  return
}

// CHECK-LABEL: func.func @embedding_backward(
// CHECK-SAME: %[[G:[^:]+]]: tensor<8x16x64xf32>, %[[IDS:[^:]+]]: tensor<8x16xi64>, %[[T:[^:]+]]: tensor<1000x64xf32>, %[[IDS32:[^:]+]]: tensor<5xi32>, %[[G16:[^:]+]]: tensor<5x64xf16>, %[[T16:[^:]+]]: tensor<1000x64xf16>
func.func @embedding_backward(%g: tensor<8x16x64xf32>, %ids: tensor<8x16xi64>,
                              %table: tensor<1000x64xf32>, %ids32: tensor<5xi32>,
                              %g16: tensor<5x64xf16>, %table16: tensor<1000x64xf16>) {
  // CHECK: hetc.embedding_backward %[[G]], %[[IDS]], %[[T]] : (tensor<8x16x64xf32>, tensor<8x16xi64>, tensor<1000x64xf32>) -> tensor<1000x64xf32>
  %0 = hetc.embedding_backward %g, %ids, %table
      : (tensor<8x16x64xf32>, tensor<8x16xi64>, tensor<1000x64xf32>) -> tensor<1000x64xf32>
  // CHECK: hetc.embedding_backward %[[G16]], %[[IDS32]], %[[T16]] : (tensor<5x64xf16>, tensor<5xi32>, tensor<1000x64xf16>) -> tensor<1000x64xf16>
  %1 = hetc.embedding_backward %g16, %ids32, %table16
      : (tensor<5x64xf16>, tensor<5xi32>, tensor<1000x64xf16>) -> tensor<1000x64xf16>
  return
}

// CHECK-LABEL: func.func @cross_entropy_backward(
// CHECK-SAME: %[[G:[^:]+]]: tensor<f32>, %[[L:[^:]+]]: tensor<32x10xf32>, %[[Y:[^:]+]]: tensor<32xi32>
func.func @cross_entropy_backward(%g: tensor<f32>, %logits: tensor<32x10xf32>,
                                  %labels: tensor<32xi32>) {
  // CHECK: hetc.cross_entropy_backward %[[G]], %[[L]], %[[Y]] : (tensor<f32>, tensor<32x10xf32>, tensor<32xi32>) -> tensor<32x10xf32>
  %0 = hetc.cross_entropy_backward %g, %logits, %labels
      : (tensor<f32>, tensor<32x10xf32>, tensor<32xi32>) -> tensor<32x10xf32>
  return
}

// CHECK-LABEL: func.func @slice_backward(
// CHECK-SAME: %[[G:[^:]+]]: tensor<4x3xf32>, %[[X:[^:]+]]: tensor<4x8xf32>
func.func @slice_backward(%g: tensor<4x3xf32>, %x: tensor<4x8xf32>) {
  // CHECK: hetc.slice_backward %[[G]], %[[X]] offsets [0, 2] sizes [4, 3] strides [1, 2] : (tensor<4x3xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %0 = hetc.slice_backward %g, %x offsets [0, 2] sizes [4, 3] strides [1, 2]
      : (tensor<4x3xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}
