// RUN: hetc-opt %s --convert-hetc-to-linalg --split-input-file | FileCheck %s
// RUN: hetc-opt %s --convert-hetc-to-linalg --split-input-file | hetc-opt --split-input-file --verify-each > /dev/null

// cross_entropy: per-row max + log(sum(exp(x - max))) - logits[i, label[i]],
// NaN for a label outside [0, C), then the mean over the batch.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[ALL:.*]] = affine_map<(d0) -> ()>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<() -> ()>
// CHECK-LABEL: func.func @cross_entropy
// CHECK-SAME: (%[[L:.*]]: tensor<3x5xf32>, %[[Y:.*]]: tensor<3xi32>)
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[MINIT:.*]] = linalg.fill ins(%[[NINF]] : f32) outs(%{{.*}} : tensor<3xf32>)
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: ins(%[[L]] : tensor<3x5xf32>) outs(%[[MINIT]] : tensor<3xf32>)
// CHECK: arith.maximumf
// CHECK: %[[MAXC:.*]] = tensor.expand_shape %[[MAX]] {{\[\[}}0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
// CHECK: %[[EXP:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[COL]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[L]], %[[MAXC]] : tensor<3x5xf32>, tensor<3x1xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[M:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[D:.*]] = arith.subf %[[A]], %[[M]] : f32
// CHECK-NEXT: %[[E:.*]] = math.exp %[[D]] : f32
// CHECK-NEXT: linalg.yield %[[E]] : f32
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: ins(%[[EXP]] : tensor<3x5xf32>)
// CHECK: arith.addf
// CHECK: %[[ROWLOSS:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]], #[[ID1]], #[[ID1]]], iterator_types = ["parallel"]}
// CHECK-SAME: ins(%[[MAX]], %[[SUM]], %[[Y]] : tensor<3xf32>, tensor<3xf32>, tensor<3xi32>) outs(%{{.*}} : tensor<3xf32>)
// CHECK-NEXT: ^bb0(%[[MX:.*]]: f32, %[[S:.*]]: f32, %[[LBL:.*]]: i32, %{{.*}}: f32):
// CHECK-NEXT: %[[LI:.*]] = arith.index_cast %[[LBL]] : i32 to index
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[GE:.*]] = arith.cmpi sge, %[[LI]], %[[Z]] : index
// CHECK-NEXT: %[[C:.*]] = arith.constant 5 : index
// CHECK-NEXT: %[[LT:.*]] = arith.cmpi slt, %[[LI]], %[[C]] : index
// CHECK-NEXT: %[[OK:.*]] = arith.andi %[[GE]], %[[LT]] : i1
// CHECK-NEXT: %[[Z2:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[SAFE:.*]] = arith.select %[[OK]], %[[LI]], %[[Z2]] : index
// CHECK-NEXT: %[[I:.*]] = linalg.index 0 : index
// CHECK-NEXT: %[[PICK:.*]] = tensor.extract %[[L]][%[[I]], %[[SAFE]]] : tensor<3x5xf32>
// CHECK-NEXT: %[[LOG:.*]] = math.log %[[S]] : f32
// CHECK-NEXT: %[[LSE:.*]] = arith.addf %[[MX]], %[[LOG]] : f32
// CHECK-NEXT: %[[LOSS:.*]] = arith.subf %[[LSE]], %[[PICK]] : f32
// CHECK-NEXT: %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK-NEXT: %[[SEL:.*]] = arith.select %[[OK]], %[[LOSS]], %[[NAN]] : f32
// CHECK-NEXT: linalg.yield %[[SEL]] : f32
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[TINIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<f32>)
// CHECK: %[[TOT:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ALL]]], iterator_types = ["reduction"]}
// CHECK-SAME: ins(%[[ROWLOSS]] : tensor<3xf32>) outs(%[[TINIT]] : tensor<f32>)
// CHECK: arith.addf
// CHECK: %[[MEAN:.*]] = linalg.generic {indexing_maps = [#[[SCALAR]], #[[SCALAR]]], iterator_types = []}
// CHECK-SAME: ins(%[[TOT]] : tensor<f32>)
// CHECK-NEXT: ^bb0(%[[T:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[N:.*]] = arith.constant 3.000000e+00 : f32
// CHECK-NEXT: %[[Q:.*]] = arith.divf %[[T]], %[[N]] : f32
// CHECK-NEXT: linalg.yield %[[Q]] : f32
// CHECK: return %[[MEAN]] : tensor<f32>
func.func @cross_entropy(%logits: tensor<3x5xf32>, %labels: tensor<3xi32>) -> tensor<f32> {
  %0 = hetc.cross_entropy %logits, %labels : (tensor<3x5xf32>, tensor<3xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// i64 labels and an f16 loss.
// CHECK-LABEL: func.func @cross_entropy_i64_f16
// CHECK: arith.constant 0xFC00 : f16
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<32xf16>, tensor<32xf16>, tensor<32xi64>)
// CHECK: arith.index_cast %{{.*}} : i64 to index
// CHECK: arith.constant 10 : index
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<32x10xf16>
// CHECK: arith.constant 0x7E00 : f16
// CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : f16
// CHECK: arith.constant 3.200000e+01 : f16
func.func @cross_entropy_i64_f16(%logits: tensor<32x10xf16>, %labels: tensor<32xi64>) -> tensor<f16> {
  %0 = hetc.cross_entropy %logits, %labels : (tensor<32x10xf16>, tensor<32xi64>) -> tensor<f16>
  return %0 : tensor<f16>
}

// -----

// mse: squared difference, summed over every element, divided by the count.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ALL:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<() -> ()>
// CHECK-LABEL: func.func @mse
// CHECK-SAME: (%[[P:.*]]: tensor<32x2xf32>, %[[T:.*]]: tensor<32x2xf32>)
// CHECK: %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[P]], %[[T]] : tensor<32x2xf32>, tensor<32x2xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[D:.*]] = arith.subf %[[A]], %[[B]] : f32
// CHECK-NEXT: %[[D2:.*]] = arith.mulf %[[D]], %[[D]] : f32
// CHECK-NEXT: linalg.yield %[[D2]] : f32
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<f32>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ALL]]], iterator_types = ["reduction", "reduction"]}
// CHECK-SAME: ins(%[[SQ]] : tensor<32x2xf32>) outs(%[[INIT]] : tensor<f32>)
// CHECK: arith.addf
// CHECK: %[[MEAN:.*]] = linalg.generic {indexing_maps = [#[[SCALAR]], #[[SCALAR]]], iterator_types = []}
// CHECK-SAME: ins(%[[SUM]] : tensor<f32>)
// CHECK: arith.constant 6.400000e+01 : f32
// CHECK: arith.divf
// CHECK: return %[[MEAN]] : tensor<f32>
func.func @mse(%p: tensor<32x2xf32>, %t: tensor<32x2xf32>) -> tensor<f32> {
  %0 = hetc.mse %p, %t : (tensor<32x2xf32>, tensor<32x2xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
