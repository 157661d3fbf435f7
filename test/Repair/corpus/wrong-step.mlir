// Repair corpus, bug class: wrong-step. @sum_even steps by 1 instead of 2.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void
// CHECK: remark: neuro-repair: repaired 'sum_even' {{.*}}: symbolic strategy change-constant:

func.func @sum_even(%n: index) -> i32 {
  %c0 = arith.constant 0 : index
  %step = arith.constant 1 : index
  %zero = arith.constant 0 : i32
  %s = scf.for %i = %c0 to %n step %step iter_args(%acc = %zero) -> (i32) {
    %v = arith.index_cast %i : index to i32
    %next = arith.addi %acc, %v : i32
    scf.yield %next : i32
  }
  return %s : i32
}
func.func @main() {
  %c7 = arith.constant 7 : index
  %s = func.call @sum_even(%c7) : (index) -> i32
  %c12 = arith.constant 12 : i32
  %ok = arith.cmpi eq, %s, %c12 : i32
  cf.assert %ok, "0 + 2 + 4 + 6 is 12"
  return
}
