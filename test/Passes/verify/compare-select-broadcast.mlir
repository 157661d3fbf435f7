// Malformed `tensorlang.compare`, `select`, `broadcast` and math ops get located errors.
// RUN: tensorlang-opt %s --split-input-file --verify-diagnostics --tensorlang-verify

func.func @compare_result(%a: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{result must be a tensor of i1, got tensor<3xf32>}}
  %0 = "tensorlang.compare"(%a, %b) {predicate = "lt"} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @select_condition(%c: tensor<2xi1>, %a: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{condition shape is 2, result shape is 3}}
  %0 = "tensorlang.select"(%c, %a, %b) : (tensor<2xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @broadcast_shape(%a: tensor<2xf32>) {
  // expected-error @+1 {{input shape 2 is not the trailing dimensions of the result shape 2x3}}
  %0 = "tensorlang.broadcast"(%a) : (tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @exp_of_integers(%a: tensor<2xi32>) {
  // expected-error @+1 {{requires floats, got tensor<2xi32>}}
  %0 = "tensorlang.exp"(%a) : (tensor<2xi32>) -> tensor<2xi32>
  return
}
