// A new version of @relu for tensorlang-replaceable.mlir (a TensorLang function).
func.func @relu(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = "tensorlang.relu"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}
