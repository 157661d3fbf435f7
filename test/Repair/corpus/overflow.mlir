// Repair corpus, bug class: overflow. @average adds before halving: the i32 sum wraps. Widening
// computes the sum and the division in 64 bits and truncates only the average.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void
// CHECK: remark: neuro-repair: repaired 'average' {{.*}}: symbolic strategy widen-integer: compute 'arith.addi' at {{.*}} and 'arith.divsi' at {{.*}} in 64 bits

func.func @average(%a: i32, %b: i32) -> i32 {
  %sum = arith.addi %a, %b : i32
  %two = arith.constant 2 : i32
  %m = arith.divsi %sum, %two : i32
  return %m : i32
}
func.func @main() {
  %a = arith.constant 2000000000 : i32
  %b = arith.constant 2000000002 : i32
  %m = func.call @average(%a, %b) : (i32, i32) -> i32
  %e = arith.constant 2000000001 : i32
  %ok = arith.cmpi eq, %m, %e : i32
  cf.assert %ok, "the average of 2000000000 and 2000000002 is 2000000001"
  return
}
