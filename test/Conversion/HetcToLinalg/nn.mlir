// RUN: hetc-opt %s --convert-hetc-to-linalg --split-input-file | FileCheck %s
// RUN: hetc-opt %s --convert-hetc-to-linalg --split-input-file | hetc-opt --split-input-file --verify-each > /dev/null

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

// Plain 2-D: linalg.matmul with its default maps into a zero-filled init.
// CHECK-LABEL: func.func @matmul_2d
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<8x5xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x5xf32>
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<4x5xf32>) -> tensor<4x5xf32>
// CHECK: %[[R:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<4x8xf32>, tensor<8x5xf32>) outs(%[[INIT]] : tensor<4x5xf32>) -> tensor<4x5xf32>
// CHECK: return %[[R]]
func.func @matmul_2d(%a: tensor<4x8xf32>, %b: tensor<8x5xf32>) -> tensor<4x5xf32> {
  %0 = hetc.matmul %a, %b : (tensor<4x8xf32>, tensor<8x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// Iteration space (m, n, k): transpose_lhs reads lhs[k, m].
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_transpose_lhs
// CHECK-SAME: (%[[A:.*]]: tensor<8x4xf32>, %[[B:.*]]: tensor<8x5xf32>)
// CHECK: linalg.matmul indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]] ins(%[[A]], %[[B]] : tensor<8x4xf32>, tensor<8x5xf32>) outs(%{{.*}} : tensor<4x5xf32>)
func.func @matmul_transpose_lhs(%a: tensor<8x4xf32>, %b: tensor<8x5xf32>) -> tensor<4x5xf32> {
  %0 = hetc.matmul %a, %b transpose_lhs : (tensor<8x4xf32>, tensor<8x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// transpose_rhs reads rhs[n, k] (a torch.nn.Linear weight).
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_transpose_rhs
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<5x8xf32>)
// CHECK: linalg.matmul indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]] ins(%[[A]], %[[B]] : tensor<4x8xf32>, tensor<5x8xf32>) outs(%{{.*}} : tensor<4x5xf32>)
func.func @matmul_transpose_rhs(%a: tensor<4x8xf32>, %b: tensor<5x8xf32>) -> tensor<4x5xf32> {
  %0 = hetc.matmul %a, %b transpose_rhs : (tensor<4x8xf32>, tensor<5x8xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_transpose_both
// CHECK: linalg.matmul indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]] ins(%{{.*}}, %{{.*}} : tensor<8x4xf32>, tensor<5x8xf32>) outs(%{{.*}} : tensor<4x5xf32>)
func.func @matmul_transpose_both(%a: tensor<8x4xf32>, %b: tensor<5x8xf32>) -> tensor<4x5xf32> {
  %0 = hetc.matmul %a, %b transpose_lhs transpose_rhs : (tensor<8x4xf32>, tensor<5x8xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// A batched lhs against a 2-D rhs folds the batch into M: one 2-D matmul.
// CHECK-LABEL: func.func @matmul_batched_lhs_2d_rhs
// CHECK-SAME: (%[[A:.*]]: tensor<2x3x4x8xf32>, %[[B:.*]]: tensor<8x5xf32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1, 2], [3]] : tensor<2x3x4x8xf32> into tensor<24x8xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<24x5xf32>)
// CHECK: %[[MM:.*]] = linalg.matmul ins(%[[FLAT]], %[[B]] : tensor<24x8xf32>, tensor<8x5xf32>) outs(%[[INIT]] : tensor<24x5xf32>)
// CHECK: %[[R:.*]] = tensor.expand_shape %[[MM]] {{\[\[}}0, 1, 2], [3]] output_shape [2, 3, 4, 5] : tensor<24x5xf32> into tensor<2x3x4x5xf32>
// CHECK: return %[[R]]
// CHECK-NOT: linalg.batch_matmul
func.func @matmul_batched_lhs_2d_rhs(%a: tensor<2x3x4x8xf32>, %b: tensor<8x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = hetc.matmul %a, %b : (tensor<2x3x4x8xf32>, tensor<8x5xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// The fold keeps transpose_rhs.
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_batched_lhs_transpose_rhs
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<8x4x16xf32> into tensor<32x16xf32>
// CHECK: %[[MM:.*]] = linalg.matmul indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]] ins(%[[FLAT]], %{{.*}} : tensor<32x16xf32>, tensor<32x16xf32>) outs(%{{.*}} : tensor<32x32xf32>)
// CHECK: tensor.expand_shape %[[MM]] {{\[\[}}0, 1], [2]] output_shape [8, 4, 32] : tensor<32x32xf32> into tensor<8x4x32xf32>
func.func @matmul_batched_lhs_transpose_rhs(%a: tensor<8x4x16xf32>, %b: tensor<32x16xf32>) -> tensor<8x4x32xf32> {
  %0 = hetc.matmul %a, %b transpose_rhs : (tensor<8x4x16xf32>, tensor<32x16xf32>) -> tensor<8x4x32xf32>
  return %0 : tensor<8x4x32xf32>
}

// -----

// General batch broadcasting: the rhs is broadcast to the full batch, both
// batches fold to one dimension, and a linalg.batch_matmul runs.
// CHECK-DAG: #[[BC:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>
// CHECK-DAG: #[[ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @matmul_batch_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<2x3x4x8xf32>, %[[B:.*]]: tensor<3x8x5xf32>)
// CHECK: %[[FA:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1], [2], [3]] : tensor<2x3x4x8xf32> into tensor<6x4x8xf32>
// CHECK: %[[BB:.*]] = linalg.generic {indexing_maps = [#[[BC]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[B]] : tensor<3x8x5xf32>) outs(%{{.*}} : tensor<2x3x8x5xf32>)
// CHECK: %[[FB:.*]] = tensor.collapse_shape %[[BB]] {{\[\[}}0, 1], [2], [3]] : tensor<2x3x8x5xf32> into tensor<6x8x5xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<6x4x5xf32>)
// CHECK: %[[BMM:.*]] = linalg.batch_matmul ins(%[[FA]], %[[FB]] : tensor<6x4x8xf32>, tensor<6x8x5xf32>) outs(%[[INIT]] : tensor<6x4x5xf32>)
// CHECK: %[[R:.*]] = tensor.expand_shape %[[BMM]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 3, 4, 5] : tensor<6x4x5xf32> into tensor<2x3x4x5xf32>
// CHECK: return %[[R]]
func.func @matmul_batch_broadcast(%a: tensor<2x3x4x8xf32>, %b: tensor<3x8x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = hetc.matmul %a, %b : (tensor<2x3x4x8xf32>, tensor<3x8x5xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// Size-1 batch dimensions broadcast on both sides; the transposes become
// batch_matmul maps over (b, m, n, k).
// CHECK-DAG: #[[BCA:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>
// CHECK-DAG: #[[BCB:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_batch_broadcast_transposed
// CHECK: linalg.generic {indexing_maps = [#[[BCA]], #{{.*}}]
// CHECK-SAME: ins(%{{.*}} : tensor<2x1x8x4xf32>) outs(%{{.*}} : tensor<2x3x8x4xf32>)
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2], [3]] : tensor<2x3x8x4xf32> into tensor<6x8x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[BCB]], #{{.*}}]
// CHECK-SAME: ins(%{{.*}} : tensor<3x5x8xf32>) outs(%{{.*}} : tensor<2x3x5x8xf32>)
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2], [3]] : tensor<2x3x5x8xf32> into tensor<6x5x8xf32>
// CHECK: %[[BMM:.*]] = linalg.batch_matmul indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]]
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<6x8x4xf32>, tensor<6x5x8xf32>) outs(%{{.*}} : tensor<6x4x5xf32>)
// CHECK: tensor.expand_shape %[[BMM]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 3, 4, 5]
func.func @matmul_batch_broadcast_transposed(%a: tensor<2x1x8x4xf32>, %b: tensor<3x5x8xf32>) -> tensor<2x3x4x5xf32> {
  %0 = hetc.matmul %a, %b transpose_lhs transpose_rhs : (tensor<2x1x8x4xf32>, tensor<3x5x8xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// A batched lhs with transpose_lhs cannot fold into M: the 2-D rhs is
// broadcast instead. No reshape is needed for a single batch dimension.
// CHECK-DAG: #[[BC:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_batched_transpose_lhs_2d_rhs
// CHECK-SAME: (%[[A:.*]]: tensor<2x8x4xf32>, %[[B:.*]]: tensor<8x5xf32>)
// CHECK: %[[BB:.*]] = linalg.generic {indexing_maps = [#[[BC]], #{{.*}}]
// CHECK-SAME: ins(%[[B]] : tensor<8x5xf32>) outs(%{{.*}} : tensor<2x8x5xf32>)
// CHECK: %[[R:.*]] = linalg.batch_matmul indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]] ins(%[[A]], %[[BB]] : tensor<2x8x4xf32>, tensor<2x8x5xf32>) outs(%{{.*}} : tensor<2x4x5xf32>)
// CHECK-NOT: tensor.collapse_shape
// CHECK-NOT: tensor.expand_shape
// CHECK: return %[[R]]
func.func @matmul_batched_transpose_lhs_2d_rhs(%a: tensor<2x8x4xf32>, %b: tensor<8x5xf32>) -> tensor<2x4x5xf32> {
  %0 = hetc.matmul %a, %b transpose_lhs : (tensor<2x8x4xf32>, tensor<8x5xf32>) -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}

// -----

// A 2-D lhs against a batched rhs.
// CHECK-DAG: #[[BC:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @matmul_2d_lhs_batched_rhs
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<2x8x5xf32>)
// CHECK: %[[AB:.*]] = linalg.generic {indexing_maps = [#[[BC]], #{{.*}}]
// CHECK-SAME: ins(%[[A]] : tensor<4x8xf32>) outs(%{{.*}} : tensor<2x4x8xf32>)
// CHECK: linalg.batch_matmul ins(%[[AB]], %[[B]] : tensor<2x4x8xf32>, tensor<2x8x5xf32>) outs(%{{.*}} : tensor<2x4x5xf32>)
func.func @matmul_2d_lhs_batched_rhs(%a: tensor<4x8xf32>, %b: tensor<2x8x5xf32>) -> tensor<2x4x5xf32> {
  %0 = hetc.matmul %a, %b : (tensor<4x8xf32>, tensor<2x8x5xf32>) -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}

//===----------------------------------------------------------------------===//
// conv2d
//===----------------------------------------------------------------------===//

// -----

// No padding, no bias: a bare linalg.conv_2d_nchw_fchw.
// CHECK-LABEL: func.func @conv2d_plain
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x9x9xf32>, %[[W:.*]]: tensor<6x4x3x3xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x6x7x7xf32>)
// CHECK: %[[R:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
// CHECK-SAME: ins(%[[X]], %[[W]] : tensor<2x4x9x9xf32>, tensor<6x4x3x3xf32>) outs(%[[INIT]] : tensor<2x6x7x7xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @conv2d_plain(%x: tensor<2x4x9x9xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<2x6x7x7xf32> {
  %0 = hetc.conv2d %x, %w : (tensor<2x4x9x9xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x7x7xf32>
  return %0 : tensor<2x6x7x7xf32>
}

// -----

// Padding [top, left, bottom, right] becomes tensor.pad low[0, 0, top, left]
// high[0, 0, bottom, right] with zeros; strides and dilation pass through;
// the bias [F] is read as [F, 1, 1] broadcast over (n, f, h, w).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[BIAS:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-LABEL: func.func @conv2d_bias_pad_stride_dilation
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x9x9xf32>, %[[W:.*]]: tensor<6x4x3x3xf32>, %[[B:.*]]: tensor<6xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 2] high[0, 0, 0, 1] {
// CHECK: tensor.yield %[[ZERO]] : f32
// CHECK: } : tensor<2x4x9x9xf32> to tensor<2x4x10x12xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x6x4x3xf32>)
// CHECK: %[[C:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 3]> : tensor<2xi64>}
// CHECK-SAME: ins(%[[P]], %[[W]] : tensor<2x4x10x12xf32>, tensor<6x4x3x3xf32>) outs(%[[INIT]] : tensor<2x6x4x3xf32>)
// CHECK: %[[B3:.*]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1, 2]] output_shape [6, 1, 1] : tensor<6xf32> into tensor<6x1x1xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[BIAS]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[C]], %[[B3]] : tensor<2x6x4x3xf32>, tensor<6x1x1xf32>)
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %[[BV:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[V]], %[[BV]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @conv2d_bias_pad_stride_dilation(%x: tensor<2x4x9x9xf32>, %w: tensor<6x4x3x3xf32>, %b: tensor<6xf32>) -> tensor<2x6x4x3xf32> {
  %0 = hetc.conv2d %x, %w, %b {strides = array<i64: 2, 3>, padding = array<i64: 1, 2, 0, 1>, dilation = array<i64: 1, 2>}
      : (tensor<2x4x9x9xf32>, tensor<6x4x3x3xf32>, tensor<6xf32>) -> tensor<2x6x4x3xf32>
  return %0 : tensor<2x6x4x3xf32>
}

// -----

// groups > 1: channels split into [groups, per-group] on the input, the
// weight and the output, with linalg.conv_2d_ngchw_gfchw in between.
// CHECK-LABEL: func.func @conv2d_grouped
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x9x9xf32>, %[[W:.*]]: tensor<6x2x3x3xf32>, %[[B:.*]]: tensor<6xf32>)
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: } : tensor<2x4x9x9xf32> to tensor<2x4x11x11xf32>
// CHECK: %[[GX:.*]] = tensor.expand_shape %[[P]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [2, 2, 2, 11, 11] : tensor<2x4x11x11xf32> into tensor<2x2x2x11x11xf32>
// CHECK: %[[GW:.*]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3] : tensor<6x2x3x3xf32> into tensor<2x3x2x3x3xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x2x3x9x9xf32>)
// CHECK: %[[C:.*]] = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
// CHECK-SAME: ins(%[[GX]], %[[GW]] : tensor<2x2x2x11x11xf32>, tensor<2x3x2x3x3xf32>) outs(%[[INIT]] : tensor<2x2x3x9x9xf32>)
// CHECK: %[[O:.*]] = tensor.collapse_shape %[[C]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<2x2x3x9x9xf32> into tensor<2x6x9x9xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[O]], %{{.*}} : tensor<2x6x9x9xf32>, tensor<6x1x1xf32>)
// CHECK: arith.addf
// CHECK-NOT: linalg.conv_2d_nchw_fchw
func.func @conv2d_grouped(%x: tensor<2x4x9x9xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>) -> tensor<2x6x9x9xf32> {
  %0 = hetc.conv2d %x, %w, %b {groups = 2, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<2x4x9x9xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<2x6x9x9xf32>
  return %0 : tensor<2x6x9x9xf32>
}

// -----

// Depthwise (groups = C = F) with strides: any valid grouping of the unit
// per-group channel works, the data order is the same.
// CHECK-LABEL: func.func @conv2d_depthwise
// CHECK: tensor.expand_shape %{{.*}} : tensor<1x4x5x5xf32> into tensor<1x4x1x5x5xf32>
// CHECK: tensor.expand_shape %{{.*}} : tensor<4x1x3x3xf32> into tensor<4x1x1x3x3xf32>
// CHECK: linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK-SAME: outs(%{{.*}} : tensor<1x4x1x2x2xf32>)
// CHECK: tensor.collapse_shape %{{.*}} : tensor<1x4x1x2x2xf32> into tensor<1x4x2x2xf32>
func.func @conv2d_depthwise(%x: tensor<1x4x5x5xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32> {
  %0 = hetc.conv2d %x, %w {groups = 4, strides = array<i64: 2, 2>}
      : (tensor<1x4x5x5xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32>
  return %0 : tensor<1x4x2x2xf32>
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

// -----

// Strides default to the kernel size; the max starts from -inf.
// CHECK-LABEL: func.func @max_pool2d
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x9x9xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4x4x4xf32>
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NINF]] : f32) outs(%[[E]] : tensor<2x4x4x4xf32>)
// CHECK: %[[WIN:.*]] = tensor.empty() : tensor<2x2xf32>
// CHECK: %[[R:.*]] = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK-SAME: ins(%[[X]], %[[WIN]] : tensor<2x4x9x9xf32>, tensor<2x2xf32>) outs(%[[INIT]] : tensor<2x4x4x4xf32>)
// CHECK: return %[[R]]
func.func @max_pool2d(%x: tensor<2x4x9x9xf32>) -> tensor<2x4x4x4xf32> {
  %0 = hetc.max_pool2d %x {kernel_size = array<i64: 2, 2>} : tensor<2x4x9x9xf32> -> tensor<2x4x4x4xf32>
  return %0 : tensor<2x4x4x4xf32>
}

// -----

// Max-pool padding is -inf, so it never wins.
// CHECK-LABEL: func.func @max_pool2d_padded
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x9x9xf32>)
// CHECK: %[[PADV:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 0] high[0, 0, 0, 1] {
// CHECK: tensor.yield %[[PADV]] : f32
// CHECK: } : tensor<2x4x9x9xf32> to tensor<2x4x10x10xf32>
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NINF]] : f32) outs(%{{.*}} : tensor<2x4x4x9xf32>)
// CHECK: %[[WIN:.*]] = tensor.empty() : tensor<3x2xf32>
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>}
// CHECK-SAME: ins(%[[P]], %[[WIN]] : tensor<2x4x10x10xf32>, tensor<3x2xf32>) outs(%[[INIT]] : tensor<2x4x4x9xf32>)
func.func @max_pool2d_padded(%x: tensor<2x4x9x9xf32>) -> tensor<2x4x4x9xf32> {
  %0 = hetc.max_pool2d %x {kernel_size = array<i64: 3, 2>, strides = array<i64: 2, 1>, padding = array<i64: 1, 0, 0, 1>}
      : tensor<2x4x9x9xf32> -> tensor<2x4x4x9xf32>
  return %0 : tensor<2x4x4x9xf32>
}

// -----

// count_include_pad (the default): zero padding, sum pooling, divide by
// kh * kw everywhere.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @avg_pool2d_include_pad
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x9x9xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1] {
// CHECK: tensor.yield %[[ZERO]] : f32
// CHECK: } : tensor<2x4x9x9xf32> to tensor<2x4x11x11xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x4x5x5xf32>)
// CHECK: %[[WIN:.*]] = tensor.empty() : tensor<3x3xf32>
// CHECK: %[[SUM:.*]] = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK-SAME: ins(%[[P]], %[[WIN]] : tensor<2x4x11x11xf32>, tensor<3x3xf32>) outs(%[[INIT]] : tensor<2x4x5x5xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[SUM]] : tensor<2x4x5x5xf32>)
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[N:.*]] = arith.constant 9.000000e+00 : f32
// CHECK-NEXT: %[[D:.*]] = arith.divf %[[V]], %[[N]] : f32
// CHECK-NEXT: linalg.yield %[[D]] : f32
// CHECK-NOT: linalg.index
// CHECK: return %[[R]]
func.func @avg_pool2d_include_pad(%x: tensor<2x4x9x9xf32>) -> tensor<2x4x5x5xf32> {
  %0 = hetc.avg_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : tensor<2x4x9x9xf32> -> tensor<2x4x5x5xf32>
  return %0 : tensor<2x4x5x5xf32>
}

// -----

// Without count_include_pad the divisor is the number of in-bounds window
// elements: per spatial dim, start = o * stride - pad_begin, end = start + k,
// count = min(end, size) - max(start, 0).
// CHECK-LABEL: func.func @avg_pool2d_exclude_pad
// CHECK: %[[SUM:.*]] = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>}
// CHECK-SAME: outs(%{{.*}} : tensor<2x4x4x9xf32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[SUM]] : tensor<2x4x4x9xf32>)
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[OH:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[SH:.*]] = arith.constant 2 : index
// CHECK-NEXT: %[[T0:.*]] = arith.muli %[[OH]], %[[SH]] : index
// CHECK-NEXT: %[[PT:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[H0:.*]] = arith.subi %[[T0]], %[[PT]] : index
// CHECK-NEXT: %[[KH:.*]] = arith.constant 3 : index
// CHECK-NEXT: %[[H1:.*]] = arith.addi %[[H0]], %[[KH]] : index
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[LO:.*]] = arith.maxsi %[[H0]], %[[Z]] : index
// CHECK-NEXT: %[[H:.*]] = arith.constant 9 : index
// CHECK-NEXT: %[[HI:.*]] = arith.minsi %[[H1]], %[[H]] : index
// CHECK-NEXT: %[[ROWS:.*]] = arith.subi %[[HI]], %[[LO]] : index
// CHECK-NEXT: %[[OW:.*]] = linalg.index 3 : index
// CHECK-NEXT: %[[SW:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[T1:.*]] = arith.muli %[[OW]], %[[SW]] : index
// CHECK-NEXT: %[[PL:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[W0:.*]] = arith.subi %[[T1]], %[[PL]] : index
// CHECK-NEXT: %[[KW:.*]] = arith.constant 2 : index
// CHECK-NEXT: %[[W1:.*]] = arith.addi %[[W0]], %[[KW]] : index
// CHECK-NEXT: %[[Z2:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[LO2:.*]] = arith.maxsi %[[W0]], %[[Z2]] : index
// CHECK-NEXT: %[[W:.*]] = arith.constant 9 : index
// CHECK-NEXT: %[[HI2:.*]] = arith.minsi %[[W1]], %[[W]] : index
// CHECK-NEXT: %[[COLS:.*]] = arith.subi %[[HI2]], %[[LO2]] : index
// CHECK-NEXT: %[[CNT:.*]] = arith.muli %[[ROWS]], %[[COLS]] : index
// CHECK-NEXT: %[[CI:.*]] = arith.index_cast %[[CNT]] : index to i64
// CHECK-NEXT: %[[CF:.*]] = arith.sitofp %[[CI]] : i64 to f32
// CHECK-NEXT: %[[D:.*]] = arith.divf %[[V]], %[[CF]] : f32
// CHECK-NEXT: linalg.yield %[[D]] : f32
func.func @avg_pool2d_exclude_pad(%x: tensor<2x4x9x9xf32>) -> tensor<2x4x4x9xf32> {
  %0 = hetc.avg_pool2d %x {kernel_size = array<i64: 3, 2>, strides = array<i64: 2, 1>, padding = array<i64: 1, 0, 0, 1>, count_include_pad = false}
      : tensor<2x4x9x9xf32> -> tensor<2x4x4x9xf32>
  return %0 : tensor<2x4x4x9xf32>
}

// -----

// No padding: default strides, plain division.
// CHECK-LABEL: func.func @avg_pool2d_default
// CHECK-NOT: tensor.pad
// CHECK: linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK: arith.constant 4.000000e+00 : f32
// CHECK: arith.divf
func.func @avg_pool2d_default(%x: tensor<8x16x32x32xf32>) -> tensor<8x16x16x16xf32> {
  %0 = hetc.avg_pool2d %x {kernel_size = array<i64: 2, 2>} : tensor<8x16x32x32xf32> -> tensor<8x16x16x16xf32>
  return %0 : tensor<8x16x16x16xf32>
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

// -----

// batch_norm on [N, C]: statistics over N, biased variance,
// (x - mean) * rsqrt(var + eps) * scale + bias.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[KEPT:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @batch_norm_2d
// CHECK-SAME: (%[[X:.*]]: tensor<5x4xf32>, %[[G:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[S:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]]], iterator_types = ["reduction", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<5x4xf32>) outs(%{{.*}} : tensor<4xf32>)
// CHECK: arith.addf
// CHECK: %[[SK:.*]] = tensor.expand_shape %[[S]] {{\[\[}}0, 1]] output_shape [1, 4] : tensor<4xf32> into tensor<1x4xf32>
// CHECK: %[[MEAN:.*]] = linalg.generic
// CHECK-SAME: ins(%[[SK]] : tensor<1x4xf32>)
// CHECK: arith.constant 5.000000e+00 : f32
// CHECK: arith.divf
// CHECK: %[[CEN:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[ID]]]
// CHECK-SAME: ins(%[[X]], %[[MEAN]] : tensor<5x4xf32>, tensor<1x4xf32>)
// CHECK: arith.subf
// CHECK: %[[SQ:.*]] = linalg.generic
// CHECK-SAME: ins(%[[CEN]] : tensor<5x4xf32>)
// CHECK-NEXT: ^bb0(%[[C:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.mulf %[[C]], %[[C]] : f32
// CHECK: %[[VS:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]]], iterator_types = ["reduction", "parallel"]}
// CHECK-SAME: ins(%[[SQ]] : tensor<5x4xf32>)
// CHECK: %[[VK:.*]] = tensor.expand_shape %[[VS]]
// CHECK: %[[VAR:.*]] = linalg.generic
// CHECK-SAME: ins(%[[VK]] : tensor<1x4xf32>)
// CHECK: arith.constant 5.000000e+00 : f32
// CHECK: arith.divf
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[CH]], #[[CH]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[CEN]], %[[VAR]], %[[G]], %[[B]] : tensor<5x4xf32>, tensor<1x4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[C:.*]]: f32, %[[V:.*]]: f32, %[[GS:.*]]: f32, %[[BS:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[EPS:.*]] = arith.constant 1.000000e-03 : f32
// CHECK-NEXT: %[[VE:.*]] = arith.addf %[[V]], %[[EPS]] : f32
// CHECK-NEXT: %[[RSTD:.*]] = math.rsqrt %[[VE]] : f32
// CHECK-NEXT: %[[NORM:.*]] = arith.mulf %[[C]], %[[RSTD]] : f32
// CHECK-NEXT: %[[SC:.*]] = arith.mulf %[[NORM]], %[[GS]] : f32
// CHECK-NEXT: %[[Y:.*]] = arith.addf %[[SC]], %[[BS]] : f32
// CHECK-NEXT: linalg.yield %[[Y]] : f32
// CHECK: return %[[R]]
func.func @batch_norm_2d(%x: tensor<5x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<5x4xf32> {
  %0 = hetc.batch_norm %x, %g, %b {epsilon = 1.0e-3 : f64} : (tensor<5x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

// batch_norm on NCHW: statistics over (N, H, W), count N * H * W = 18;
// scale and bias are read as [C, 1, 1].
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-DAG: #[[KEPT:.*]] = affine_map<(d0, d1, d2, d3) -> (0, d1, 0, 0)>
// CHECK-DAG: #[[AFF:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-LABEL: func.func @batch_norm_4d
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x3x3xf32>, %[[G:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[S:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]]], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
// CHECK: tensor.expand_shape %[[S]] {{\[\[}}0, 1, 2, 3]] output_shape [1, 4, 1, 1] : tensor<4xf32> into tensor<1x4x1x1xf32>
// CHECK: arith.constant 1.800000e+01 : f32
// CHECK: %[[CEN:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[ID]]]
// CHECK: arith.subf
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[CH]]], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
// CHECK: arith.constant 1.800000e+01 : f32
// CHECK-DAG: %[[G3:.*]] = tensor.expand_shape %[[G]] {{\[\[}}0, 1, 2]] output_shape [4, 1, 1] : tensor<4xf32> into tensor<4x1x1xf32>
// CHECK-DAG: %[[B3:.*]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1, 2]] output_shape [4, 1, 1] : tensor<4xf32> into tensor<4x1x1xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[AFF]], #[[AFF]], #[[ID]]]
// CHECK-SAME: ins(%[[CEN]], %{{.*}}, %[[G3]], %[[B3]] : tensor<2x4x3x3xf32>, tensor<1x4x1x1xf32>, tensor<4x1x1xf32>, tensor<4x1x1xf32>)
// CHECK: arith.constant 9.99999974E-6 : f32
// CHECK: math.rsqrt
func.func @batch_norm_4d(%x: tensor<2x4x3x3xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<2x4x3x3xf32> {
  %0 = hetc.batch_norm %x, %g, %b : (tensor<2x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x3x3xf32>
  return %0 : tensor<2x4x3x3xf32>
}

// -----

// layer_norm over the last dimension; scale and bias broadcast over the
// leading ones.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[RED:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[KEPT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
// CHECK-DAG: #[[AFF:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[G:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[RED]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]] : tensor<2x3x4xf32>)
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [2, 3, 1] : tensor<2x3xf32> into tensor<2x3x1xf32>
// CHECK: arith.constant 4.000000e+00 : f32
// CHECK: %[[CEN:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[ID]]]
// CHECK: arith.subf
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[RED]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: arith.constant 4.000000e+00 : f32
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[AFF]], #[[AFF]], #[[ID]]]
// CHECK-SAME: ins(%[[CEN]], %{{.*}}, %[[G]], %[[B]] : tensor<2x3x4xf32>, tensor<2x3x1xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: arith.constant 9.99999974E-6 : f32
// CHECK: math.rsqrt
// CHECK: return %[[R]]
func.func @layer_norm(%x: tensor<2x3x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = hetc.layer_norm %x, %g, %b : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// layer_norm over the two trailing dimensions (count 12).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[RED:.*]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-DAG: #[[KEPT:.*]] = affine_map<(d0, d1, d2) -> (d0, 0, 0)>
// CHECK-DAG: #[[AFF:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @layer_norm_2d_scale
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[RED]]], iterator_types = ["parallel", "reduction", "reduction"]}
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2]] output_shape [2, 1, 1] : tensor<2xf32> into tensor<2x1x1xf32>
// CHECK: arith.constant 1.200000e+01 : f32
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[AFF]], #[[AFF]], #[[ID]]]
// CHECK-SAME: tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<3x4xf32>, tensor<3x4xf32>
// CHECK: arith.constant 1.000000e-01 : f32
func.func @layer_norm_2d_scale(%x: tensor<2x3x4xf32>, %g: tensor<3x4xf32>, %b: tensor<3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = hetc.layer_norm %x, %g, %b {epsilon = 0.1 : f64} : (tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

//===----------------------------------------------------------------------===//
// embedding
//===----------------------------------------------------------------------===//

// -----

// Each output element gathers table[clamp(index, 0, V - 1), d].
// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @embedding
// CHECK-SAME: (%[[T:.*]]: tensor<10x4xf32>, %[[I:.*]]: tensor<2x3xi64>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x3x4xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[IDX]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[I]] : tensor<2x3xi64>) outs(%[[E]] : tensor<2x3x4xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: i64, %{{.*}}: f32):
// CHECK-NEXT: %[[ROW:.*]] = arith.index_cast %[[IN]] : i64 to index
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[LO:.*]] = arith.maxsi %[[ROW]], %[[Z]] : index
// CHECK-NEXT: %[[V:.*]] = arith.constant 9 : index
// CHECK-NEXT: %[[CL:.*]] = arith.minsi %[[LO]], %[[V]] : index
// CHECK-NEXT: %[[COL:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[X:.*]] = tensor.extract %[[T]][%[[CL]], %[[COL]]] : tensor<10x4xf32>
// CHECK-NEXT: linalg.yield %[[X]] : f32
// CHECK: return %[[R]]
func.func @embedding(%t: tensor<10x4xf32>, %i: tensor<2x3xi64>) -> tensor<2x3x4xf32> {
  %0 = hetc.embedding %t, %i : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// A 0-d i32 index selects one row.
// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0) -> ()>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @embedding_0d_index
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #[[ID]]], iterator_types = ["parallel"]}
// CHECK-SAME: ins(%{{.*}} : tensor<i32>) outs(%{{.*}} : tensor<4xf32>)
// CHECK: arith.index_cast %{{.*}} : i32 to index
// CHECK: %[[COL:.*]] = linalg.index 0 : index
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %[[COL]]] : tensor<10x4xf32>
func.func @embedding_0d_index(%t: tensor<10x4xf32>, %i: tensor<i32>) -> tensor<4xf32> {
  %0 = hetc.embedding %t, %i : (tensor<10x4xf32>, tensor<i32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
