// --failure-report writes every failure of the run as JSON: function, kind, location, message.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --then=main --failure-report=%t.json -shared-libs=%mlir_c_runner_utils 2>/dev/null
// RUN: FileCheck %s --input-file=%t.json

// CHECK: "file": "{{.*}}failure-report.mlir"
// CHECK: "function": "ratio"
// CHECK-NEXT: "entry": "main"
// CHECK-NEXT: "kind": "div-by-zero"
// CHECK-NEXT: "location": "{{.*}}failure-report.mlir:[[@LINE+5]]:8"
// CHECK-NEXT: "message": "division by zero in 'arith.divsi'"
// CHECK: "function": "ratio"
// CHECK-NOT: "function"
func.func @ratio(%a: i32, %b: i32) -> i32 {
  %q = arith.divsi %a, %b : i32
  return %q : i32
}

func.func @main() {
  %c7 = arith.constant 7 : i32
  %c0 = arith.constant 0 : i32
  %bad = call @ratio(%c7, %c0) : (i32, i32) -> i32
  vector.print %bad : i32
  return
}
