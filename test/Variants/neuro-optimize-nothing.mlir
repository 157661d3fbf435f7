// A module without a matmul function is left as it is, with a remark.
// RUN: tensorlang-opt %s --neuro-optimize --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @add(
// CHECK: arith.addf
// expected-remark @below {{neuro-optimize: no function to optimize}}
module {
  func.func @add(%a: f32, %b: f32) -> f32 {
    %s = arith.addf %a, %b : f32
    return %s : f32
  }
}
