// A counterexample Z3 finds becomes a differential input. @per_item divides by n - 1 where it
// should divide by n; @main passes n = 1, computed at run time (so the proof ranges over every
// i32). The model's first answer divides by n unguarded: the program runs, but Z3 refutes it
// with n = 0, and run on n = 0 it divides by zero where the original returns -100: turned away,
// the input fed back. The second answer guards the divisor, and is proved.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=model model-script=%S/Inputs/counterexample.jsonl model-rounds=2" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void

// CHECK: remark: neuro-repair: repaired 'per_item' {{.*}}(2 candidates tried)
// CHECK: remark: neuro-repair: 'per_item' proved: 5 check(s), its own and those of the drivers that call it, hold for every input of its argument types (Z3)

func.func @count() -> i32 {
  %one = arith.constant 1 : i32
  return %one : i32
}

func.func @per_item(%n: i32) -> i32 {
  %total = arith.constant 100 : i32
  %one = arith.constant 1 : i32
  %d = arith.subi %n, %one : i32
  %q = arith.divsi %total, %d : i32
  return %q : i32
}

func.func @main() {
  %n = func.call @count() : () -> i32
  %q = func.call @per_item(%n) : (i32) -> i32
  %c100 = arith.constant 100 : i32
  %ok = arith.cmpi eq, %q, %c100 : i32
  cf.assert %ok, "one item of 100 costs 100"
  return
}
