// Repair corpus, bug class: wrong-predicate. @max picks the smaller value (comparing b < a, or
// using sgt, both fix it; the swap comes first).
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void
// CHECK: remark: neuro-repair: repaired 'max' {{.*}}: symbolic strategy swap-operands: swap the operands of 'arith.cmpi'

func.func @max(%a: i32, %b: i32) -> i32 {
  %lt = arith.cmpi slt, %a, %b : i32
  %m = arith.select %lt, %a, %b : i32
  return %m : i32
}
func.func @main() {
  %c2 = arith.constant 2 : i32
  %c7 = arith.constant 7 : i32
  %m1 = func.call @max(%c2, %c7) : (i32, i32) -> i32
  %ok1 = arith.cmpi eq, %m1, %c7 : i32
  cf.assert %ok1, "max(2, 7) is 7"
  %m2 = func.call @max(%c7, %c2) : (i32, i32) -> i32
  %ok2 = arith.cmpi eq, %m2, %c7 : i32
  cf.assert %ok2, "max(7, 2) is 7"
  return
}
