// RUN: split-file %s %t
// RUN: hetc-opt %t/model.mlir --hetc-train-step | FileCheck %t/model.mlir --check-prefix=SGD
// RUN: hetc-opt %t/model.mlir --hetc-train-step="momentum=0.9" | FileCheck %t/model.mlir --check-prefix=MOM
// RUN: hetc-opt %t/model.mlir --hetc-train-step="momentum=0.9 nesterov=true" | FileCheck %t/model.mlir --check-prefix=NEST
// RUN: hetc-opt %t/model.mlir --hetc-train-step="weight-decay=0.1 lr=0.5" | FileCheck %t/model.mlir --check-prefix=DECAY
// RUN: hetc-opt %t/model.mlir --hetc-train-step="optimizer=adam" | FileCheck %t/model.mlir --check-prefix=ADAM
// RUN: hetc-opt %t/model.mlir --hetc-train-step="optimizer=adam weight-decay=0.5" | FileCheck %t/model.mlir --check-prefix=ADAML2
// RUN: hetc-opt %t/model.mlir --hetc-train-step="optimizer=adamw lr=0.01" | FileCheck %t/model.mlir --check-prefix=ADAMW
// RUN: hetc-opt %t/model.mlir --hetc-train-step="optimizer=adam rematerialize=true" | FileCheck %t/model.mlir --check-prefix=REMAT
// RUN: hetc-opt %t/model.mlir --hetc-train-step="lr=0.5 weight-decay=0.1 groups=param*:lr=0.2:weight-decay=0,*" | FileCheck %t/model.mlir --check-prefix=GROUPS
// RUN: hetc-opt %t/model.mlir --hetc-train-step="max-grad-norm=1.5" | FileCheck %t/model.mlir --check-prefix=CLIP
// RUN: hetc-opt %t/model.mlir --hetc-train-step="momentum=0.5 nan-guard=true" | FileCheck %t/model.mlir --check-prefix=GUARD
// RUN: hetc-opt %t/model.mlir --hetc-train-step="accumulate=4" | FileCheck %t/model.mlir --check-prefix=ACCUM
// RUN: not hetc-opt %t/model.mlir --hetc-train-step="accumulate=0" 2>&1 | FileCheck %t/model.mlir --check-prefix=BAD-ACCUM
// RUN: not hetc-opt %t/model.mlir --hetc-train-step="groups=w" 2>&1 | FileCheck %t/model.mlir --check-prefix=BAD-NOGROUP
// RUN: not hetc-opt %t/model.mlir --hetc-train-step="groups=w,x*,*" 2>&1 | FileCheck %t/model.mlir --check-prefix=BAD-EMPTYGROUP
// RUN: not hetc-opt %t/model.mlir --hetc-train-step="groups=*:beta1=0.5" 2>&1 | FileCheck %t/model.mlir --check-prefix=BAD-GROUPKEY
// RUN: not hetc-opt %t/model.mlir --hetc-train-step="groups=*:lr=-1" 2>&1 | FileCheck %t/model.mlir --check-prefix=BAD-GROUPLR
// RUN: not hetc-opt %t/model.mlir --hetc-train-step="max-grad-norm=-1" 2>&1 | FileCheck %t/model.mlir --check-prefix=BAD-CLIP
// RUN: hetc-opt %t/errors.mlir --hetc-train-step -split-input-file -verify-diagnostics
// RUN: not hetc-opt %t/model.mlir --hetc-train-step="optimizer=rmsprop" 2>&1 | FileCheck %t/model.mlir --check-prefix=BAD-NAME
// RUN: not hetc-opt %t/model.mlir --hetc-train-step="nesterov=true" 2>&1 | FileCheck %t/model.mlir --check-prefix=BAD-NESTEROV
// RUN: not hetc-opt %t/model.mlir --hetc-train-step="lr=0" 2>&1 | FileCheck %t/model.mlir --check-prefix=BAD-LR
// RUN: not hetc-opt %t/model.mlir --hetc-train-step="optimizer=adam beta2=1.0" 2>&1 | FileCheck %t/model.mlir --check-prefix=BAD-BETA
// RUN: not hetc-opt %t/model.mlir --hetc-train-step="weight-decay=-0.5" 2>&1 | FileCheck %t/model.mlir --check-prefix=BAD-WD
// RUN: not hetc-opt %t/model.mlir --hetc-train-step="entry=nope" 2>&1 | FileCheck %t/model.mlir --check-prefix=BAD-ENTRY
// RUN: hetc-opt %t/model.mlir --hetc-train-step="optimizer=adam" --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %t/model.mlir --check-prefix=PIPELINE
// RUN: hetc-opt %t/model.mlir --pass-pipeline="builtin.module(hetc-train-step{accumulate=1 beta1=None beta2=None entry= eps=None lr=None max-grad-norm=None momentum=None nan-guard=false nesterov=None optimizer=adam rematerialize=false weight-decay=None})" | FileCheck %t/model.mlir --check-prefix=ADAM
// RUN: hetc-opt %t/f16.mlir --hetc-train-step | FileCheck %t/f16.mlir
// RUN: not hetc-opt %t/f16.mlir --hetc-train-step="optimizer=adam" 2>&1 | FileCheck %t/f16.mlir --check-prefix=ADAM-F16

//--- model.mlir

// The model lists a label first: train_step orders its arguments
// params..., opt_state..., hypers..., inputs..., labels..., each group in
// model order.
func.func @model(%y: tensor<4xi32> {hetc.label},
                 %w: tensor<2x3xf32> {hetc.param = #hetc.init<uniform, 0.5>, hetc.name = "w"},
                 %x: tensor<4x3xf32> {hetc.input},
                 %b: tensor<2xf32> {hetc.param = #hetc.init<zeros>})
    -> (tensor<f32>, tensor<4x2xf32>) {
  %h = hetc.matmul %x, %w transpose_rhs : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  %logits = hetc.add %h, %b : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %loss = hetc.cross_entropy %logits, %y : (tensor<4x2xf32>, tensor<4xi32>) -> tensor<f32>
  return %loss, %logits : tensor<f32>, tensor<4x2xf32>
}

// The model stays; train_step follows it.
// SGD-LABEL: func.func @model(

// Plain SGD (torch.optim.SGD defaults, lr 0.01): p -= lr * (g + wd * p).
// The hyper-parameters are runtime arguments the session keeps, initialized
// from the options.
// SGD-LABEL: func.func @train_step(
// SGD-SAME: %[[W:[^:]+]]: tensor<2x3xf32> {hetc.name = "w", hetc.param = #hetc.init<uniform, 5.000000e-01>}
// SGD-SAME: %[[B:[^:]+]]: tensor<2xf32> {hetc.param = #hetc.init<zeros>}
// SGD-SAME: %[[LR:[^:]+]]: tensor<f32> {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 1.000000e-02>, name = "lr"}, hetc.name = "hyper:lr"}
// SGD-SAME: %[[WD:[^:]+]]: tensor<f32> {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 0.000000e+00>, name = "weight_decay"}, hetc.name = "hyper:weight_decay"}
// SGD-SAME: %[[X:[^:]+]]: tensor<4x3xf32> {hetc.input}
// SGD-SAME: %[[Y:[^:]+]]: tensor<4xi32> {hetc.label})
// SGD-SAME: -> (tensor<2x3xf32> {hetc.updates = 0 : i64}, tensor<2xf32> {hetc.updates = 1 : i64}, tensor<f32> {hetc.loss}, tensor<4x2xf32> {hetc.output})
// SGD-SAME: attributes {hetc.generated, hetc.optimizer = {groups = 1 : i64, lr = 1.000000e-02 : f64, momentum = 0.000000e+00 : f64, name = "sgd", nesterov = false, weight_decay = 0.000000e+00 : f64}}
// SGD: %[[H:.*]] = hetc.matmul %[[X]], %[[W]] transpose_rhs
// SGD: %[[LOGITS:.*]] = hetc.add %[[H]], %[[B]]
// SGD: %[[LOSS:.*]] = hetc.cross_entropy %[[LOGITS]], %[[Y]]
// SGD: %[[GL:.*]] = hetc.cross_entropy_backward
// SGD: %[[GB:.*]] = hetc.reshape
// SGD: %[[GW:.*]] = hetc.matmul %[[GL]], %[[X]] transpose_lhs
// SGD-NOT: arith.constant
// SGD: %[[DW:.*]] = hetc.mul %[[W]], %[[WD]] : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
// SGD: %[[D:.*]] = hetc.add %[[GW]], %[[DW]]
// SGD: %[[SW:.*]] = hetc.mul %[[D]], %[[LR]] : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
// SGD: %[[NW:.*]] = hetc.sub %[[W]], %[[SW]]
// SGD: %[[SB:.*]] = hetc.mul %{{.*}}, %[[LR]] : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
// SGD: %[[NB:.*]] = hetc.sub %[[B]], %[[SB]]
// SGD: return %[[NW]], %[[NB]], %[[LOSS]], %[[LOGITS]]

// Momentum: a zero-initialized buffer per parameter. torch starts the
// buffer as a copy of the first update direction, which equals
// momentum * 0 + d, so zeros are exact. b = momentum * b + d; p -= lr * b.
// MOM-LABEL: func.func @train_step(
// MOM-SAME: %[[W:[^:]+]]: tensor<2x3xf32>
// MOM-SAME: %[[B:[^:]+]]: tensor<2xf32>
// MOM-SAME: %[[MW:[^:]+]]: tensor<2x3xf32> {hetc.opt_state = {init = #hetc.init<zeros>, kind = "momentum", param = 0 : i64}}
// MOM-SAME: %[[MB:[^:]+]]: tensor<2xf32> {hetc.opt_state = {init = #hetc.init<zeros>, kind = "momentum", param = 1 : i64}}
// MOM-SAME: %[[LR:[^:]+]]: tensor<f32> {hetc.hyper = {{[{][^}]*}}name = "lr"}
// MOM-SAME: %[[WD:[^:]+]]: tensor<f32> {hetc.hyper = {{[{][^}]*}}name = "weight_decay"}
// MOM-SAME: %[[MU:[^:]+]]: tensor<f32> {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 9.000000e-01>, name = "momentum"}, hetc.name = "hyper:momentum"}
// MOM-SAME: %{{[^:]+}}: tensor<4x3xf32> {hetc.input}
// MOM-SAME: %{{[^:]+}}: tensor<4xi32> {hetc.label})
// MOM-SAME: -> (tensor<2x3xf32> {hetc.updates = 0 : i64}, tensor<2xf32> {hetc.updates = 1 : i64}, tensor<2x3xf32> {hetc.updates = 2 : i64}, tensor<2xf32> {hetc.updates = 3 : i64}, tensor<f32> {hetc.loss}, tensor<4x2xf32> {hetc.output})
// MOM-SAME: hetc.optimizer = {groups = 1 : i64, lr = 1.000000e-02 : f64, momentum = 9.000000e-01 : f64, name = "sgd", nesterov = false, weight_decay = 0.000000e+00 : f64}
// MOM: %[[GW:.*]] = hetc.matmul %{{.*}}, %{{.*}} transpose_lhs
// MOM: %[[D:.*]] = hetc.add %[[GW]], %{{.*}}
// MOM: %[[DM:.*]] = hetc.mul %[[MW]], %[[MU]]
// MOM: %[[NMW:.*]] = hetc.add %[[DM]], %[[D]]
// MOM: %[[S:.*]] = hetc.mul %[[NMW]], %[[LR]]
// MOM: %[[NW:.*]] = hetc.sub %[[W]], %[[S]]
// MOM: %[[DMB:.*]] = hetc.mul %[[MB]], %[[MU]]
// MOM: %[[NMB:.*]] = hetc.add %[[DMB]], %{{.*}} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
// MOM: %[[NB:.*]] = hetc.sub %[[B]], %{{.*}}
// MOM: return %[[NW]], %[[NB]], %[[NMW]], %[[NMB]], %{{.*}}, %{{.*}} :

// Nesterov: b = momentum * b + d; p -= lr * (d + momentum * b).
// NEST-LABEL: func.func @train_step(
// NEST-SAME: %[[W:[^:]+]]: tensor<2x3xf32>
// NEST-SAME: %[[MW:[^:]+]]: tensor<2x3xf32> {hetc.opt_state = {init = #hetc.init<zeros>, kind = "momentum", param = 0 : i64}}
// NEST-SAME: %[[LR:[^:]+]]: tensor<f32> {hetc.hyper = {{[{][^}]*}}name = "lr"}
// NEST-SAME: %[[MU:[^:]+]]: tensor<f32> {hetc.hyper = {{[{][^}]*}}name = "momentum"}
// NEST-SAME: nesterov = true
// NEST: %[[GW:.*]] = hetc.matmul %{{.*}}, %{{.*}} transpose_lhs
// NEST: %[[D:.*]] = hetc.add %[[GW]], %{{.*}}
// NEST: %[[DM:.*]] = hetc.mul %[[MW]], %[[MU]]
// NEST: %[[NMW:.*]] = hetc.add %[[DM]], %[[D]]
// NEST: %[[LOOK:.*]] = hetc.mul %[[NMW]], %[[MU]]
// NEST: %[[ND:.*]] = hetc.add %[[D]], %[[LOOK]]
// NEST: %[[S:.*]] = hetc.mul %[[ND]], %[[LR]]
// NEST: %[[NW:.*]] = hetc.sub %[[W]], %[[S]]
// NEST: return %[[NW]], %{{.*}}, %[[NMW]],

// Weight decay and lr options are the initial values: d = g + wd * p;
// p -= lr * d.
// DECAY-LABEL: func.func @train_step(
// DECAY-SAME: %[[W:[^:]+]]: tensor<2x3xf32>
// DECAY-SAME: %[[LR:[^:]+]]: tensor<f32> {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 5.000000e-01>, name = "lr"}
// DECAY-SAME: %[[WD:[^:]+]]: tensor<f32> {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 1.000000e-01>, name = "weight_decay"}
// DECAY-SAME: hetc.optimizer = {groups = 1 : i64, lr = 5.000000e-01 : f64, momentum = 0.000000e+00 : f64, name = "sgd", nesterov = false, weight_decay = 1.000000e-01 : f64}
// DECAY: %[[GW:.*]] = hetc.matmul %{{.*}}, %{{.*}} transpose_lhs
// DECAY: %[[DW:.*]] = hetc.mul %[[W]], %[[WD]]
// DECAY: %[[D:.*]] = hetc.add %[[GW]], %[[DW]]
// DECAY: %[[S:.*]] = hetc.mul %[[D]], %[[LR]]
// DECAY: %[[NW:.*]] = hetc.sub %[[W]], %[[S]]
// DECAY: return %[[NW]],

// Adam (torch.optim.Adam defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8):
// two moments per parameter, then a shared 0-d step counter t.
//   t += 1; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
//   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps),
// with beta^t = exp(t * ln(beta)) from the runtime betas.
// ADAM-LABEL: func.func @train_step(
// ADAM-SAME: %[[W:[^:]+]]: tensor<2x3xf32>
// ADAM-SAME: %[[B:[^:]+]]: tensor<2xf32>
// ADAM-SAME: %[[MW:[^:]+]]: tensor<2x3xf32> {hetc.opt_state = {init = #hetc.init<zeros>, kind = "exp_avg", param = 0 : i64}}
// ADAM-SAME: %[[VW:[^:]+]]: tensor<2x3xf32> {hetc.opt_state = {init = #hetc.init<zeros>, kind = "exp_avg_sq", param = 0 : i64}}
// ADAM-SAME: %[[MB:[^:]+]]: tensor<2xf32> {hetc.opt_state = {init = #hetc.init<zeros>, kind = "exp_avg", param = 1 : i64}}
// ADAM-SAME: %[[VB:[^:]+]]: tensor<2xf32> {hetc.opt_state = {init = #hetc.init<zeros>, kind = "exp_avg_sq", param = 1 : i64}}
// ADAM-SAME: %[[T:[^:]+]]: tensor<f32> {hetc.opt_state = {init = #hetc.init<zeros>, kind = "step"}}
// ADAM-SAME: %[[LR:[^:]+]]: tensor<f32> {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 1.000000e-03>, name = "lr"}, hetc.name = "hyper:lr"}
// ADAM-SAME: %[[WD:[^:]+]]: tensor<f32> {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 0.000000e+00>, name = "weight_decay"}, hetc.name = "hyper:weight_decay"}
// ADAM-SAME: %[[B1:[^:]+]]: tensor<f32> {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 9.000000e-01>, name = "beta1"}, hetc.name = "hyper:beta1"}
// ADAM-SAME: %[[B2:[^:]+]]: tensor<f32> {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 0.99899999999999999>, name = "beta2"}, hetc.name = "hyper:beta2"}
// ADAM-SAME: %[[EPS:[^:]+]]: tensor<f32> {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 1.000000e-08>, name = "eps"}, hetc.name = "hyper:eps"}
// ADAM-SAME: %{{[^:]+}}: tensor<4x3xf32> {hetc.input}
// ADAM-SAME: %{{[^:]+}}: tensor<4xi32> {hetc.label})
// ADAM-SAME: -> (tensor<2x3xf32> {hetc.updates = 0 : i64}, tensor<2xf32> {hetc.updates = 1 : i64}, tensor<2x3xf32> {hetc.updates = 2 : i64}, tensor<2x3xf32> {hetc.updates = 3 : i64}, tensor<2xf32> {hetc.updates = 4 : i64}, tensor<2xf32> {hetc.updates = 5 : i64}, tensor<f32> {hetc.updates = 6 : i64}, tensor<f32> {hetc.loss}, tensor<4x2xf32> {hetc.output})
// ADAM-SAME: hetc.optimizer = {beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, eps = 1.000000e-08 : f64, groups = 1 : i64, lr = 1.000000e-03 : f64, name = "adam", weight_decay = 0.000000e+00 : f64}
// ADAM: %[[GW:.*]] = hetc.matmul %{{.*}}, %{{.*}} transpose_lhs
// ADAM: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// ADAM: %[[NT:.*]] = hetc.add %[[T]], %[[ONE]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
// ADAM: %[[LN1:.*]] = hetc.log %[[B1]] : tensor<f32>
// ADAM: %[[E1:.*]] = hetc.mul %[[NT]], %[[LN1]]
// ADAM: %[[P1:.*]] = hetc.exp %[[E1]] : tensor<f32>
// ADAM: %[[BC1:.*]] = hetc.sub %{{.*}}, %[[P1]]
// ADAM: %[[STEP:.*]] = hetc.div %[[LR]], %[[BC1]]
// ADAM: %[[LN2:.*]] = hetc.log %[[B2]] : tensor<f32>
// ADAM: %[[E2:.*]] = hetc.mul %[[NT]], %[[LN2]]
// ADAM: %[[P2:.*]] = hetc.exp %[[E2]] : tensor<f32>
// ADAM: %[[BC2:.*]] = hetc.sub %{{.*}}, %[[P2]]
// ADAM: %[[BC2S:.*]] = hetc.sqrt %[[BC2]] : tensor<f32>
// ADAM: %[[DW:.*]] = hetc.mul %[[W]], %[[WD]]
// ADAM: %[[G:.*]] = hetc.add %[[GW]], %[[DW]]
// ADAM: %[[C1:.*]] = hetc.sub %{{.*}}, %[[B1]]
// ADAM: %[[G1:.*]] = hetc.mul %[[G]], %[[C1]]
// ADAM: %[[M0:.*]] = hetc.mul %[[MW]], %[[B1]]
// ADAM: %[[NMW:.*]] = hetc.add %[[M0]], %[[G1]]
// ADAM: %[[C2:.*]] = hetc.sub %{{.*}}, %[[B2]]
// ADAM: %[[G2:.*]] = hetc.mul %[[G]], %[[G]]
// ADAM: %[[G2S:.*]] = hetc.mul %[[G2]], %[[C2]]
// ADAM: %[[V0:.*]] = hetc.mul %[[VW]], %[[B2]]
// ADAM: %[[NVW:.*]] = hetc.add %[[V0]], %[[G2S]]
// ADAM: %[[SV:.*]] = hetc.sqrt %[[NVW]]
// ADAM: %[[SVC:.*]] = hetc.div %[[SV]], %[[BC2S]]
// ADAM: %[[DEN:.*]] = hetc.add %[[SVC]], %[[EPS]]
// ADAM: %[[R:.*]] = hetc.div %[[NMW]], %[[DEN]]
// ADAM: %[[U:.*]] = hetc.mul %[[R]], %[[STEP]]
// ADAM: %[[NW:.*]] = hetc.sub %[[W]], %[[U]]
// ADAM: %[[NB:.*]] = hetc.sub %[[B]], %{{.*}}
// ADAM: return %[[NW]], %[[NB]], %[[NMW]], %[[NVW]], %{{.*}}, %{{.*}}, %[[NT]], %{{.*}}, %{{.*}} :

// Adam's (L2) weight decay is added to the gradient before the moments.
// ADAML2-LABEL: func.func @train_step(
// ADAML2-SAME: %[[W:[^:]+]]: tensor<2x3xf32>
// ADAML2-SAME: %[[WD:[^:]+]]: tensor<f32> {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 5.000000e-01>, name = "weight_decay"}
// ADAML2: %[[GW:.*]] = hetc.matmul %{{.*}}, %{{.*}} transpose_lhs
// ADAML2: %[[DW:.*]] = hetc.mul %[[W]], %[[WD]]
// ADAML2: %[[G:.*]] = hetc.add %[[GW]], %[[DW]]
// ADAML2: hetc.mul %[[G]], %{{.*}}
// ADAML2: hetc.mul %[[G]], %[[G]]
// ADAML2: hetc.sub %[[W]], %{{.*}}

// AdamW decays the parameter itself, p *= 1 - lr * wd (default wd 0.01),
// then takes the Adam step without weight decay.
// ADAMW-LABEL: func.func @train_step(
// ADAMW-SAME: %[[W:[^:]+]]: tensor<2x3xf32>
// ADAMW-SAME: %[[LR:[^:]+]]: tensor<f32> {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 1.000000e-02>, name = "lr"}
// ADAMW-SAME: %[[WD:[^:]+]]: tensor<f32> {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 1.000000e-02>, name = "weight_decay"}
// ADAMW-SAME: hetc.optimizer = {beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, eps = 1.000000e-08 : f64, groups = 1 : i64, lr = 1.000000e-02 : f64, name = "adamw", weight_decay = 1.000000e-02 : f64}
// ADAMW: %[[GW:.*]] = hetc.matmul %{{.*}}, %{{.*}} transpose_lhs
// ADAMW: %[[LRWD:.*]] = hetc.mul %[[LR]], %[[WD]]
// ADAMW: %[[KEEP:.*]] = hetc.sub %{{.*}}, %[[LRWD]]
// ADAMW: %[[DW:.*]] = hetc.mul %[[W]], %[[KEEP]]
// ADAMW-NOT: hetc.add %[[GW]]
// ADAMW: hetc.mul %[[GW]], %{{.*}}
// ADAMW: %[[R:.*]] = hetc.div %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// ADAMW-NEXT: %[[U:.*]] = hetc.mul %[[R]], %{{.*}} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
// ADAMW-NEXT: %[[NW:.*]] = hetc.sub %[[DW]], %[[U]]
// ADAMW: return %[[NW]],

// Parameter groups, in order: each parameter joins the first group whose
// glob matches its name (b is param1: group 0; w: group 1); each group has
// its own hyper-parameters, named hyper:groupN:... after group 0.
// GROUPS-LABEL: func.func @train_step(
// GROUPS-SAME: %[[W:[^:]+]]: tensor<2x3xf32>
// GROUPS-SAME: %[[B:[^:]+]]: tensor<2xf32>
// GROUPS-SAME: %[[LR0:[^:]+]]: tensor<f32> {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 2.000000e-01>, name = "lr"}, hetc.name = "hyper:lr"}
// GROUPS-SAME: %[[WD0:[^:]+]]: tensor<f32> {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 0.000000e+00>, name = "weight_decay"}, hetc.name = "hyper:weight_decay"}
// GROUPS-SAME: %[[LR1:[^:]+]]: tensor<f32> {hetc.hyper = {group = 1 : i64, init = #hetc.init<constant, 5.000000e-01>, name = "lr"}, hetc.name = "hyper:group1:lr"}
// GROUPS-SAME: %[[WD1:[^:]+]]: tensor<f32> {hetc.hyper = {group = 1 : i64, init = #hetc.init<constant, 1.000000e-01>, name = "weight_decay"}, hetc.name = "hyper:group1:weight_decay"}
// GROUPS-SAME: groups = 2 : i64
// GROUPS: hetc.mul %[[W]], %[[WD1]]
// GROUPS: hetc.mul %{{.*}}, %[[LR1]]
// GROUPS: hetc.mul %[[B]], %[[WD0]]
// GROUPS: hetc.mul %{{.*}}, %[[LR0]]

// Clipping by global norm (torch's clip_grad_norm_): total = sqrt(sum of
// squares), coef = min(max_norm / (total + 1e-6), 1), every gradient
// scaled; total is the output grad_norm.
// CLIP-LABEL: func.func @train_step(
// CLIP-SAME: %[[MAX:[^:]+]]: tensor<f32> {hetc.hyper = {group = 0 : i64, init = #hetc.init<constant, 1.500000e+00>, name = "max_grad_norm"}, hetc.name = "hyper:max_grad_norm"}
// CLIP-SAME: -> (tensor<2x3xf32> {hetc.updates = 0 : i64}, tensor<2xf32> {hetc.updates = 1 : i64}, tensor<f32> {hetc.loss}, tensor<4x2xf32> {hetc.output}, tensor<f32> {hetc.grad_norm})
// CLIP-SAME: max_grad_norm = 1.500000e+00 : f64
// CLIP: %[[GW:.*]] = hetc.matmul %{{.*}}, %{{.*}} transpose_lhs
// CLIP: %[[FW:.*]] = hetc.reshape %[[GW]] [6]
// CLIP: %[[SQW:.*]] = hetc.mul %[[FW]], %[[FW]]
// CLIP: %[[SW:.*]] = hetc.reduce_sum %[[SQW]] [0] : tensor<6xf32> -> tensor<f32>
// CLIP: %[[SB:.*]] = hetc.reduce_sum %{{.*}} [0] : tensor<2xf32> -> tensor<f32>
// CLIP: %[[SUM:.*]] = hetc.add %[[SW]], %[[SB]]
// CLIP: %[[TOTAL:.*]] = hetc.sqrt %[[SUM]]
// CLIP: %[[EPS:.*]] = arith.constant dense<9.99999997E-7> : tensor<f32>
// CLIP: %[[DEN:.*]] = hetc.add %[[TOTAL]], %[[EPS]]
// CLIP: %[[RATIO:.*]] = hetc.div %[[MAX]], %[[DEN]]
// CLIP: %[[COEF:.*]] = hetc.minimum %[[RATIO]], %{{.*}}
// CLIP: %[[CW:.*]] = hetc.mul %[[GW]], %[[COEF]]
// CLIP: %[[CB:.*]] = hetc.mul %{{.*}}, %[[COEF]]
// CLIP: hetc.add %[[CW]],
// CLIP: return %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[TOTAL]] :

// Accumulation over k = 4 micro-batches: a grad_accum per parameter and a
// micro_step counter; every call adds g / 4, and only the 4th (count >= 4)
// updates the parameters and resets the accumulators.
// ACCUM-LABEL: func.func @train_step(
// ACCUM-SAME: %[[W:[^:]+]]: tensor<2x3xf32>
// ACCUM-SAME: %[[B:[^:]+]]: tensor<2xf32>
// ACCUM-SAME: %[[AW:[^:]+]]: tensor<2x3xf32> {hetc.opt_state = {init = #hetc.init<zeros>, kind = "grad_accum", param = 0 : i64}}
// ACCUM-SAME: %[[AB:[^:]+]]: tensor<2xf32> {hetc.opt_state = {init = #hetc.init<zeros>, kind = "grad_accum", param = 1 : i64}}
// ACCUM-SAME: %[[MICRO:[^:]+]]: tensor<f32> {hetc.opt_state = {init = #hetc.init<zeros>, kind = "micro_step"}}
// ACCUM-SAME: accumulate = 4 : i64
// ACCUM: %[[GW:.*]] = hetc.matmul %{{.*}}, %{{.*}} transpose_lhs
// ACCUM: %[[COUNT:.*]] = hetc.add %[[MICRO]], %{{.*}}
// ACCUM: %[[K:.*]] = arith.constant dense<4.000000e+00> : tensor<f32>
// ACCUM: %[[APPLY:.*]] = hetc.compare ge, %[[COUNT]], %[[K]]
// ACCUM: %[[NMICRO:.*]] = hetc.where %[[APPLY]], %{{.*}}, %[[COUNT]]
// ACCUM: %[[QUARTER:.*]] = arith.constant dense<2.500000e-01> : tensor<f32>
// ACCUM: %[[PART:.*]] = hetc.mul %[[GW]], %[[QUARTER]]
// ACCUM: %[[TOTAL:.*]] = hetc.add %[[AW]], %[[PART]]
// ACCUM: %[[NAW:.*]] = hetc.where %[[APPLY]], %{{.*}}, %[[TOTAL]]
// ACCUM: hetc.add %[[TOTAL]], %{{.*}}
// ACCUM: %[[NW:.*]] = hetc.where %[[APPLY]], %{{.*}}, %[[W]]
// ACCUM: %[[NB:.*]] = hetc.where %[[APPLY]], %{{.*}}, %[[B]]
// ACCUM: return %[[NW]], %[[NB]], %[[NAW]], %{{.*}}, %[[NMICRO]],

// The NaN/Inf guard: one flag per checked value (sum of x * 0: 0 or NaN),
// and every update selects its old value unless all are finite.
// GUARD-LABEL: func.func @train_step(
// GUARD-SAME: %[[W:[^:]+]]: tensor<2x3xf32>
// GUARD-SAME: %[[B:[^:]+]]: tensor<2xf32>
// GUARD-SAME: %[[M:[^:]+]]: tensor<2x3xf32> {hetc.opt_state
// GUARD-SAME: tensor<3xf32> {hetc.nonfinite = ["loss", "w", "param1"]}
// GUARD-SAME: nan_guard = true
// GUARD: %[[LOSS:.*]] = hetc.cross_entropy
// GUARD: %[[ZL:.*]] = hetc.mul %[[LOSS]], %{{.*}}
// GUARD: %[[FLAGS:.*]] = hetc.concat %{{.*}}, %{{.*}}, %{{.*}} axis 0 : (tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<3xf32>
// GUARD: %[[ALL:.*]] = hetc.reduce_sum %[[FLAGS]] [0]
// GUARD: %[[OK:.*]] = hetc.compare eq, %[[ALL]], %{{.*}}
// GUARD: %[[NW:.*]] = hetc.where %[[OK]], %{{.*}}, %[[W]]
// GUARD: %[[NB:.*]] = hetc.where %[[OK]], %{{.*}}, %[[B]]
// GUARD: %[[NM:.*]] = hetc.where %[[OK]], %{{.*}}, %[[M]]
// GUARD: return %[[NW]], %[[NB]], %[[NM]], %{{.*}}, %[[LOSS]], %{{.*}}, %[[FLAGS]] :

// rematerialize=true is passed on to autodiff: the logits are recomputed
// for the cross-entropy gradient.
// REMAT-LABEL: func.func @train_step(
// REMAT: %[[LOGITS:.*]] = hetc.add
// REMAT: hetc.cross_entropy %[[LOGITS]]
// REMAT: %[[RE:.*]] = hetc.add
// REMAT: hetc.cross_entropy_backward %{{.*}}, %[[RE]],

// An unknown optimizer is refused when the option is parsed.
// BAD-NAME: for the --optimizer option: unknown optimizer 'rmsprop' (expected sgd, adam or adamw)
// Options not given print as None, which reads back as not given: the printed
// pipeline runs as the one given (adam does not refuse a momentum of 0).
// PIPELINE: hetc-train-step{accumulate=1 beta1=None beta2=None entry= eps=None {{ *}}lr=None max-grad-norm=None momentum=None nan-guard=false nesterov=None optimizer=adam rematerialize=false weight-decay=None}

// BAD-NESTEROV: error: nesterov momentum needs momentum > 0
// BAD-LR: error: lr must be a positive finite number, got 0.000000e+00
// BAD-BETA: error: beta1 and beta2 must be in [0, 1), got 9.000000e-01 and 1.000000e+00
// BAD-WD: error: weight-decay must be a finite number >= 0, got -5.000000e-01
// BAD-ENTRY: error: no function named 'nope' in the module
// BAD-ACCUM: error: accumulate must be a whole number from 1 to 2^24, got 0
// BAD-NOGROUP: error: parameter 'param1' is in no parameter group (add a group matching it, or '*' last)
// BAD-EMPTYGROUP: error: parameter group 1 ('x*') matches no parameter
// BAD-GROUPKEY: error: parameter group '*:beta1=0.5': beta1 applies to adam and adamw, not sgd
// BAD-GROUPLR: error: parameter group '*:lr=-1': lr must be a positive finite number, got '-1'
// BAD-CLIP: error: max-grad-norm must be a positive finite number, got -1.000000e+00

//--- f16.mlir

// SGD updates f16 parameters in f16; Adam keeps f32 state and needs f32
// parameters.
// The f32 hyper-parameters are cast to f16 for the update.
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: %[[W:[^:]+]]: tensor<4xf16>
// CHECK-SAME: %[[LR32:[^:]+]]: tensor<f32> {hetc.hyper = {{[{][^}]*}}name = "lr"}
// CHECK: %[[LR:.*]] = hetc.cast %[[LR32]] : tensor<f32> -> tensor<f16>
// CHECK: %[[S:.*]] = hetc.mul %{{.*}}, %[[LR]] : (tensor<4xf16>, tensor<f16>) -> tensor<4xf16>
// CHECK: %[[NW:.*]] = hetc.sub %[[W]], %[[S]]
// CHECK: return %[[NW]],
// ADAM-F16: error: adam supports f32 parameters only; parameter #0 is 'tensor<4xf16>'
func.func @half(%w: tensor<4xf16> {hetc.param = #hetc.init<zeros>}) -> tensor<f16> {
  %l = hetc.reduce_sum %w [0] : tensor<4xf16> -> tensor<f16>
  return %l : tensor<f16>
}

//--- errors.mlir

// expected-error @+1 {{hetc-train-step needs entry=<model> when the module has 2 models}}
module {
  func.func @a(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
    %l = hetc.reduce_sum %w [0] : tensor<4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
  func.func @b(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
    %l = hetc.reduce_sum %w [0] : tensor<4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

func.func @model(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}) -> tensor<f32> {
  %l = hetc.reduce_sum %w [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}
// expected-error @+1 {{the module already defines 'train_step'}}
func.func @train_step() {
  return
}

// -----

// The model contract is checked before anything is generated.
// expected-error @+1 {{argument #1 of model 'no_role' has no role: mark it hetc.param, hetc.buffer, hetc.input or hetc.label}}
func.func @no_role(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}, %x: tensor<4xf32>) -> tensor<f32> {
  %l = hetc.reduce_sum %w [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

func.func @no_rule(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                   %g: tensor<4xf32> {hetc.input}) -> tensor<f32> {
  // expected-error @+1 {{'hetc.slice_backward' op has no gradient rule; hetc cannot differentiate through it}}
  %0 = hetc.slice_backward %g, %w offsets [0] sizes [4] strides [1]
      : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %l = hetc.reduce_sum %0 [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// The dialect verifies the optimizer-state attributes train_step carries.

// expected-error @+1 {{argument #1: unknown optimizer state kind 'velocity' (expected momentum, exp_avg, exp_avg_sq, grad_accum, step or micro_step)}}
func.func @bad_kind(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                    %s: tensor<4xf32> {hetc.opt_state = {kind = "velocity", init = #hetc.init<zeros>, param = 0 : i64}}) {
  return
}

// -----

// expected-error @+1 {{argument #1: 'exp_avg' optimizer state needs param = <index of its parameter's argument>}}
func.func @no_param(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                    %s: tensor<4xf32> {hetc.opt_state = {kind = "exp_avg", init = #hetc.init<zeros>}}) {
  return
}

// -----

// expected-error @+1 {{argument #1: 'momentum' optimizer state needs param = <index of its parameter's argument>}}
func.func @param_out_of_range(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                              %s: tensor<4xf32> {hetc.opt_state = {kind = "momentum", init = #hetc.init<zeros>, param = 2 : i64}}) {
  return
}

// -----

// expected-error @+1 {{argument #1: 'exp_avg_sq' state has type 'tensor<3xf32>' but its param (argument #0) has type 'tensor<4xf32>'}}
func.func @state_type(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                      %s: tensor<3xf32> {hetc.opt_state = {kind = "exp_avg_sq", init = #hetc.init<zeros>, param = 0 : i64}}) {
  return
}

// -----

// expected-error @+1 {{argument #1: the 'step' optimizer state is a 0-d tensor without a param}}
func.func @step_shape(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>},
                      %s: tensor<4xf32> {hetc.opt_state = {kind = "step", init = #hetc.init<zeros>, param = 0 : i64}}) {
  return
}
