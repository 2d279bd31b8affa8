// RUN: hetc-opt %s | hetc-opt | FileCheck %s
// RUN: hetc-opt %s --mlir-print-op-generic | hetc-opt | FileCheck %s

// Round trip of the ops in HetcOpsConv.td, ceil_mode and dilated pooling,
// and the inferred result types.

// CHECK-LABEL: func.func @conv_transpose2d
func.func @conv_transpose2d(%x: tensor<8x16x8x8xf32>, %w: tensor<16x3x3x3xf32>,
                            %b: tensor<3xf32>, %wg: tensor<16x2x3x2xf32>)
    -> (tensor<8x3x16x16xf32>, tensor<8x8x9x16xf32>) {
  // CHECK: hetc.conv_transpose2d %{{.*}}, %{{.*}}, %{{.*}} {output_padding = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<8x16x8x8xf32>, tensor<16x3x3x3xf32>, tensor<3xf32>) -> tensor<8x3x16x16xf32>
  %0 = hetc.conv_transpose2d %x, %w, %b {strides = array<i64: 2, 2>,
      padding = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>}
      : (tensor<8x16x8x8xf32>, tensor<16x3x3x3xf32>, tensor<3xf32>) -> tensor<8x3x16x16xf32>
  // H: 7 * 1 - 2 - 1 + 2 * (3 - 1) + 1 = 9; W: 7 * 2 + (2 - 1) + 1 = 16.
  // CHECK: hetc.conv_transpose2d %{{.*}}, %{{.*}} {dilation = array<i64: 2, 1>, groups = 4 : i64, padding = array<i64: 2, 0, 1, 0>, strides = array<i64: 1, 2>} : (tensor<8x16x8x8xf32>, tensor<16x2x3x2xf32>) -> tensor<8x8x9x16xf32>
  %1 = hetc.conv_transpose2d %x, %wg {strides = array<i64: 1, 2>,
      padding = array<i64: 2, 0, 1, 0>, dilation = array<i64: 2, 1>, groups = 4 : i64}
      : (tensor<8x16x8x8xf32>, tensor<16x2x3x2xf32>) -> tensor<8x8x9x16xf32>
  return %0, %1 : tensor<8x3x16x16xf32>, tensor<8x8x9x16xf32>
}

// CHECK-LABEL: func.func @upsample
func.func @upsample(%x: tensor<2x3x4x5xf32>, %g: tensor<2x3x8x10xf32>)
    -> (tensor<2x3x8x10xf32>, tensor<2x3x7x3xf16>, tensor<2x3x4x5xf32>) {
  // CHECK: hetc.upsample %{{.*}} bilinear align_corners {size = array<i64: 8, 10>} : tensor<2x3x4x5xf32> -> tensor<2x3x8x10xf32>
  %0 = hetc.upsample %x bilinear align_corners {size = array<i64: 8, 10>}
      : tensor<2x3x4x5xf32> -> tensor<2x3x8x10xf32>
  %h = arith.truncf %x : tensor<2x3x4x5xf32> to tensor<2x3x4x5xf16>
  // CHECK: hetc.upsample %{{.*}} nearest {size = array<i64: 7, 3>} : tensor<2x3x4x5xf16> -> tensor<2x3x7x3xf16>
  %1 = hetc.upsample %h nearest {size = array<i64: 7, 3>}
      : tensor<2x3x4x5xf16> -> tensor<2x3x7x3xf16>
  // CHECK: hetc.upsample_backward %{{.*}}, %{{.*}} bilinear {size = array<i64: 8, 10>} : (tensor<2x3x8x10xf32>, tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
  %2 = hetc.upsample_backward %g, %x bilinear {size = array<i64: 8, 10>}
      : (tensor<2x3x8x10xf32>, tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
  return %0, %1, %2 : tensor<2x3x8x10xf32>, tensor<2x3x7x3xf16>, tensor<2x3x4x5xf32>
}

// CHECK-LABEL: func.func @pad
func.func @pad(%x: tensor<8x3x16x16xf32>, %v: tensor<4x5xf32>, %g: tensor<8x3x18x20xf32>)
    -> (tensor<8x3x18x20xf32>, tensor<5x7xf32>, tensor<8x3x16x16xf32>, tensor<6x5xf32>) {
  // CHECK: hetc.pad %{{.*}} reflect {padding = array<i64: 0, 0, 1, 2, 0, 0, 1, 2>} : tensor<8x3x16x16xf32> -> tensor<8x3x18x20xf32>
  %0 = hetc.pad %x reflect {padding = array<i64: 0, 0, 1, 2, 0, 0, 1, 2>}
      : tensor<8x3x16x16xf32> -> tensor<8x3x18x20xf32>
  // Negative amounts crop.
  // CHECK: hetc.pad %{{.*}} constant {padding = array<i64: 2, -1, -1, 3>, value = 1.500000e+00 : f64} : tensor<4x5xf32> -> tensor<5x7xf32>
  %1 = hetc.pad %v constant {padding = array<i64: 2, -1, -1, 3>, value = 1.5 : f64}
      : tensor<4x5xf32> -> tensor<5x7xf32>
  // CHECK: hetc.pad_backward %{{.*}}, %{{.*}} reflect {padding = array<i64: 0, 0, 1, 2, 0, 0, 1, 2>} : (tensor<8x3x18x20xf32>, tensor<8x3x16x16xf32>) -> tensor<8x3x16x16xf32>
  %2 = hetc.pad_backward %g, %x reflect {padding = array<i64: 0, 0, 1, 2, 0, 0, 1, 2>}
      : (tensor<8x3x18x20xf32>, tensor<8x3x16x16xf32>) -> tensor<8x3x16x16xf32>
  // CHECK: hetc.pad %{{.*}} edge {padding = array<i64: 2, 0, 0, 0>} : tensor<4x5xf32> -> tensor<6x5xf32>
  %3 = hetc.pad %v edge {padding = array<i64: 2, 0, 0, 0>}
      : tensor<4x5xf32> -> tensor<6x5xf32>
  return %0, %1, %2, %3 : tensor<8x3x18x20xf32>, tensor<5x7xf32>, tensor<8x3x16x16xf32>, tensor<6x5xf32>
}

// CHECK-LABEL: func.func @pooling
func.func @pooling(%x: tensor<2x3x10x10xf32>, %y: tensor<2x3x5x5xf32>)
    -> (tensor<2x3x6x6xf32>, tensor<2x3x2x2xf32>, tensor<2x3x4x5xf32>,
        tensor<2x3x10x10xf32>, tensor<2x3x10x10xf32>, tensor<2x3x10x10xf32>) {
  // ceil((10 + 2 - 3) / 2) + 1 = 6.
  // CHECK: hetc.max_pool2d %{{.*}} {ceil_mode, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<2x3x10x10xf32> -> tensor<2x3x6x6xf32>
  %0 = hetc.max_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>,
      padding = array<i64: 1, 1, 1, 1>, ceil_mode} : tensor<2x3x10x10xf32> -> tensor<2x3x6x6xf32>
  // ceil_mode's third window would start in the bottom padding: 2, not 3.
  // CHECK: hetc.avg_pool2d %{{.*}} {ceil_mode, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>} : tensor<2x3x5x5xf32> -> tensor<2x3x2x2xf32>
  %1 = hetc.avg_pool2d %y {kernel_size = array<i64: 3, 3>,
      padding = array<i64: 1, 1, 1, 1>, ceil_mode} : tensor<2x3x5x5xf32> -> tensor<2x3x2x2xf32>
  // (10 + 2 - 5) / 2 + 1 = 4 rows with dilation 2; 5 columns.
  // CHECK: hetc.max_pool2d %{{.*}} {dilation = array<i64: 2, 1>, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<2x3x10x10xf32> -> tensor<2x3x4x5xf32>
  %2 = hetc.max_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>,
      padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 2, 1>} : tensor<2x3x10x10xf32> -> tensor<2x3x4x5xf32>
  // CHECK: hetc.adaptive_avg_pool2d %{{.*}} {output_size = array<i64: 5, 5>} : tensor<2x3x10x10xf32> -> tensor<2x3x5x5xf32>
  %3 = hetc.adaptive_avg_pool2d %x {output_size = array<i64: 5, 5>}
      : tensor<2x3x10x10xf32> -> tensor<2x3x5x5xf32>
  // CHECK: hetc.adaptive_avg_pool2d_backward %{{.*}}, %{{.*}} : (tensor<2x3x5x5xf32>, tensor<2x3x10x10xf32>) -> tensor<2x3x10x10xf32>
  %4 = hetc.adaptive_avg_pool2d_backward %3, %x
      : (tensor<2x3x5x5xf32>, tensor<2x3x10x10xf32>) -> tensor<2x3x10x10xf32>
  // CHECK: hetc.max_pool2d_backward %{{.*}}, %{{.*}} {ceil_mode, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x3x6x6xf32>, tensor<2x3x10x10xf32>) -> tensor<2x3x10x10xf32>
  %5 = hetc.max_pool2d_backward %0, %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>,
      padding = array<i64: 1, 1, 1, 1>, ceil_mode} : (tensor<2x3x6x6xf32>, tensor<2x3x10x10xf32>) -> tensor<2x3x10x10xf32>
  // CHECK: hetc.avg_pool2d_backward %{{.*}}, %{{.*}} {ceil_mode, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x3x6x6xf32>, tensor<2x3x10x10xf32>) -> tensor<2x3x10x10xf32>
  %6 = hetc.avg_pool2d_backward %0, %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>,
      padding = array<i64: 1, 1, 1, 1>, ceil_mode} : (tensor<2x3x6x6xf32>, tensor<2x3x10x10xf32>) -> tensor<2x3x10x10xf32>
  return %0, %1, %2, %4, %5, %6 : tensor<2x3x6x6xf32>, tensor<2x3x2x2xf32>, tensor<2x3x4x5xf32>,
      tensor<2x3x10x10xf32>, tensor<2x3x10x10xf32>, tensor<2x3x10x10xf32>
}
