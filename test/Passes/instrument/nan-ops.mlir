// `nan-ops` chooses which float ops are checked; here only multiplication.
// RUN: tensorlang-opt %s --tensorlang-instrument="nan-ops=arith.mulf" | FileCheck %s

// CHECK-LABEL: func.func @scale
// CHECK: arith.divf
// CHECK-NOT: "non-finite result (NaN or Inf) of 'arith.divf'"
// CHECK: arith.mulf
// CHECK: cf.assert {{.*}}, "non-finite result (NaN or Inf) of 'arith.mulf'" {tensorlang.check = "nan"}
func.func @scale(%a: f32, %b: f32) -> f32 {
  %q = arith.divf %a, %b : f32
  %m = arith.mulf %q, %b : f32
  return %m : f32
}
