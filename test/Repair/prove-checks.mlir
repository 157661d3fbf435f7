// --tensorlang-prove-checks removes the checks Z3 proves can never fail for the inputs the
// program passes, which the instrumentation's own elimination (folding, divisor ranges) cannot
// see; the user's asserts stay, and so do checks that can fail.
// RUN: tensorlang-opt %s --tensorlang-instrument --tensorlang-prove-checks 2>%t.remarks | FileCheck %s
// RUN: FileCheck %s --check-prefix=REMARK < %t.remarks
// RUN: not tensorlang-opt %s --tensorlang-prove-checks="budget=0" 2>&1 | FileCheck %s --check-prefix=BAD

// REMARK: remark: tensorlang-prove-checks: removed 2 check(s) of @guarded that Z3 proved never fail for the inputs the program passes
// REMARK: remark: tensorlang-prove-checks: removed 2 check(s) of @quarter
// REMARK-NOT: remark

// A guarded divisor: the zero check and the overflow check both go.
// CHECK-LABEL: func.func @guarded(
// CHECK-NOT: tensorlang.check
// CHECK: arith.divsi
func.func @guarded(%a: i32, %b: i32) -> i32 {
  %zero = arith.constant 0 : i32
  %one = arith.constant 1 : i32
  %is_zero = arith.cmpi eq, %b, %zero : i32
  %d = arith.select %is_zero, %one, %b : i32
  %m = arith.constant -1 : i32
  %is_m = arith.cmpi eq, %d, %m : i32
  %safe = arith.select %is_m, %one, %d : i32
  %q = arith.divsi %a, %safe : i32
  return %q : i32
}

// Any divisor: both checks stay.
// CHECK-LABEL: func.func @open(
// CHECK: cf.assert {{.*}} {tensorlang.check = "div-by-zero"}
// CHECK: arith.divsi
func.func @open(%a: i32, %b: i32) -> i32 {
  %q = arith.divsi %a, %b : i32
  return %q : i32
}

// Only ever called with 4 as the divisor (by @main): the zero and overflow checks go, and the
// user's assert stays though it is proved too.
// CHECK-LABEL: func.func @quarter(
// CHECK-NOT: tensorlang.check
// CHECK: cf.assert %{{.*}}, "a quarter is small"
func.func @quarter(%a: i32, %b: i32) -> i32 {
  %q = arith.divsi %a, %b : i32
  %c100 = arith.constant 100 : i32
  %small = arith.cmpi slt, %q, %c100 : i32
  cf.assert %small, "a quarter is small"
  return %q : i32
}

func.func @main() {
  %c8 = arith.constant 8 : i32
  %c4 = arith.constant 4 : i32
  %q = func.call @quarter(%c8, %c4) : (i32, i32) -> i32
  return
}

// BAD: error: tensorlang-prove-checks: option 'budget' expects a positive number of steps
