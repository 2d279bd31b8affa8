// RUN: hetc-opt %s --convert-hetc-to-linalg --split-input-file | FileCheck %s
// RUN: hetc-opt %s --convert-hetc-to-linalg --split-input-file | hetc-opt --split-input-file --verify-each > /dev/null

// Shape ops: reshapes through tensor.collapse_shape / tensor.expand_shape,
// transpose to linalg.transpose, broadcast_to to a broadcasting generic,
// concat to insert_slices and slice to extract_slice.

// CHECK-LABEL: func.func @reshape_collapse
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_collapse(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = hetc.reshape %x [6, 4] : tensor<2x3x4xf32> -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_collapse_all
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x1xf32>)
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1, 2]] : tensor<1x4x1xf32> into tensor<4xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_collapse_all(%x: tensor<1x4x1xf32>) -> tensor<4xf32> {
  %0 = hetc.reshape %x [-1] : tensor<1x4x1xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_expand
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[R:.*]] = tensor.expand_shape %[[X]] {{\[\[}}0], [1], [2, 3]] output_shape [2, 3, 2, 2] : tensor<2x3x4xf32> into tensor<2x3x2x2xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_expand(%x: tensor<2x3x4xf32>) -> tensor<2x3x2x2xf32> {
  %0 = hetc.reshape %x [2, 3, 2, -1] : tensor<2x3x4xf32> -> tensor<2x3x2x2xf32>
  return %0 : tensor<2x3x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_expand_unit_dims
// CHECK-SAME: (%[[X:.*]]: tensor<6x4xf32>)
// CHECK: %[[R:.*]] = tensor.expand_shape %[[X]] {{\[\[}}0, 1], [2, 3]] output_shape [2, 3, 1, 4] : tensor<6x4xf32> into tensor<2x3x1x4xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_expand_unit_dims(%x: tensor<6x4xf32>) -> tensor<2x3x1x4xf32> {
  %0 = hetc.reshape %x [2, 3, 1, 4] : tensor<6x4xf32> -> tensor<2x3x1x4xf32>
  return %0 : tensor<2x3x1x4xf32>
}

// -----

// Same rank, regrouped: no reassociation exists, so the lowering goes
// through a rank-1 tensor.
// CHECK-LABEL: func.func @reshape_same_rank
// CHECK-SAME: (%[[X:.*]]: tensor<6x4xf32>)
// CHECK: %[[F:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1]] : tensor<6x4xf32> into tensor<24xf32>
// CHECK-NEXT: %[[R:.*]] = tensor.expand_shape %[[F]] {{\[\[}}0, 1]] output_shape [4, 6] : tensor<24xf32> into tensor<4x6xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_same_rank(%x: tensor<6x4xf32>) -> tensor<4x6xf32> {
  %0 = hetc.reshape %x [4, 6] : tensor<6x4xf32> -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

// Fewer dimensions, but the groups do not line up (2x3x4 -> 3x8): the
// rank-1 fallback.
// CHECK-LABEL: func.func @reshape_rank1_fallback
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[F:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK-NEXT: %[[R:.*]] = tensor.expand_shape %[[F]] {{\[\[}}0, 1]] output_shape [3, 8] : tensor<24xf32> into tensor<3x8xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_rank1_fallback(%x: tensor<2x3x4xf32>) -> tensor<3x8xf32> {
  %0 = hetc.reshape %x [3, 8] : tensor<2x3x4xf32> -> tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// -----

// More dimensions that do not refine the input's (2x3x4 -> 2x12x1).
// CHECK-LABEL: func.func @reshape_rank1_fallback_expand
// CHECK: %[[F:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK-NEXT: %[[R:.*]] = tensor.expand_shape %[[F]] {{\[\[}}0, 1, 2]] output_shape [2, 12, 1] : tensor<24xf32> into tensor<2x12x1xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_rank1_fallback_expand(%x: tensor<2x3x4xf32>) -> tensor<2x12x1xf32> {
  %0 = hetc.reshape %x [2, 12, 1] : tensor<2x3x4xf32> -> tensor<2x12x1xf32>
  return %0 : tensor<2x12x1xf32>
}

// -----

// 0-d tensors reshape with an empty reassociation.
// CHECK-LABEL: func.func @reshape_0d
// CHECK-SAME: (%[[S:.*]]: tensor<f32>, %[[U:.*]]: tensor<1x1xf32>)
// CHECK-DAG: %[[E:.*]] = tensor.expand_shape %[[S]] [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
// CHECK-DAG: %[[C:.*]] = tensor.collapse_shape %[[U]] [] : tensor<1x1xf32> into tensor<f32>
// CHECK: return %[[E]], %[[C]]
func.func @reshape_0d(%s: tensor<f32>, %u: tensor<1x1xf32>) -> (tensor<1x1xf32>, tensor<f32>) {
  %0 = hetc.reshape %s [1, 1] : tensor<f32> -> tensor<1x1xf32>
  %1 = hetc.reshape %u [] : tensor<1x1xf32> -> tensor<f32>
  return %0, %1 : tensor<1x1xf32>, tensor<f32>
}

// -----

// CHECK-LABEL: func.func @reshape_0d_rank1
// CHECK-SAME: (%[[S:.*]]: tensor<f32>, %[[V:.*]]: tensor<1xf32>)
// CHECK-DAG: %[[E:.*]] = tensor.expand_shape %[[S]] [] output_shape [1] : tensor<f32> into tensor<1xf32>
// CHECK-DAG: %[[C:.*]] = tensor.collapse_shape %[[V]] [] : tensor<1xf32> into tensor<f32>
// CHECK: return %[[E]], %[[C]]
func.func @reshape_0d_rank1(%s: tensor<f32>, %v: tensor<1xf32>) -> (tensor<1xf32>, tensor<f32>) {
  %0 = hetc.reshape %s [1] : tensor<f32> -> tensor<1xf32>
  %1 = hetc.reshape %v [] : tensor<1xf32> -> tensor<f32>
  return %0, %1 : tensor<1xf32>, tensor<f32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<4x2x3xf32>
// CHECK: %[[R:.*]] = linalg.transpose ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<4x2x3xf32>) permutation = [2, 0, 1]
// CHECK: return %[[R]]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = hetc.transpose %x [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_2d
// CHECK: linalg.transpose ins(%{{.*}} : tensor<128x64xf32>) outs(%{{.*}} : tensor<64x128xf32>) permutation = [1, 0]
func.func @transpose_2d(%w: tensor<128x64xf32>) -> tensor<64x128xf32> {
  %0 = hetc.transpose %w [1, 0] : tensor<128x64xf32> -> tensor<64x128xf32>
  return %0 : tensor<64x128xf32>
}

// -----

// broadcast_to copies through a broadcasting input map.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @broadcast_to
// CHECK-SAME: (%[[X:.*]]: tensor<3x1xf32>)
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<2x3x4xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<3x1xf32>) outs(%[[INIT]] : tensor<2x3x4xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[A]] : f32
// CHECK: return %[[R]]
func.func @broadcast_to(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = hetc.broadcast_to %x [2, 3, 4] : tensor<3x1xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @broadcast_to_from_0d
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%{{.*}} : tensor<f32>) outs(%{{.*}} : tensor<32x10xf32>)
func.func @broadcast_to_from_0d(%x: tensor<f32>) -> tensor<32x10xf32> {
  %0 = hetc.broadcast_to %x [32, 10] : tensor<f32> -> tensor<32x10xf32>
  return %0 : tensor<32x10xf32>
}

// -----

// concat: each input lands at the running offset along the axis.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.*]]: tensor<2x3x4xf32>, %[[B:.*]]: tensor<2x5x4xf32>, %[[C:.*]]: tensor<2x1x4xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x9x4xf32>
// CHECK: %[[I0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0, 0] [2, 3, 4] [1, 1, 1] : tensor<2x3x4xf32> into tensor<2x9x4xf32>
// CHECK: %[[I1:.*]] = tensor.insert_slice %[[B]] into %[[I0]][0, 3, 0] [2, 5, 4] [1, 1, 1] : tensor<2x5x4xf32> into tensor<2x9x4xf32>
// CHECK: %[[I2:.*]] = tensor.insert_slice %[[C]] into %[[I1]][0, 8, 0] [2, 1, 4] [1, 1, 1] : tensor<2x1x4xf32> into tensor<2x9x4xf32>
// CHECK: return %[[I2]]
func.func @concat(%a: tensor<2x3x4xf32>, %b: tensor<2x5x4xf32>, %c: tensor<2x1x4xf32>) -> tensor<2x9x4xf32> {
  %0 = hetc.concat %a, %b, %c axis 1 : (tensor<2x3x4xf32>, tensor<2x5x4xf32>, tensor<2x1x4xf32>) -> tensor<2x9x4xf32>
  return %0 : tensor<2x9x4xf32>
}

// -----

// CHECK-LABEL: func.func @concat_axis0
// CHECK-SAME: (%[[A:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<2x3xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<6x3xf32>
// CHECK: %[[I0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [4, 3] [1, 1]
// CHECK: %[[I1:.*]] = tensor.insert_slice %[[B]] into %[[I0]][4, 0] [2, 3] [1, 1]
// CHECK: return %[[I1]]
func.func @concat_axis0(%a: tensor<4x3xf32>, %b: tensor<2x3xf32>) -> tensor<6x3xf32> {
  %0 = hetc.concat %a, %b axis 0 : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<6x3xf32>
  return %0 : tensor<6x3xf32>
}

// -----

// A negative axis counts from the end (-2 of rank 3 is axis 1).
// CHECK-LABEL: func.func @concat_negative_axis
// CHECK-SAME: (%[[A:.*]]: tensor<2x3x4xf32>, %[[B:.*]]: tensor<2x5x4xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x8x4xf32>
// CHECK: %[[I0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0, 0] [2, 3, 4] [1, 1, 1]
// CHECK: %[[I1:.*]] = tensor.insert_slice %[[B]] into %[[I0]][0, 3, 0] [2, 5, 4] [1, 1, 1]
// CHECK: return %[[I1]]
func.func @concat_negative_axis(%a: tensor<2x3x4xf32>, %b: tensor<2x5x4xf32>) -> tensor<2x8x4xf32> {
  %0 = hetc.concat %a, %b axis -2 : (tensor<2x3x4xf32>, tensor<2x5x4xf32>) -> tensor<2x8x4xf32>
  return %0 : tensor<2x8x4xf32>
}

// -----

// CHECK-LABEL: func.func @concat_last_axis
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0] [4, 3] [1, 1] : tensor<4x3xf32> into tensor<4x8xf32>
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 3] [4, 5] [1, 1] : tensor<4x5xf32> into tensor<4x8xf32>
func.func @concat_last_axis(%a: tensor<4x3xf32>, %b: tensor<4x5xf32>) -> tensor<4x8xf32> {
  %0 = hetc.concat %a, %b axis -1 : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// slice keeps offsets, sizes and strides.
// CHECK-LABEL: func.func @slice_strided
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: %[[R:.*]] = tensor.extract_slice %[[X]][0, 2] [4, 3] [1, 2] : tensor<4x8xf32> to tensor<4x3xf32>
// CHECK-NEXT: return %[[R]]
func.func @slice_strided(%x: tensor<4x8xf32>) -> tensor<4x3xf32> {
  %0 = hetc.slice %x offsets [0, 2] sizes [4, 3] strides [1, 2] : tensor<4x8xf32> -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @slice_3d
// CHECK: tensor.extract_slice %{{.*}}[1, 1, 0] [1, 2, 3] [1, 3, 2] : tensor<2x5x6xf32> to tensor<1x2x3xf32>
func.func @slice_3d(%x: tensor<2x5x6xf32>) -> tensor<1x2x3xf32> {
  %0 = hetc.slice %x offsets [1, 1, 0] sizes [1, 2, 3] strides [1, 3, 2] : tensor<2x5x6xf32> -> tensor<1x2x3xf32>
  return %0 : tensor<1x2x3xf32>
}
