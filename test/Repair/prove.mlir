// After a repair, Z3 is asked whether the repaired function's checks, and the asserts of the
// drivers that call it, hold for every input the program passes: here the repaired divisor is
// proved for the inputs @main passes (its two checks, the same two inlined at each of the two
// calls, and the two asserts).
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>&1
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void

// CHECK: remark: neuro-repair: repaired 'half'
// CHECK: remark: neuro-repair: 'half' proved: 8 check(s), its own and those of the drivers that call it, hold for every input the program passes: (arg0 = 8) or (arg0 = 20) (Z3)

func.func @half(%a: i32) -> i32 {
  %k = arith.constant 3 : i32
  %q = arith.divsi %a, %k : i32
  return %q : i32
}

func.func @main() {
  %c8 = arith.constant 8 : i32
  %h = func.call @half(%c8) : (i32) -> i32
  %c4 = arith.constant 4 : i32
  %ok = arith.cmpi eq, %h, %c4 : i32
  cf.assert %ok, "half of 8 is 4"
  %c20 = arith.constant 20 : i32
  %t = func.call @half(%c20) : (i32) -> i32
  %c10 = arith.constant 10 : i32
  %ok2 = arith.cmpi eq, %t, %c10 : i32
  cf.assert %ok2, "half of 20 is 10"
  return
}
