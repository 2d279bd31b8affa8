// RUN: hetc-opt %s --convert-hetc-to-linalg --split-input-file | FileCheck %s
// RUN: hetc-opt %s --convert-hetc-to-linalg --split-input-file | hetc-opt --split-input-file --verify-each > /dev/null

// The ops of HetcOpsExtra.td: elementwise ops are one all-parallel
// linalg.generic; gather reads with tensor.extract; cumsum and
// gather_backward are gather-form reductions (no scatter, no atomics).

// CHECK-LABEL: func.func @abs_erf_sign
// CHECK: linalg.generic
// CHECK: math.absf
// CHECK: linalg.generic
// CHECK: math.erf
// CHECK: linalg.generic
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[MONE:.*]] = arith.constant -1.000000e+00 : f32
// CHECK: %[[NEG:.*]] = arith.cmpf olt, %[[X]], %[[ZERO]] : f32
// CHECK: %[[POS:.*]] = arith.cmpf ogt, %[[X]], %[[ZERO]] : f32
// CHECK: %[[S1:.*]] = arith.select %[[NEG]], %[[MONE]], %[[X]] : f32
// CHECK: %[[S2:.*]] = arith.select %[[POS]], %[[ONE]], %[[S1]] : f32
// CHECK: linalg.yield %[[S2]]
func.func @abs_erf_sign(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = hetc.abs %x : tensor<4x8xf32>
  %1 = hetc.erf %0 : tensor<4x8xf32>
  %2 = hetc.sign %1 : tensor<4x8xf32>
  return %2 : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @clamp
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[LO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[A:.*]] = arith.maximumf %[[X]], %[[LO]] : f32
// CHECK: %[[HI:.*]] = arith.constant 6.000000e+00 : f32
// CHECK: %[[B:.*]] = arith.minimumf %[[A]], %[[HI]] : f32
// CHECK: linalg.yield %[[B]]
// CHECK: ^bb0(%[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NOT: arith.maximumf
// CHECK: arith.minimumf %[[Y]]
func.func @clamp(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = hetc.clamp %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<4xf32>
  %1 = hetc.clamp %x {max = 1.0 : f64} : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// A float condition is true where it is not 0 (unordered, so NaN is true);
// the three operands are read through broadcasting maps.
// CHECK-DAG: #[[MC:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[MA:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @where
// CHECK: linalg.generic {indexing_maps = [#[[MC]], #[[MA]], #[[ID]], #[[ID]]]
// CHECK: ^bb0(%[[C:.*]]: f32, %[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[T:.*]] = arith.cmpf une, %[[C]], %{{.*}} : f32
// CHECK: arith.select %[[T]], %[[A]], %[[B]] : f32
// CHECK: ^bb0(%[[CI:.*]]: i1, %[[AI:.*]]: f32, %[[BI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = arith.select %[[CI]], %[[AI]], %[[BI]] : f32
func.func @where(%m: tensor<4x1xf32>, %a: tensor<8xf32>, %b: tensor<4x8xf32>,
                 %c: tensor<4x8xi1>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = hetc.where %m, %a, %b : (tensor<4x1xf32>, tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = hetc.where %c, %a, %b : (tensor<4x8xi1>, tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @cast
// CHECK: arith.trunci %{{.*}} : i64 to i32
// CHECK: arith.extsi %{{.*}} : i32 to i64
// CHECK: arith.fptosi %{{.*}} : f32 to i64
// CHECK: arith.sitofp %{{.*}} : i32 to f16
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: %[[W:.*]] = arith.extf %{{.*}} : f16 to f32
// CHECK: arith.truncf %[[W]] : f32 to bf16
func.func @cast(%l: tensor<4xi64>, %i: tensor<4xi32>, %x: tensor<4xf32>, %h: tensor<4xf16>)
    -> (tensor<4xi32>, tensor<4xi64>, tensor<4xi64>, tensor<4xf16>, tensor<4xbf16>,
        tensor<4xf32>, tensor<4xbf16>) {
  %0 = hetc.cast %l : tensor<4xi64> -> tensor<4xi32>
  %1 = hetc.cast %i : tensor<4xi32> -> tensor<4xi64>
  %2 = hetc.cast %x : tensor<4xf32> -> tensor<4xi64>
  %3 = hetc.cast %i : tensor<4xi32> -> tensor<4xf16>
  %4 = hetc.cast %x : tensor<4xf32> -> tensor<4xbf16>
  %5 = hetc.cast %h : tensor<4xf16> -> tensor<4xf32>
  %6 = hetc.cast %h : tensor<4xf16> -> tensor<4xbf16>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<4xi32>, tensor<4xi64>, tensor<4xi64>,
      tensor<4xf16>, tensor<4xbf16>, tensor<4xf32>, tensor<4xbf16>
}

// -----

// Negative indices wrap once, then clamp to [0, 8).
// CHECK-DAG: #[[MI:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[X:.*]]: tensor<4x8x5xf32>, %[[I:.*]]: tensor<2x3xi64>)
// CHECK: linalg.generic {indexing_maps = [#[[MI]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[I]] : tensor<2x3xi64>)
// CHECK: ^bb0(%[[RAW:.*]]: i64, %{{.*}}: f32):
// CHECK: %[[D0:.*]] = linalg.index 0 : index
// CHECK: %[[IDX:.*]] = arith.index_cast %[[RAW]] : i64 to index
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[IDX]], %{{.*}} : index
// CHECK: %[[WR:.*]] = arith.addi %[[IDX]], %{{.*}} : index
// CHECK: %[[SEL:.*]] = arith.select %[[NEG]], %[[WR]], %[[IDX]] : index
// CHECK: %[[LO:.*]] = arith.maxsi %[[SEL]], %{{.*}} : index
// CHECK: %[[HI:.*]] = arith.minsi %[[LO]], %{{.*}} : index
// CHECK: %[[D3:.*]] = linalg.index 3 : index
// CHECK: %[[V:.*]] = tensor.extract %[[X]][%[[D0]], %[[HI]], %[[D3]]] : tensor<4x8x5xf32>
// CHECK: linalg.yield %[[V]]
func.func @gather(%x: tensor<4x8x5xf32>, %i: tensor<2x3xi64>) -> tensor<4x2x3x5xf32> {
  %0 = hetc.gather %x, %i axis -2 : (tensor<4x8x5xf32>, tensor<2x3xi64>) -> tensor<4x2x3x5xf32>
  return %0 : tensor<4x2x3x5xf32>
}

// -----

// Each position of x sums the gradient slices whose index selected it: a
// reduction over the 6 flattened indices, one writer per output element.
// CHECK-DAG: #[[MK:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[MG:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[MO:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @gather_backward
// CHECK: %[[IF:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<2x3xi32> into tensor<6xi32>
// CHECK: %[[GF:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : tensor<4x2x3xf32> into tensor<4x6xf32>
// CHECK: %[[Z:.*]] = linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[MK]], #[[MG]], #[[MO]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[IF]], %[[GF]] : tensor<6xi32>, tensor<4x6xf32>) outs(%[[Z]] : tensor<4x8xf32>)
// CHECK: ^bb0(%[[RAW:.*]]: i32, %[[G:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[J:.*]] = linalg.index 1 : index
// CHECK: %[[HIT:.*]] = arith.cmpi eq, %{{.*}}, %[[J]] : index
// CHECK: %[[C:.*]] = arith.select %[[HIT]], %[[G]], %{{.*}} : f32
// CHECK: %[[S:.*]] = arith.addf %[[ACC]], %[[C]] : f32
// CHECK: linalg.yield %[[S]]
func.func @gather_backward(%g: tensor<4x2x3xf32>, %i: tensor<2x3xi32>, %x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = hetc.gather_backward %g, %i, %x axis 1 : (tensor<4x2x3xf32>, tensor<2x3xi32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// y[i, j] = sum over k of x[i, k] where k <= j (ule), k < j exclusive,
// k >= j reverse, k > j both.
// CHECK-DAG: #[[MIN:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[MOUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @cumsum
// CHECK: linalg.generic {indexing_maps = [#[[MIN]], #[[MOUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: ^bb0(%[[X:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[K:.*]] = linalg.index 2 : index
// CHECK: %[[J:.*]] = linalg.index 1 : index
// CHECK: %[[IN:.*]] = arith.cmpi ule, %[[K]], %[[J]] : index
// CHECK: %[[T:.*]] = arith.select %[[IN]], %[[X]], %{{.*}} : f32
// CHECK: arith.addf %[[ACC]], %[[T]] : f32
// CHECK: arith.cmpi ult
// CHECK: arith.cmpi uge
// CHECK: arith.cmpi ugt
func.func @cumsum(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = hetc.cumsum %x axis 1 : tensor<4x8xf32>
  %1 = hetc.cumsum %x axis 1 exclusive : tensor<4x8xf32>
  %2 = hetc.cumsum %x axis -1 reverse : tensor<4x8xf32>
  %3 = hetc.cumsum %x axis 1 exclusive reverse : tensor<4x8xf32>
  return %0, %1, %2, %3 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_min
// CHECK: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[INF]] : f32)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.minimumf
// CHECK: tensor.expand_shape
func.func @reduce_min(%x: tensor<4x8xf32>) -> tensor<4x1xf32> {
  %0 = hetc.reduce_min %x [-1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// -----

// Integer compare: signed cmpi, an f32 0/1 mask.
// CHECK-LABEL: func.func @compare_integer
// CHECK: ^bb0(%[[A:.*]]: i64, %[[B:.*]]: i64, %{{.*}}: f32):
// CHECK: %[[H:.*]] = arith.cmpi slt, %[[A]], %[[B]] : i64
// CHECK: arith.select %[[H]], %{{.*}}, %{{.*}} : f32
func.func @compare_integer(%a: tensor<4x8xi64>, %b: tensor<i64>) -> tensor<4x8xf32> {
  %0 = hetc.compare lt, %a, %b : (tensor<4x8xi64>, tensor<i64>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
