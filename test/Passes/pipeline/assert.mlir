// A failing tensorlang.assert stops the program with its location and message (through
// `__tensorlang_assert_fail` from libtensorlang_checks.so); what ran before it is kept.
// RUN: tensorlang-opt %s --tensorlang-to-llvm 2>/dev/null | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 9
// CHECK-NEXT: {{.*}}assert.mlir:[[@LINE+9]]:3: error: assertion failed: landing speed within limits
// CHECK-EMPTY:
func.func @main() {
  %speed = arith.constant 9.0 : f32
  %limit = arith.constant 2.0 : f32
  %true = arith.constant true
  "tensorlang.assert"(%true) {message = "always holds"} : (i1) -> ()
  "tensorlang.print"(%speed) : (f32) -> ()
  %ok = arith.cmpf olt, %speed, %limit : f32
  "tensorlang.assert"(%ok) {message = "landing speed within limits"} : (i1) -> ()
  "tensorlang.print"(%limit) : (f32) -> ()
  return
}
