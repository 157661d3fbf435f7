// Malformed `tensorlang.reduce` ops (axis, kind and result shape) get located errors.
// RUN: tensorlang-opt %s --split-input-file --verify-diagnostics --tensorlang-verify

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'tensorlang.reduce' axis 2 is out of range for a rank-2 input}}
  %0 = "tensorlang.reduce"(%a) {kind = "sum", axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'"mean"' does not satisfy the constraint}}
  %0 = "tensorlang.reduce"(%a) {kind = "mean", axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'tensorlang.reduce' result shape is 2, expected 3}}
  %0 = "tensorlang.reduce"(%a) {kind = "max", axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}
