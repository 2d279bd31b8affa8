// A 64 -> 128 -> 10 multilayer perceptron for the 8x8 digits set, trained
// with softmax cross-entropy. Parameters are initialized as torch.nn.Linear
// does: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases.
//
// The batch size (32) is fixed at compile time. The first result is the loss
// that training minimizes; the logits are returned for evaluation.
func.func @mlp(%x: tensor<32x64xf32> {hetc.input, hetc.name = "x"},
               %labels: tensor<32xi32> {hetc.label, hetc.name = "labels"},
               %w1: tensor<128x64xf32> {hetc.param = #hetc.init<uniform, 0.125>, hetc.name = "w1"},
               %b1: tensor<128xf32> {hetc.param = #hetc.init<uniform, 0.125>, hetc.name = "b1"},
               %w2: tensor<10x128xf32> {hetc.param = #hetc.init<uniform, 0.08838834764831845>, hetc.name = "w2"},
               %b2: tensor<10xf32> {hetc.param = #hetc.init<uniform, 0.08838834764831845>, hetc.name = "b2"})
    -> (tensor<f32>, tensor<32x10xf32>) {
  // Weights are stored [out, in] like torch.nn.Linear.
  %h0 = hetc.matmul %x, %w1 transpose_rhs
      : (tensor<32x64xf32>, tensor<128x64xf32>) -> tensor<32x128xf32>
  %h1 = hetc.add %h0, %b1 : (tensor<32x128xf32>, tensor<128xf32>) -> tensor<32x128xf32>
  %h = hetc.relu %h1 : tensor<32x128xf32>
  %o0 = hetc.matmul %h, %w2 transpose_rhs
      : (tensor<32x128xf32>, tensor<10x128xf32>) -> tensor<32x10xf32>
  %logits = hetc.add %o0, %b2 : (tensor<32x10xf32>, tensor<10xf32>) -> tensor<32x10xf32>
  %loss = hetc.cross_entropy %logits, %labels
      : (tensor<32x10xf32>, tensor<32xi32>) -> tensor<f32>
  return %loss, %logits : tensor<f32>, tensor<32x10xf32>
}
