// Malformed `tensorlang.relu` ops (result type and unranked tensors) get located errors.
// RUN: tensorlang-opt %s --split-input-file --verify-diagnostics --tensorlang-verify

func.func @f(%a: tensor<4xf32>) {
  // expected-error @+1 {{expected 'tensor<4xf32>' but got 'tensor<5xf32>'}}
  %0 = "tensorlang.relu"(%a) : (tensor<4xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @f(%a: tensor<*xf32>) {
  // expected-error @+1 {{expected base type 'builtin.tensor' but got 'builtin.unranked_tensor'}}
  %0 = "tensorlang.relu"(%a) : (tensor<*xf32>) -> tensor<*xf32>
  return
}
