// An integer division by a zero argument stops at the division with its location.
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 3
// CHECK-NEXT: {{.*}}check-div-by-zero.mlir:[[@LINE+3]]:8: error: division by zero in 'arith.divsi'
// CHECK-EMPTY:
func.func @ratio(%a: i32, %b: i32) -> i32 {
  %q = arith.divsi %a, %b : i32
  return %q : i32
}

func.func @main() {
  %c7 = arith.constant 7 : i32
  %c2 = arith.constant 2 : i32
  %c0 = arith.constant 0 : i32
  %ok = call @ratio(%c7, %c2) : (i32, i32) -> i32
  vector.print %ok : i32
  %bad = call @ratio(%c7, %c0) : (i32, i32) -> i32
  vector.print %bad : i32
  return
}
