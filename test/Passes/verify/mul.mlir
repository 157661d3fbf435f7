// Malformed `tensorlang.mul` ops (index elements) get located errors.
// RUN: tensorlang-opt %s --split-input-file --verify-diagnostics --tensorlang-verify

func.func @f(%a: tensor<2xindex>) {
  // expected-error @+1 {{'tensorlang.mul' requires a tensor of integers or floats as result, got tensor<2xindex>}}
  %0 = "tensorlang.mul"(%a, %a) : (tensor<2xindex>, tensor<2xindex>) -> tensor<2xindex>
  return
}
