// An op the tensorlang dialect does not define is rejected with its location.
// RUN: tensorlang-opt %s --split-input-file --verify-diagnostics --tensorlang-verify

func.func @f(%t: tensor<2xf32>) {
  // expected-error @+1 {{unregistered operation 'tensorlang.frobnicate' found in dialect ('tensorlang') that does not allow unknown operations}}
  "tensorlang.frobnicate"(%t) : (tensor<2xf32>) -> ()
  return
}
