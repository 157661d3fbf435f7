// A two-layer perceptron on a batch of two inputs, in TensorLang:
// logits = relu(x . W1 + b1) . W2, then the best score per input.
func.func @main() {
  %x = "tensorlang.constant"() {value = dense<[[1.0, -2.0, 0.5], [0.0, 1.0, 3.0]]> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
  %w1 = "tensorlang.constant"() {value = dense<[[0.5, -1.0, 1.0, 0.0], [0.25, 0.5, -0.5, 1.0], [1.0, 0.0, 0.5, -1.0]]> : tensor<3x4xf32>} : () -> tensor<3x4xf32>
  %b1 = "tensorlang.constant"() {value = dense<[[0.1, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.1]]> : tensor<2x4xf32>} : () -> tensor<2x4xf32>
  %w2 = "tensorlang.constant"() {value = dense<[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 2.0]]> : tensor<4x2xf32>} : () -> tensor<4x2xf32>
  %h = "tensorlang.matmul"(%x, %w1) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %hb = "tensorlang.add"(%h, %b1) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %a = "tensorlang.relu"(%hb) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %logits = "tensorlang.matmul"(%a, %w2) : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  "tensorlang.print"(%logits) : (tensor<2x2xf32>) -> ()
  %best = "tensorlang.reduce"(%logits) {kind = "max", axis = 1 : i64} : (tensor<2x2xf32>) -> tensor<2xf32>
  "tensorlang.print"(%best) : (tensor<2xf32>) -> ()
  return
}
