// Malformed `tensorlang.constant` ops (a value of the wrong type or kind) get located errors.
// RUN: tensorlang-opt %s --split-input-file --verify-diagnostics --tensorlang-verify

func.func @f() {
  // expected-error @+1 {{'tensorlang.constant' value has type tensor<3xf32>, result has type tensor<2xf32>}}
  %0 = "tensorlang.constant"() {value = dense<1.0> : tensor<3xf32>} : () -> tensor<2xf32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{expected base attribute 'builtin.dense_int_or_fp_elements' but got 'builtin.float'}}
  %0 = "tensorlang.constant"() {value = 1.0 : f32} : () -> tensor<2xf32>
  return
}
