// INT_MIN / -1 overflows a signed division: stopped at the division, not left to the hardware.
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: -5
// CHECK-NEXT: {{.*}}check-overflow.mlir:[[@LINE+3]]:8: error: signed division overflow in 'arith.divsi'
// CHECK-EMPTY:
func.func @negate_by_division(%a: i32, %b: i32) -> i32 {
  %q = arith.divsi %a, %b : i32
  return %q : i32
}

func.func @main() {
  %c5 = arith.constant 5 : i32
  %min = arith.constant -2147483648 : i32
  %m1 = arith.constant -1 : i32
  %ok = call @negate_by_division(%c5, %m1) : (i32, i32) -> i32
  vector.print %ok : i32
  %bad = call @negate_by_division(%min, %m1) : (i32, i32) -> i32
  vector.print %bad : i32
  return
}
