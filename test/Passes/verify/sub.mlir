// Malformed `tensorlang.sub` ops (dynamic shapes) get located errors.
// RUN: tensorlang-opt %s --split-input-file --verify-diagnostics --tensorlang-verify

func.func @f(%a: tensor<?x3xf32>) {
  // expected-error @+1 {{'tensorlang.sub' requires a statically shaped tensor result, got tensor<?x3xf32>}}
  %0 = "tensorlang.sub"(%a, %a) : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  return
}
