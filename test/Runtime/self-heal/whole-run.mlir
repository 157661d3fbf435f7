// A candidate must pass the whole program, not only what follows the failed call: swapping the
// operands of the division gets @ratio's second call (10 / 0) past the driver's check, but breaks
// the first (10 / 2), which had already passed. The trial runs the entry point again from the
// start after the rest of the run, so that repair is turned away (shown with the first three
// candidates only); with all of them, a division by zero giving 0 is the repair.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=symbolic --heal-cache=none --heal-max-candidates=3 2>&1 | FileCheck %s --check-prefix=FIRST
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=symbolic --heal-cache=none 2>&1 | FileCheck %s

// FIRST-LABEL: error: division by zero in 'arith.divsi'
// FIRST: error: self-heal: no verified repair: no candidate survived verification (3 tried for ratio)
// FIRST: swap the operands of 'arith.divsi' {{.*}} (symbolic) still fails: {{.*}}whole-run.mlir:[[@LINE+18]]:3: error: assertion failed: 10 / 2 is 5
// FIRST-NOT: remark: self-heal: repaired

// CHECK-LABEL: error: division by zero in 'arith.divsi'
// CHECK: remark: self-heal: repaired 'ratio' (symbolic strategy guard-division-zero: give 0 where the divisor of 'arith.divsi'
// CHECK-NOT: error
func.func @ratio(%a: i32, %b: i32) -> i32 {
  %q = arith.divsi %a, %b : i32
  return %q : i32
}

func.func @main() {
  %c10 = arith.constant 10 : i32
  %c2 = arith.constant 2 : i32
  %c0 = arith.constant 0 : i32
  %c5 = arith.constant 5 : i32
  %r1 = call @ratio(%c10, %c2) : (i32, i32) -> i32
  %ok1 = arith.cmpi eq, %r1, %c5 : i32
  cf.assert %ok1, "10 / 2 is 5"
  %r2 = call @ratio(%c10, %c0) : (i32, i32) -> i32
  %ok2 = arith.cmpi eq, %r2, %c0 : i32
  cf.assert %ok2, "10 / 0 is 0"
  return
}
