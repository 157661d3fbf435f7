// Asserts that hold cost the program nothing visible: it runs to the end.
// RUN: tensorlang-opt %s --tensorlang-to-llvm | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils,%tensorlang_checks | FileCheck %s

// CHECK: 1.5
// CHECK-NEXT: 2.5
func.func @main() {
  %speed = arith.constant 1.5 : f32
  %limit = arith.constant 2.0 : f32
  %ok = arith.cmpf olt, %speed, %limit : f32
  "tensorlang.assert"(%ok) {message = "landing speed within limits"} : (i1) -> ()
  "tensorlang.print"(%speed) : (f32) -> ()
  %one = arith.constant 1.0 : f32
  %next = arith.addf %speed, %one : f32
  "tensorlang.print"(%next) : (f32) -> ()
  return
}
