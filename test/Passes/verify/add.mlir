// Malformed `tensorlang.add` ops (operands and result of different types) get located errors.
// RUN: tensorlang-opt %s --split-input-file --verify-diagnostics --tensorlang-verify

func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) {
  // expected-error @+1 {{expected 'tensor<2x3xf32>' but got 'tensor<3x2xf32>'}}
  %0 = "tensorlang.add"(%a, %b) : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x3xf32>
  return
}
