// Repair corpus, bug class: zero-divisor-default. @target divides by zero where the driver expects the documented 0.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy guard-division-zero

func.func @target(%a: i32, %b: i32) -> i32 {
  %q = arith.divsi %a, %b : i32
  return %q : i32
}
func.func @main() {
  %c10 = arith.constant 10 : i32
  %c2 = arith.constant 2 : i32
  %c0 = arith.constant 0 : i32
  %c5 = arith.constant 5 : i32
  %r1 = call @target(%c10, %c2) : (i32, i32) -> i32
  %ok1 = arith.cmpi eq, %r1, %c5 : i32
  cf.assert %ok1, "10 / 2 is 5"
  vector.print %r1 : i32
  %r2 = call @target(%c10, %c0) : (i32, i32) -> i32
  %ok2 = arith.cmpi eq, %r2, %c0 : i32
  cf.assert %ok2, "10 / 0 is 0 by convention"
  vector.print %r2 : i32
  return
}
