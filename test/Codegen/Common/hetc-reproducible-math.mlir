// RUN: hetc-opt %s --hetc-reproducible-math | FileCheck %s
// RUN: hetc-opt %s --hetc-reproducible-math | FileCheck %s --check-prefix=ONLY

// Nothing is left that a target could round its own way: no math op but
// absf, no division, no min/max with target-defined +-0 or NaN rules, no
// fused multiply-add.
// ONLY-NOT: {{math\.(exp|log|sqrt|rsqrt|tanh|erf|powf|fma)}}
// ONLY-NOT: {{arith\.(divf|remf|maximumf|minimumf|maxnumf|minnumf)}}
// ONLY-NOT: fma

// Division: an exact integer remainder corrects a float estimate of the
// quotient; the result is assembled from bits.
// CHECK-LABEL: func.func @div
// CHECK: arith.sitofp
// CHECK: arith.fptosi
// CHECK: arith.muli
// CHECK: arith.subi
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// CHECK: return
func.func @div(%a: f32, %b: f32) -> f32 {
  %0 = arith.divf %a, %b : f32
  return %0 : f32
}

// CHECK-LABEL: func.func @unary
// CHECK-COUNT-6: arith.bitcast
// CHECK: return
func.func @unary(%x: f32) -> (f32, f32, f32, f32, f32, f32) {
  %0 = math.sqrt %x : f32
  %1 = math.rsqrt %x : f32
  %2 = math.exp %x : f32
  %3 = math.log %x : f32
  %4 = math.tanh %x : f32
  %5 = math.erf %x : f32
  return %0, %1, %2, %3, %4, %5 : f32, f32, f32, f32, f32, f32
}

// CHECK-LABEL: func.func @binary
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf olt
// CHECK: return
func.func @binary(%x: f32, %y: f32) -> (f32, f32, f32, f32, f32) {
  %0 = math.powf %x, %y : f32
  %1 = arith.maximumf %x, %y : f32
  %2 = arith.minimumf %x, %y : f32
  %3 = arith.maxnumf %x, %y : f32
  %4 = arith.minnumf %x, %y : f32
  return %0, %1, %2, %3, %4 : f32, f32, f32, f32, f32
}

// f16 and bf16 are computed in f32 and rounded once back.
// CHECK-LABEL: func.func @half
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @half(%a: f16, %b: f16, %c: bf16) -> (f16, bf16) {
  %0 = arith.divf %a, %b : f16
  %1 = math.exp %c : bf16
  return %0, %1 : f16, bf16
}

// Vectors keep their shape; constants become splats.
// CHECK-LABEL: func.func @vector
// CHECK: arith.constant dense<{{.*}}> : vector<4xi32>
// CHECK: arith.bitcast %{{.*}} : vector<4xi32> to vector<4xf32>
func.func @vector(%a: vector<4xf32>, %b: vector<4xf32>) -> vector<4xf32> {
  %0 = arith.divf %a, %b : vector<4xf32>
  return %0 : vector<4xf32>
}

// A named op whose body needs an expansion becomes a linalg.generic.
// CHECK-LABEL: func.func @pool
// CHECK-NOT: linalg.pooling_nchw_max
// CHECK: linalg.generic
// CHECK: arith.cmpf ogt
func.func @pool(%in: tensor<1x1x4x4xf32>, %win: tensor<2x2xf32>,
                %init: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %0 = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>,
                                strides = dense<1> : tensor<2xi64>}
      ins(%in, %win : tensor<1x1x4x4xf32>, tensor<2x2xf32>)
      outs(%init : tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// Exact ops stay as they are.
// CHECK-LABEL: func.func @exact
// CHECK-NEXT: arith.addf
// CHECK-NEXT: math.absf
// CHECK-NEXT: return
func.func @exact(%a: f32, %b: f32) -> f32 {
  %0 = arith.addf %a, %b : f32
  %1 = math.absf %0 : f32
  return %1 : f32
}

// An integer converted to f32 cannot be -0, whatever a target folds the
// conversion pair into: -0's bits become +0's.
// CHECK-LABEL: func.func @int_to_float
// CHECK: %[[F:.*]] = arith.sitofp %{{.*}} : i32 to f32
// CHECK: %[[B:.*]] = arith.bitcast %[[F]] : f32 to i32
// CHECK: %[[NEG0:.*]] = arith.cmpi eq, %[[B]], %{{.*}} : i32
// CHECK: %[[P:.*]] = arith.select %[[NEG0]], %{{.*}}, %[[B]] : i32
// CHECK: %[[R:.*]] = arith.bitcast %[[P]] : i32 to f32
// CHECK: return %[[R]]
func.func @int_to_float(%x: f32) -> f32 {
  %i = arith.fptosi %x : f32 to i32
  %f = arith.sitofp %i : i32 to f32
  return %f : f32
}

// Half-precision add, sub and mul are computed in f32 and rounded back once
// in the IR, so a target holding halves in f32 rounds after every op too.
// CHECK-LABEL: func.func @half_arithmetic
// CHECK: %[[A:.*]] = arith.extf %{{.*}} : f16 to f32
// CHECK: %[[B:.*]] = arith.extf %{{.*}} : f16 to f32
// CHECK: %[[S:.*]] = arith.addf %[[A]], %[[B]] : f32
// CHECK: arith.truncf %[[S]] : f32 to f16
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK-NOT: arith.addf {{.*}} : f16
func.func @half_arithmetic(%a: f16, %b: f16, %c: bf16) -> (f16, bf16) {
  %0 = arith.addf %a, %b : f16
  %1 = arith.mulf %c, %c : bf16
  return %0, %1 : f16, bf16
}
