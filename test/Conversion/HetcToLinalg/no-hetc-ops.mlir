// The pass lowers every hetc op: nothing of the dialect but argument and
// function attributes is left, and the result verifies.
//
// The MLP example, forward and as a full SGD train_step (gradient ops
// included):
// RUN: hetc-opt %hetc_src_root/examples/mlp_digits.mlir --convert-hetc-to-linalg | FileCheck %s --check-prefix=MLP
// RUN: hetc-opt %hetc_src_root/examples/mlp_digits.mlir --convert-hetc-to-linalg | FileCheck %s --check-prefix=NOHETC
// RUN: hetc-opt %hetc_src_root/examples/mlp_digits.mlir --hetc-train-step --convert-hetc-to-linalg | hetc-opt --verify-each | FileCheck %s --check-prefix=NOHETC
//
// A model below that uses every forward op, alone, with its gradient
// function (which uses all ten gradient ops: compare, gelu_backward,
// cross_entropy_backward, conv2d_backward_input/_weight,
// max_pool2d_backward, avg_pool2d_backward, embedding_backward,
// slice_backward) and as an Adam train_step:
// RUN: hetc-opt %s --convert-hetc-to-linalg | hetc-opt --verify-each | FileCheck %s --check-prefix=ALL
// RUN: hetc-opt %s --convert-hetc-to-linalg | FileCheck %s --check-prefix=NOHETC
// RUN: hetc-opt %s --hetc-autodiff --convert-hetc-to-linalg | hetc-opt --verify-each | FileCheck %s --check-prefix=NOHETC
// RUN: hetc-opt %s --hetc-train-step="optimizer=adam" --convert-hetc-to-linalg | hetc-opt --verify-each | FileCheck %s --check-prefix=NOHETC

// NOHETC-NOT: = hetc.
// NOHETC-NOT: "hetc.

// MLP-LABEL: func.func @mlp
// MLP-SAME: %[[X:[^:]*]]: tensor<32x64xf32>
// MLP-SAME: %[[Y:[^:]*]]: tensor<32xi32>
// MLP-SAME: %[[W1:[^:]*]]: tensor<128x64xf32>
// MLP: %[[H0:.*]] = linalg.matmul indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}] ins(%[[X]], %[[W1]] : tensor<32x64xf32>, tensor<128x64xf32>) outs(%{{.*}} : tensor<32x128xf32>)
// MLP: %[[H1:.*]] = linalg.generic {{.*}} ins(%[[H0]], %{{.*}} : tensor<32x128xf32>, tensor<128xf32>)
// MLP: arith.addf
// MLP: %[[H:.*]] = linalg.generic {{.*}} ins(%[[H1]] : tensor<32x128xf32>)
// MLP: arith.cmpf olt
// MLP: %[[O0:.*]] = linalg.matmul {{.*}} ins(%[[H]], %{{.*}} : tensor<32x128xf32>, tensor<10x128xf32>)
// MLP: %[[LOGITS:.*]] = linalg.generic {{.*}} ins(%[[O0]], %{{.*}} : tensor<32x10xf32>, tensor<10xf32>)
// MLP: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %[[Y]] : tensor<32xf32>, tensor<32xf32>, tensor<32xi32>)
// MLP: tensor.extract %[[LOGITS]]
// MLP: %[[LOSS:.*]] = linalg.generic {{.*}} iterator_types = []
// MLP: arith.constant 3.200000e+01 : f32
// MLP: return %[[LOSS]], %[[LOGITS]] : tensor<f32>, tensor<32x10xf32>

// ALL-LABEL: func.func @model
// ALL-DAG: linalg.conv_2d_ngchw_gfchw
// ALL-DAG: linalg.pooling_nchw_max
// ALL-DAG: linalg.pooling_nchw_sum
// ALL-DAG: linalg.transpose
// ALL-DAG: linalg.matmul
// ALL-DAG: tensor.insert_slice
// ALL-DAG: tensor.extract_slice
// ALL-DAG: tensor.pad
// ALL-DAG: math.erf
// ALL-DAG: math.tanh
// ALL-DAG: math.powf
// ALL-DAG: math.rsqrt
// ALL-DAG: arith.shrui
// ALL: return
func.func @model(%img: tensor<2x4x6x6xf32> {hetc.input},
                 %ids: tensor<2x3xi64> {hetc.input},
                 %seed: tensor<i64> {hetc.input},
                 %labels: tensor<2xi32> {hetc.label},
                 %target: tensor<2x5xf32> {hetc.label},
                 %cw: tensor<6x2x3x3xf32> {hetc.param = #hetc.init<uniform, 0.2>},
                 %cb: tensor<6xf32> {hetc.param = #hetc.init<uniform, 0.2>},
                 %cw2: tensor<6x2x3x3xf32> {hetc.param = #hetc.init<uniform, 0.2>},
                 %bng: tensor<6xf32> {hetc.param = #hetc.init<ones>},
                 %bnb: tensor<6xf32> {hetc.param = #hetc.init<zeros>},
                 %emb: tensor<10x4xf32> {hetc.param = #hetc.init<normal, 1.0>},
                 %lng: tensor<16xf32> {hetc.param = #hetc.init<ones>},
                 %lnb: tensor<16xf32> {hetc.param = #hetc.init<zeros>},
                 %w: tensor<5x16xf32> {hetc.param = #hetc.init<uniform, 0.25>},
                 %b: tensor<5xf32> {hetc.param = #hetc.init<uniform, 0.25>})
    -> (tensor<f32>, tensor<2x5xf32>) {
  %c = hetc.conv2d %img, %cw, %cb {groups = 2, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<2x4x6x6xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<2x6x6x6xf32>
  %c1 = hetc.conv2d %c, %cw2 {groups = 3, padding = array<i64: 2, 2, 2, 2>, dilation = array<i64: 2, 2>}
      : (tensor<2x6x6x6xf32>, tensor<6x2x3x3xf32>) -> tensor<2x6x6x6xf32>
  %bn = hetc.batch_norm %c1, %bng, %bnb : (tensor<2x6x6x6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x6x6xf32>
  %r = hetc.relu %bn : tensor<2x6x6x6xf32>
  %mp = hetc.max_pool2d %r {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : tensor<2x6x6x6xf32> -> tensor<2x6x3x3xf32>
  %ap = hetc.avg_pool2d %mp {kernel_size = array<i64: 2, 2>, strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 0, 0>, count_include_pad = false}
      : tensor<2x6x3x3xf32> -> tensor<2x6x3x3xf32>
  %ap2 = hetc.avg_pool2d %ap {kernel_size = array<i64: 3, 3>} : tensor<2x6x3x3xf32> -> tensor<2x6x1x1xf32>
  %flat = hetc.reshape %ap2 [2, 6] : tensor<2x6x1x1xf32> -> tensor<2x6xf32>
  %e = hetc.embedding %emb, %ids : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  %es = hetc.reduce_sum %e [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %em = hetc.reduce_mean %e [-2] keepdims : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %emf = hetc.reshape %em [2, 4] : tensor<2x1x4xf32> -> tensor<2x4xf32>
  %cat = hetc.concat %flat, %es, %emf, %flat axis -1 : (tensor<2x6xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x6xf32>) -> tensor<2x20xf32>
  %sl = hetc.slice %cat offsets [0, 1] sizes [2, 16] strides [1, 1] : tensor<2x20xf32> -> tensor<2x16xf32>
  %ln = hetc.layer_norm %sl, %lng, %lnb : (tensor<2x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x16xf32>
  %g = hetc.gelu %ln approximate tanh : tensor<2x16xf32>
  %g2 = hetc.gelu %g : tensor<2x16xf32>
  %d = hetc.dropout %g2, %seed {p = 0.1 : f64} : (tensor<2x16xf32>, tensor<i64>) -> tensor<2x16xf32>
  %wt = hetc.transpose %w [1, 0] : tensor<5x16xf32> -> tensor<16x5xf32>
  %mm = hetc.matmul %d, %wt : (tensor<2x16xf32>, tensor<16x5xf32>) -> tensor<2x5xf32>
  %mm3 = hetc.reshape %mm [2, 1, 5] : tensor<2x5xf32> -> tensor<2x1x5xf32>
  %bmm = hetc.matmul %mm3, %w : (tensor<2x1x5xf32>, tensor<5x16xf32>) -> tensor<2x1x16xf32>
  %bmm2 = hetc.matmul %bmm, %w transpose_rhs : (tensor<2x1x16xf32>, tensor<5x16xf32>) -> tensor<2x1x5xf32>
  %bb = hetc.broadcast_to %b [2, 1, 5] : tensor<5xf32> -> tensor<2x1x5xf32>
  %o1 = hetc.add %bmm2, %bb : (tensor<2x1x5xf32>, tensor<2x1x5xf32>) -> tensor<2x1x5xf32>
  %o = hetc.reshape %o1 [2, 5] : tensor<2x1x5xf32> -> tensor<2x5xf32>
  %s1 = hetc.sigmoid %o : tensor<2x5xf32>
  %s2 = hetc.tanh %s1 : tensor<2x5xf32>
  %s3 = hetc.exp %s2 : tensor<2x5xf32>
  %s4 = hetc.log %s3 : tensor<2x5xf32>
  %s5 = hetc.sqrt %s3 : tensor<2x5xf32>
  %s6 = hetc.rsqrt %s5 : tensor<2x5xf32>
  %s7 = hetc.neg %s6 : tensor<2x5xf32>
  %s8 = hetc.pow %s5, 3.0 : tensor<2x5xf32>
  %s9 = hetc.pow %s5, 1.5 : tensor<2x5xf32>
  %m1 = hetc.maximum %s4, %s7 : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
  %m2 = hetc.minimum %m1, %s8 : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
  %m3 = hetc.div %m2, %s9 : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
  %m4 = hetc.sub %m3, %o : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
  %m5 = hetc.mul %m4, %o : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
  %rm = hetc.reduce_max %m5 [-1] keepdims : tensor<2x5xf32> -> tensor<2x1xf32>
  %m6 = hetc.sub %m5, %rm : (tensor<2x5xf32>, tensor<2x1xf32>) -> tensor<2x5xf32>
  %sm = hetc.softmax %m6 axis -1 : tensor<2x5xf32>
  %lsm = hetc.log_softmax %m6 axis 1 : tensor<2x5xf32>
  %ce = hetc.cross_entropy %lsm, %labels : (tensor<2x5xf32>, tensor<2xi32>) -> tensor<f32>
  %mse = hetc.mse %sm, %target : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<f32>
  %loss = hetc.add %ce, %mse : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %loss, %sm : tensor<f32>, tensor<2x5xf32>
}
