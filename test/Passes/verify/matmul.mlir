// Malformed `tensorlang.matmul` ops (inner dimensions, element types and result shape) get located errors.
// RUN: tensorlang-opt %s --split-input-file --verify-diagnostics --tensorlang-verify

func.func @f(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) {
  // expected-error @+1 {{'tensorlang.matmul' inner dimensions disagree: lhs is 2x3, rhs is 2x3}}
  %0 = "tensorlang.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x4xf64>) {
  // expected-error @+1 {{'tensorlang.matmul' element types disagree: rhs has f64, result has f32}}
  %0 = "tensorlang.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf64>) -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{'tensorlang.matmul' result shape is 4x2, expected 2x4}}
  %0 = "tensorlang.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<4x2xf32>
  return
}
