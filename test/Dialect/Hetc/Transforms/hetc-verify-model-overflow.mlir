// RUN: hetc-opt %s --hetc-verify-model --split-input-file --verify-diagnostics

// A model argument or result whose element count or byte size overflows 64
// bits is refused at the argument, before autodiff or lowering computes any
// size from it. 4611686018427387904 is 2^62: 2^64 bytes of f32.

func.func @huge_param(%x: tensor<4xf32> {hetc.input}, %y: tensor<4xf32> {hetc.label},
                      // expected-error @+1 {{argument #2 'w' of model 'huge_param' has type 'tensor<4611686018427387904xf32>', whose element count or byte size overflows 64 bits}}
                      %w: tensor<4611686018427387904xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "w"}) -> tensor<f32> {
  %l = hetc.mse %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A result may only be huge through an op that widens, as broadcast_to does.
// expected-error @+1 {{'func.func' op result #1 of model 'huge_result' has type 'tensor<4611686018427387904x4xf32>', whose element count or byte size overflows 64 bits}}
func.func @huge_result(%x: tensor<4xf32> {hetc.input}, %y: tensor<4xf32> {hetc.label},
                       %w: tensor<4xf32> {hetc.param = #hetc.init<zeros>})
    -> (tensor<f32>, tensor<4611686018427387904x4xf32>) {
  %l = hetc.mse %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  %big = hetc.broadcast_to %y [4611686018427387904, 4] : tensor<4xf32> -> tensor<4611686018427387904x4xf32>
  return %l, %big : tensor<f32>, tensor<4611686018427387904x4xf32>
}
