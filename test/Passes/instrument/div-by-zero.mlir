// Integer divisors are checked for zero, located at the division; a nonzero constant needs none.
// RUN: tensorlang-opt %s --tensorlang-instrument | FileCheck %s

// CHECK-LABEL: func.func @unsigned
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: %[[NZ:.*]] = arith.cmpi ne, %arg1, %[[ZERO]] : i32
// CHECK: cf.assert %[[NZ]], "division by zero in 'arith.divui'" {tensorlang.check = "div-by-zero"}
// CHECK-NEXT: arith.divui %arg0, %arg1
func.func @unsigned(%a: i32, %b: i32) -> i32 {
  %q = arith.divui %a, %b : i32
  return %q : i32
}

// CHECK-LABEL: func.func @remainder_of_index
// CHECK: cf.assert {{.*}}, "division by zero in 'arith.remui'" {tensorlang.check = "div-by-zero"}
func.func @remainder_of_index(%a: index, %b: index) -> index {
  %r = arith.remui %a, %b : index
  return %r : index
}

// CHECK-LABEL: func.func @constant_divisor
// CHECK-NOT: cf.assert
// CHECK: arith.divui
func.func @constant_divisor(%a: i32) -> i32 {
  %c3 = arith.constant 3 : i32
  %q = arith.divui %a, %c3 : i32
  return %q : i32
}

// CHECK-LABEL: func.func @divisor_in_range
// CHECK-NOT: cf.assert
// CHECK: arith.remui
func.func @divisor_in_range(%a: index, %b: index) -> index {
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %m = arith.remui %b, %c8 : index
  %d = arith.addi %m, %c1 : index
  %r = arith.remui %a, %d : index
  return %r : index
}
