// Signed division and remainder are checked for MIN / -1; unsigned ones cannot overflow, and a
// divisor known not to be -1 needs no check.
// RUN: tensorlang-opt %s --tensorlang-instrument="div-by-zero=false" | FileCheck %s

// CHECK-LABEL: func.func @signed
// CHECK-DAG: %[[MIN:.*]] = arith.constant -2147483648 : i32
// CHECK-DAG: %[[M1:.*]] = arith.constant -1 : i32
// CHECK: %[[A:.*]] = arith.cmpi ne, %arg0, %[[MIN]] : i32
// CHECK: %[[B:.*]] = arith.cmpi ne, %arg1, %[[M1]] : i32
// CHECK: %[[OK:.*]] = arith.ori %[[A]], %[[B]] : i1
// CHECK: cf.assert %[[OK]], "signed division overflow in 'arith.divsi'" {tensorlang.check = "overflow"}
// CHECK-NEXT: arith.divsi
func.func @signed(%a: i32, %b: i32) -> i32 {
  %q = arith.divsi %a, %b : i32
  return %q : i32
}

// CHECK-LABEL: func.func @signed_remainder_i64
// CHECK: arith.constant -9223372036854775808 : i64
// CHECK: cf.assert {{.*}}, "signed division overflow in 'arith.remsi'" {tensorlang.check = "overflow"}
func.func @signed_remainder_i64(%a: i64, %b: i64) -> i64 {
  %r = arith.remsi %a, %b : i64
  return %r : i64
}

// CHECK-LABEL: func.func @unsigned
// CHECK-NOT: cf.assert
// CHECK: arith.divui
func.func @unsigned(%a: i32, %b: i32) -> i32 {
  %q = arith.divui %a, %b : i32
  return %q : i32
}

// CHECK-LABEL: func.func @positive_divisor
// CHECK-NOT: cf.assert
// CHECK: arith.floordivsi
func.func @positive_divisor(%a: i32) -> i32 {
  %c2 = arith.constant 2 : i32
  %q = arith.floordivsi %a, %c2 : i32
  return %q : i32
}
