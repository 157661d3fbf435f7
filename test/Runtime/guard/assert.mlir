// A failed tensorlang.assert is caught: located, reported, and the process makes the next call.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --then=after -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils 2>&1 | FileCheck %s

// CHECK: 9
// CHECK-NEXT: {{.*}}assert.mlir:[[@LINE+8]]:3: error: assertion failed: landing speed within limits
// CHECK-NEXT: note: in function 'main' called as 'main'
// CHECK-NEXT: 2
func.func @main() {
  %speed = arith.constant 9.0 : f32
  %limit = arith.constant 2.0 : f32
  "tensorlang.print"(%speed) : (f32) -> ()
  %ok = arith.cmpf olt, %speed, %limit : f32
  "tensorlang.assert"(%ok) {message = "landing speed within limits"} : (i1) -> ()
  return
}

func.func @after() {
  %limit = arith.constant 2.0 : f32
  "tensorlang.print"(%limit) : (f32) -> ()
  return
}
