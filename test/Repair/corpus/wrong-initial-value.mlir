// Repair corpus, bug class: wrong-initial-value. @product starts its accumulator at 0.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void
// CHECK: remark: neuro-repair: repaired 'product' {{.*}}: symbolic strategy change-constant:

func.func @product(%n: index) -> i32 {
  %c1 = arith.constant 1 : index
  %init = arith.constant 0 : i32
  %p = scf.for %i = %c1 to %n step %c1 iter_args(%acc = %init) -> (i32) {
    %v = arith.index_cast %i : index to i32
    %next = arith.muli %acc, %v : i32
    scf.yield %next : i32
  }
  return %p : i32
}
func.func @main() {
  %c5 = arith.constant 5 : index
  %p = func.call @product(%c5) : (index) -> i32
  %c24 = arith.constant 24 : i32
  %ok = arith.cmpi eq, %p, %c24 : i32
  cf.assert %ok, "1 * 2 * 3 * 4 is 24"
  return
}
