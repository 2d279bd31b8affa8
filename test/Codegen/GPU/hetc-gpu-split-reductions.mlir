// RUN: hetc-opt %s --pass-pipeline='builtin.module(func.func(hetc-gpu-split-reductions))' | FileCheck %s
// RUN: hetc-opt %s --pass-pipeline='builtin.module(func.func(hetc-gpu-split-reductions{chunk=256 max-outputs=8}))' | FileCheck %s --check-prefix=OPTS

// A sum of 4096 elements becomes 128 partial sums of 32 elements each, then
// a sum of the 128 partials into the original init.
// CHECK-LABEL: func.func @sum
// CHECK-SAME: (%[[X:.*]]: tensor<4096xf32>, %[[INIT:.*]]: tensor<f32>)
// CHECK: %[[CHUNKS:.*]] = tensor.expand_shape %[[X]] {{\[\[}}0, 1]] output_shape [128, 32] : tensor<4096xf32> into tensor<128x32xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<128xf32>
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[FILLED:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<128xf32>)
// CHECK: %[[PARTIALS:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK-SAME: ins(%[[CHUNKS]] : tensor<128x32xf32>) outs(%[[FILLED]] : tensor<128xf32>)
// CHECK: arith.addf
// CHECK: %[[TOTAL:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["reduction"]
// CHECK-SAME: ins(%[[PARTIALS]] : tensor<128xf32>) outs(%[[INIT]] : tensor<f32>)
// CHECK: arith.addf
// CHECK: return %[[TOTAL]] : tensor<f32>

// With chunk=256 the partials cover 256 elements: 16 of them.
// OPTS-LABEL: func.func @sum
// OPTS: tensor.expand_shape %{{.*}} output_shape [16, 256] : tensor<4096xf32> into tensor<16x256xf32>
// OPTS: linalg.generic {{.*}} ins(%{{.*}} : tensor<16xf32>) outs(%{{.*}} : tensor<f32>)
func.func @sum(%x: tensor<4096xf32>, %init: tensor<f32>) -> tensor<f32> {
  %r = linalg.reduce ins(%x : tensor<4096xf32>) outs(%init : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<f32>
}

// A row maximum: the partials dimension goes first (partial i covers chunk
// i of every row) and starts at the combiner's neutral element, -inf.
// CHECK-LABEL: func.func @row_max
// CHECK-SAME: (%[[X:.*]]: tensor<16x1024xf32>, %[[INIT:.*]]: tensor<16xf32>)
// CHECK: %[[CHUNKS:.*]] = tensor.expand_shape %[[X]] {{\[\[}}0], [1, 2]] output_shape [16, 32, 32] : tensor<16x1024xf32> into tensor<16x32x32xf32>
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[FILLED:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<32x16xf32>)
// CHECK: %[[PARTIALS:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[CHUNKS]] : tensor<16x32x32xf32>) outs(%[[FILLED]] : tensor<32x16xf32>)
// CHECK: arith.maximumf
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "parallel"]
// CHECK-SAME: ins(%[[PARTIALS]] : tensor<32x16xf32>) outs(%[[INIT]] : tensor<16xf32>)
// CHECK: arith.maximumf

// 16 outputs are more than max-outputs=8: left whole.
// OPTS-LABEL: func.func @row_max
// OPTS-NOT: tensor.expand_shape
// OPTS: linalg.reduce
func.func @row_max(%x: tensor<16x1024xf32>, %init: tensor<16xf32>) -> tensor<16xf32> {
  %r = linalg.reduce ins(%x : tensor<16x1024xf32>) outs(%init : tensor<16xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %m = arith.maximumf %in, %acc : f32
      linalg.yield %m : f32
    }
  return %r : tensor<16xf32>
}

// Fewer than min-size (256) reduced elements: left whole.
// CHECK-LABEL: func.func @small
// CHECK-NOT: tensor.expand_shape
// CHECK: linalg.reduce ins(%{{.*}} : tensor<64xf32>)
// CHECK-NOT: linalg.generic
func.func @small(%x: tensor<64xf32>, %init: tensor<f32>) -> tensor<f32> {
  %r = linalg.reduce ins(%x : tensor<64xf32>) outs(%init : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<f32>
}

// A prime size has no divisor to split by: left whole.
// CHECK-LABEL: func.func @prime
// CHECK-NOT: tensor.expand_shape
// CHECK: linalg.reduce ins(%{{.*}} : tensor<4099xf32>)
func.func @prime(%x: tensor<4099xf32>, %init: tensor<f32>) -> tensor<f32> {
  %r = linalg.reduce ins(%x : tensor<4099xf32>) outs(%init : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<f32>
}

// Only tensors are split: after bufferization the pass changes nothing.
// CHECK-LABEL: func.func @buffers
// CHECK-NOT: memref.expand_shape
// CHECK: linalg.reduce ins(%{{.*}} : memref<4096xf32>) outs(%{{.*}} : memref<f32>)
func.func @buffers(%x: memref<4096xf32>, %init: memref<f32>) {
  linalg.reduce ins(%x : memref<4096xf32>) outs(%init : memref<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return
}

// Several reduced dimensions (batch-norm statistics: a sum of squares over
// N and H for each channel): the partials are indexed by the longest one
// (H = 64), each reducing the others, then combined with the combiner.
// CHECK-LABEL: func.func @channel_sum_of_squares
// CHECK-SAME: (%[[X:[^:]+]]: tensor<32x4x64xf32>, %[[INIT:[^:]+]]: tensor<4xf32>)
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<64x4xf32>
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[FILLED:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<64x4xf32>)
// CHECK: %[[PARTIALS:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}], iterator_types = ["reduction", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<32x4x64xf32>) outs(%[[FILLED]] : tensor<64x4xf32>)
// CHECK:   %[[SQ:.+]] = arith.mulf
// CHECK:   arith.addf %[[SQ]]
// CHECK: %[[TOTAL:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "parallel"]
// CHECK-SAME: ins(%[[PARTIALS]] : tensor<64x4xf32>) outs(%[[INIT]] : tensor<4xf32>)
// CHECK:   arith.addf
// CHECK-NOT: arith.mulf
// CHECK: return %[[TOTAL]]
#nch = affine_map<(n, c, h) -> (n, c, h)>
#c = affine_map<(n, c, h) -> (c)>
func.func @channel_sum_of_squares(%x: tensor<32x4x64xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %r = linalg.generic {indexing_maps = [#nch, #c], iterator_types = ["reduction", "parallel", "reduction"]}
      ins(%x : tensor<32x4x64xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %sq = arith.mulf %v, %v : f32
    %s = arith.addf %sq, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// A sum of 262144 elements leaves 8192 partials, long enough to split
// again, and so on: 8192 threads, then 256, then 8, then a sum of 8.
// CHECK-LABEL: func.func @very_long
// CHECK: linalg.generic {{.*}} ins(%{{.+}} : tensor<8192x32xf32>) outs(%{{.+}} : tensor<8192xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.+}} : tensor<256x32xf32>) outs(%{{.+}} : tensor<256xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.+}} : tensor<8x32xf32>) outs(%{{.+}} : tensor<8xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.+}} : tensor<8xf32>) outs(%{{.+}} : tensor<f32>)
func.func @very_long(%x: tensor<262144xf32>) -> tensor<f32> {
  %init = tensor.empty() : tensor<f32>
  %zero = arith.constant 0.0 : f32
  %fill = linalg.fill ins(%zero : f32) outs(%init : tensor<f32>) -> tensor<f32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%x : tensor<262144xf32>) outs(%fill : tensor<f32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}
