// An integer division by zero inside a callee is caught at the division and blamed on the callee.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --then=after -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s

// CHECK: 3
// CHECK-NEXT: {{.*}}div-by-zero.mlir:[[@LINE+4]]:8: error: division by zero in 'arith.divsi'
// CHECK-NEXT: note: in function 'ratio' called as 'main'
// CHECK-NEXT: 7
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

func.func @after() {
  %c7 = arith.constant 7 : i32
  vector.print %c7 : i32
  return
}
