// Malformed `tensorlang.transpose` ops (bad permutations and result shapes) get located errors.
// RUN: tensorlang-opt %s --split-input-file --verify-diagnostics --tensorlang-verify

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'tensorlang.transpose' permutation [0, 0] is not a permutation of the 2 dimensions of the input}}
  %0 = "tensorlang.transpose"(%a) {permutation = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'tensorlang.transpose' result shape is 2x3, expected 3x2}}
  %0 = "tensorlang.transpose"(%a) {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'tensorlang.transpose' op attribute "permutation" is expected but not provided}}
  %0 = "tensorlang.transpose"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}
