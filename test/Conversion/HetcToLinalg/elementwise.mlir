// RUN: hetc-opt %s --convert-hetc-to-linalg --split-input-file | FileCheck %s
// RUN: hetc-opt %s --convert-hetc-to-linalg --split-input-file | hetc-opt --split-input-file --verify-each > /dev/null

// Elementwise ops: one all-parallel linalg.generic each, operands read
// through numpy broadcasting maps.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @add_same_shape
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<4x8xf32>)
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<4x8xf32>, tensor<4x8xf32>) outs(%[[INIT]] : tensor<4x8xf32>)
// CHECK-NEXT: ^bb0(%[[L:.*]]: f32, %[[RR:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[L]], %[[RR]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @add_same_shape(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = hetc.add %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Size-1 dimensions that broadcast read index 0; the shorter operand is
// aligned with the trailing result dimensions.
// CHECK-DAG: #[[MA:.*]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-DAG: #[[MB:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<4x1x8xf32>, %[[B:.*]]: tensor<3x1xf32>)
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<4x3x8xf32>
// CHECK: linalg.generic {indexing_maps = [#[[MA]], #[[MB]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<4x1x8xf32>, tensor<3x1xf32>) outs(%[[INIT]] : tensor<4x3x8xf32>)
// CHECK: arith.addf
func.func @add_broadcast(%a: tensor<4x1x8xf32>, %b: tensor<3x1xf32>) -> tensor<4x3x8xf32> {
  %0 = hetc.add %a, %b : (tensor<4x1x8xf32>, tensor<3x1xf32>) -> tensor<4x3x8xf32>
  return %0 : tensor<4x3x8xf32>
}

// -----

// Rank extension: a rank-1 rhs reads the last result dimension.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @sub_rank_extension
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3xf32>)
// CHECK-NEXT: ^bb0(%[[L:.*]]: f32, %[[RR:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = arith.subf %[[L]], %[[RR]] : f32
// CHECK-NEXT: linalg.yield %[[S]]
func.func @sub_rank_extension(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = hetc.sub %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A 0-d operand is read through an empty map; the operand order is kept for
// the non-commutative op.
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @sub_scalar_lhs
// CHECK-SAME: (%[[A:.*]]: tensor<f32>, %[[B:.*]]: tensor<2x3xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[SCALAR]], #[[ID]], #[[ID]]]
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<f32>, tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[L:.*]]: f32, %[[RR:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.subf %[[L]], %[[RR]] : f32
func.func @sub_scalar_lhs(%a: tensor<f32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = hetc.sub %a, %b : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Both operands broadcast into a result larger than either.
// CHECK-DAG: #[[MA:.*]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-DAG: #[[MB:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @mul_outer_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[MA]], #[[MB]], #[[ID]]]
// CHECK-SAME: outs(%{{.*}} : tensor<2x4x3xf32>)
// CHECK: arith.mulf
func.func @mul_outer_broadcast(%a: tensor<2x1x3xf32>, %b: tensor<4x1xf32>) -> tensor<2x4x3xf32> {
  %0 = hetc.mul %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

// A size-1 dimension that is also size 1 in the result is not broadcast.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[MB:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @div_unit_result_dim
// CHECK-SAME: (%[[A:.*]]: tensor<1x3xf32>, %[[B:.*]]: tensor<1x1xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[MB]], #[[ID]]]
// CHECK-NEXT: ^bb0(%[[L:.*]]: f32, %[[RR:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.divf %[[L]], %[[RR]] : f32
func.func @div_unit_result_dim(%a: tensor<1x3xf32>, %b: tensor<1x1xf32>) -> tensor<1x3xf32> {
  %0 = hetc.div %a, %b : (tensor<1x3xf32>, tensor<1x1xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

// maximum/minimum propagate NaN, like torch.maximum/minimum.
// CHECK-LABEL: func.func @maximum
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[L:.*]]: f32, %[[RR:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[M:.*]] = arith.maximumf %[[L]], %[[RR]] : f32
// CHECK-NEXT: linalg.yield %[[M]]
func.func @maximum(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = hetc.maximum %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @minimum
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[L:.*]]: f32, %[[RR:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[M:.*]] = arith.minimumf %[[L]], %[[RR]] : f32
// CHECK-NEXT: linalg.yield %[[M]]
func.func @minimum(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = hetc.minimum %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Half-precision element types carry through the generic and the body.
// CHECK-LABEL: func.func @add_bf16
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<2x3xbf16>, tensor<3xbf16>) outs(%{{.*}} : tensor<2x3xbf16>)
// CHECK: arith.addf %{{.*}}, %{{.*}} : bf16
func.func @add_bf16(%a: tensor<2x3xbf16>, %b: tensor<3xbf16>) -> tensor<2x3xbf16> {
  %0 = hetc.add %a, %b : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16>
  return %0 : tensor<2x3xbf16>
}

// -----

// Unary ops: identity maps in and out, one scalar op in the body.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK: %[[NEG:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<2x3xf32>) outs(%[[INIT]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[V:.*]] = arith.negf %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
// CHECK: %[[EXP:.*]] = linalg.generic
// CHECK-SAME: ins(%[[NEG]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: math.exp %[[IN]] : f32
// CHECK: %[[LOG:.*]] = linalg.generic
// CHECK-SAME: ins(%[[EXP]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: math.log %[[IN]] : f32
// CHECK: %[[SQRT:.*]] = linalg.generic
// CHECK-SAME: ins(%[[LOG]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: math.sqrt %[[IN]] : f32
// CHECK: %[[RSQRT:.*]] = linalg.generic
// CHECK-SAME: ins(%[[SQRT]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: math.rsqrt %[[IN]] : f32
// CHECK: %[[TANH:.*]] = linalg.generic
// CHECK-SAME: ins(%[[RSQRT]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: math.tanh %[[IN]] : f32
// CHECK: return %[[TANH]]
func.func @unary(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = hetc.neg %x : tensor<2x3xf32>
  %1 = hetc.exp %0 : tensor<2x3xf32>
  %2 = hetc.log %1 : tensor<2x3xf32>
  %3 = hetc.sqrt %2 : tensor<2x3xf32>
  %4 = hetc.rsqrt %3 : tensor<2x3xf32>
  %5 = hetc.tanh %4 : tensor<2x3xf32>
  return %5 : tensor<2x3xf32>
}

// -----

// A 0-d unary op is a generic without loops.
// CHECK-DAG: #[[MAP:.*]] = affine_map<() -> ()>
// CHECK-LABEL: func.func @exp_0d
// CHECK: linalg.generic {indexing_maps = [#[[MAP]], #[[MAP]]], iterator_types = []}
// CHECK-SAME: ins(%{{.*}} : tensor<f32>) outs(%{{.*}} : tensor<f32>)
// CHECK: math.exp
func.func @exp_0d(%x: tensor<f32>) -> tensor<f32> {
  %0 = hetc.exp %x : tensor<f32>
  return %0 : tensor<f32>
}

// -----

// sigmoid(x) = 1 / (1 + exp(-x))
// CHECK-LABEL: func.func @sigmoid
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[NEG:.*]] = arith.negf %[[IN]] : f32
// CHECK-NEXT: %[[E:.*]] = math.exp %[[NEG]] : f32
// CHECK-NEXT: %[[DEN:.*]] = arith.addf %[[ONE]], %[[E]] : f32
// CHECK-NEXT: %[[R:.*]] = arith.divf %[[ONE]], %[[DEN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @sigmoid(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = hetc.sigmoid %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// relu(x) = x < 0 ? 0 : x (NaN stays NaN)
// CHECK-LABEL: func.func @relu
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[NEG:.*]] = arith.cmpf olt, %[[IN]], %[[ZERO]] : f32
// CHECK-NEXT: %[[R:.*]] = arith.select %[[NEG]], %[[ZERO]], %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = hetc.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Exact gelu: x * 0.5 * (1 + erf(x / sqrt(2)))
// CHECK-LABEL: func.func @gelu_erf
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[RSQRT2:.*]] = arith.constant 0.707106769 : f32
// CHECK-NEXT: %[[S:.*]] = arith.mulf %[[IN]], %[[RSQRT2]] : f32
// CHECK-NEXT: %[[ERF:.*]] = math.erf %[[S]] : f32
// CHECK-NEXT: %[[P:.*]] = arith.addf %[[ONE]], %[[ERF]] : f32
// CHECK-NEXT: %[[CDF:.*]] = arith.mulf %[[HALF]], %[[P]] : f32
// CHECK-NEXT: %[[R:.*]] = arith.mulf %[[IN]], %[[CDF]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
// CHECK-NOT: math.tanh
func.func @gelu_erf(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = hetc.gelu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// tanh gelu: 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))
// CHECK-LABEL: func.func @gelu_tanh
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[C:.*]] = arith.constant 0.797884583 : f32
// CHECK-NEXT: %[[K:.*]] = arith.constant 4.471500e-02 : f32
// CHECK-NEXT: %[[X2:.*]] = arith.mulf %[[IN]], %[[IN]] : f32
// CHECK-NEXT: %[[X3:.*]] = arith.mulf %[[IN]], %[[X2]] : f32
// CHECK-NEXT: %[[KX3:.*]] = arith.mulf %[[K]], %[[X3]] : f32
// CHECK-NEXT: %[[POLY:.*]] = arith.addf %[[IN]], %[[KX3]] : f32
// CHECK-NEXT: %[[ARG:.*]] = arith.mulf %[[C]], %[[POLY]] : f32
// CHECK-NEXT: %[[T:.*]] = math.tanh %[[ARG]] : f32
// CHECK-NEXT: %[[P:.*]] = arith.addf %[[ONE]], %[[T]] : f32
// CHECK-NEXT: %[[CDF:.*]] = arith.mulf %[[HALF]], %[[P]] : f32
// CHECK-NEXT: %[[R:.*]] = arith.mulf %[[IN]], %[[CDF]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
// CHECK-NOT: math.erf
func.func @gelu_tanh(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = hetc.gelu %x approximate tanh : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Small integer exponents expand to multiplies (exact, defined for x < 0).
// CHECK-LABEL: func.func @pow_int3
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NOT: math.powf
// CHECK: %[[X2:.*]] = arith.mulf %[[IN]], %[[IN]] : f32
// CHECK-NEXT: %[[X3:.*]] = arith.mulf %[[X2]], %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[X3]] : f32
func.func @pow_int3(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = hetc.pow %x, 3.0 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A negative integer exponent divides 1 by the product.
// CHECK-LABEL: func.func @pow_int_neg2
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NOT: math.powf
// CHECK: %[[X2:.*]] = arith.mulf %[[IN]], %[[IN]] : f32
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[R:.*]] = arith.divf %[[ONE]], %[[X2]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @pow_int_neg2(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = hetc.pow %x, -2.0 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// x^4 is the largest expanded exponent and x^0 is 1 (x^1 folds away before
// the lowering runs).
// CHECK-LABEL: func.func @pow_int_edges
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[X2:.*]] = arith.mulf %[[IN]], %[[IN]] : f32
// CHECK-NEXT: %[[X3:.*]] = arith.mulf %[[X2]], %[[IN]] : f32
// CHECK-NEXT: %[[X4:.*]] = arith.mulf %[[X3]], %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[X4]] : f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%{{.*}}: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: linalg.yield %[[ONE]] : f32
// CHECK-NOT: math.powf
func.func @pow_int_edges(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = hetc.pow %x, 4.0 : tensor<4xf32>
  %1 = hetc.pow %0, 0.0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Non-integer exponents use math.powf.
// CHECK-LABEL: func.func @pow_fractional
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[E:.*]] = arith.constant 1.500000e+00 : f32
// CHECK-NEXT: %[[R:.*]] = math.powf %[[IN]], %[[E]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @pow_fractional(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = hetc.pow %x, 1.5 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Integer exponents beyond 4 also use math.powf.
// CHECK-LABEL: func.func @pow_large_int
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[E:.*]] = arith.constant 5.000000e+00 : f32
// CHECK-NEXT: math.powf %[[IN]], %[[E]] : f32
func.func @pow_large_int(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = hetc.pow %x, 5.0 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// dropout: splitmix64 of seed * 0x9E3779B97F4A7C15 + the row-major linear
// index; keep iff its top 24 bits t >= ceil(p * 2^24) (0.25 * 2^24 =
// 4194304), integer ops only, and scale the survivors by 1 / (1 - p).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @dropout
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[SEED:.*]]: tensor<i64>)
// CHECK: %[[S:.*]] = tensor.extract %[[SEED]][] : tensor<i64>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[I0:.*]] = linalg.index 0 : index
// CHECK: %[[I0C:.*]] = arith.index_cast %[[I0]] : index to i64
// CHECK: %[[L0:.*]] = arith.addi %{{.*}}, %[[I0C]] : i64
// CHECK: %[[I1:.*]] = linalg.index 1 : index
// CHECK: %[[I1C:.*]] = arith.index_cast %[[I1]] : index to i64
// CHECK: %[[C3:.*]] = arith.constant 3 : i64
// CHECK: %[[ROW:.*]] = arith.muli %[[L0]], %[[C3]] : i64
// CHECK: %[[LIN:.*]] = arith.addi %[[ROW]], %[[I1C]] : i64
// CHECK: %[[GOLDEN:.*]] = arith.constant -7046029254386353131 : i64
// CHECK: %[[SG:.*]] = arith.muli %[[S]], %[[GOLDEN]] : i64
// CHECK: %[[Z0:.*]] = arith.addi %[[SG]], %[[LIN]] : i64
// CHECK: %[[C30:.*]] = arith.constant 30 : i64
// CHECK: %[[SH1:.*]] = arith.shrui %[[Z0]], %[[C30]] : i64
// CHECK: %[[X1:.*]] = arith.xori %[[Z0]], %[[SH1]] : i64
// CHECK: %[[M1:.*]] = arith.constant -4658895280553007687 : i64
// CHECK: %[[Z1:.*]] = arith.muli %[[X1]], %[[M1]] : i64
// CHECK: %[[C27:.*]] = arith.constant 27 : i64
// CHECK: %[[SH2:.*]] = arith.shrui %[[Z1]], %[[C27]] : i64
// CHECK: %[[X2:.*]] = arith.xori %[[Z1]], %[[SH2]] : i64
// CHECK: %[[M2:.*]] = arith.constant -7723592293110705685 : i64
// CHECK: %[[Z2:.*]] = arith.muli %[[X2]], %[[M2]] : i64
// CHECK: %[[C31:.*]] = arith.constant 31 : i64
// CHECK: %[[SH3:.*]] = arith.shrui %[[Z2]], %[[C31]] : i64
// CHECK: %[[Z3:.*]] = arith.xori %[[Z2]], %[[SH3]] : i64
// CHECK: %[[C40:.*]] = arith.constant 40 : i64
// CHECK: %[[TOP:.*]] = arith.shrui %[[Z3]], %[[C40]] : i64
// CHECK: %[[T:.*]] = arith.constant 4194304 : i64
// CHECK: %[[KEEP:.*]] = arith.cmpi uge, %[[TOP]], %[[T]] : i64
// CHECK: %[[SCALE:.*]] = arith.constant 1.33333337 : f32
// CHECK: %[[SCALED:.*]] = arith.mulf %[[IN]], %[[SCALE]] : f32
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[R:.*]] = arith.select %[[KEEP]], %[[SCALED]], %[[ZERO]] : f32
// CHECK: linalg.yield %[[R]] : f32
func.func @dropout(%x: tensor<2x3xf32>, %seed: tensor<i64>) -> tensor<2x3xf32> {
  %0 = hetc.dropout %x, %seed {p = 0.25 : f64} : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// For f16 the hash and the comparison stay in i64; only the scaling uses
// the element type.
// CHECK-LABEL: func.func @dropout_f16
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}} : tensor<8xf16>)
// CHECK: linalg.index 0 : index
// CHECK-NOT: linalg.index 1
// CHECK-NOT: arith.uitofp
// CHECK: %[[T:.*]] = arith.constant 8388608 : i64
// CHECK: arith.cmpi uge, %{{.*}}, %[[T]] : i64
// CHECK: %[[SCALE:.*]] = arith.constant 2.000000e+00 : f16
// CHECK: arith.mulf %{{.*}}, %[[SCALE]] : f16
// CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : f16
func.func @dropout_f16(%x: tensor<8xf16>, %seed: tensor<i64>) -> tensor<8xf16> {
  %0 = hetc.dropout %x, %seed {p = 0.5 : f64} : (tensor<8xf16>, tensor<i64>) -> tensor<8xf16>
  return %0 : tensor<8xf16>
}

// -----

// The threshold is ceil(p * 2^24), exact for the f64 attribute: 0.7 * 2^24
// = 11744051.2 keeps t >= 11744052, where comparing u >= f32(0.7) (which
// rounds down to 11744051 / 2^24) would also keep t = 11744051.
// CHECK-LABEL: func.func @dropout_threshold_rounds_up
// CHECK-NOT: arith.cmpf
// CHECK: %[[T:.*]] = arith.constant 11744052 : i64
// CHECK: arith.cmpi uge, %{{.*}}, %[[T]] : i64
func.func @dropout_threshold_rounds_up(%x: tensor<8xf32>, %seed: tensor<i64>) -> tensor<8xf32> {
  %0 = hetc.dropout %x, %seed {p = 0.7 : f64} : (tensor<8xf32>, tensor<i64>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}
