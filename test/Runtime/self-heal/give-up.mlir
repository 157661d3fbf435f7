// When no candidate passes, the failure goes on as if there were no self-healing: the call
// fails, main fails, the exit status says so, and the report holds the attempt and why.
// The only replaceable function is trusted, so nothing may be repaired.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --self-heal --heal-sources=symbolic --heal-cache=none --heal-report=%t.json 2>&1 | FileCheck %s
// RUN: FileCheck %s --check-prefix=REPORT < %t.json
// RUN: not tensorlang-run %s -e main -entry-point-result=void --self-heal --heal-attempts=0 --heal-cache=none 2>&1 | FileCheck %s --check-prefix=ZERO

// CHECK: give-up.mlir:[[@LINE+14]]:3: error: assertion failed: never negative
// CHECK-NEXT: note: in function 'check' called as 'check'
// CHECK-NEXT: note: self-heal: attempt 1 of 3
// CHECK-NEXT: error: self-heal: no verified repair: nothing may be repaired: 'check' is the entry point or trusted, and calls no function that could be
// CHECK-NEXT: give-up.mlir:[[@LINE+10]]:3: error: assertion failed: never negative
// CHECK-NEXT: note: in function 'check' called as 'main'
// REPORT: "call": "check"
// REPORT: "repair": null
// REPORT: "error": "nothing may be repaired
// ZERO: error: self-heal: gave up on 'check' after 0 repairs; the failure goes on to its caller
// ZERO: error: assertion failed: never negative
func.func @check(%x: i32) attributes {tensorlang.replaceable, tensorlang.trusted} {
  %zero = arith.constant 0 : i32
  %ok = arith.cmpi sge, %x, %zero : i32
  cf.assert %ok, "never negative"
  return
}

func.func @main() {
  %minus = arith.constant -1 : i32
  func.call @check(%minus) : (i32) -> ()
  return
}
