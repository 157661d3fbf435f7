// Repair corpus, bug class: division-by-zero. @mean divides by a count that can be zero; the mean of nothing is the total, 0.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void
// CHECK: remark: neuro-repair: repaired 'mean' {{.*}}: symbolic strategy guard-division:

func.func @mean(%total: i32, %count: i32) -> i32 {
  %m = arith.divsi %total, %count : i32
  return %m : i32
}
func.func @main() {
  %c12 = arith.constant 12 : i32
  %c3 = arith.constant 3 : i32
  %c0 = arith.constant 0 : i32
  %c4 = arith.constant 4 : i32
  %a = func.call @mean(%c12, %c3) : (i32, i32) -> i32
  %ok1 = arith.cmpi eq, %a, %c4 : i32
  cf.assert %ok1, "mean(12, 3) is 4"
  %b = func.call @mean(%c0, %c0) : (i32, i32) -> i32
  %ok2 = arith.cmpi eq, %b, %c0 : i32
  cf.assert %ok2, "mean(0, 0) is 0"
  return
}
