// Our verifier, loaded into upstream mlir-opt, reports shape errors with their location.
// RUN: %upstream_mlir_opt %s --load-pass-plugin=%tensorlang_plugin --irdl-file=%irdl_file --pass-pipeline="builtin.module(tensorlang-verify)" --verify-diagnostics

func.func @f(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{'tensorlang.matmul' inner dimensions disagree: lhs is 2x3, rhs is 4x5}}
  %0 = "tensorlang.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}
