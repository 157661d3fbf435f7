// A failure report records the failing call's arguments, and every candidate for that function
// must pass that very call, not only a run of the program. @f divides by its argument; @main
// calls it with 5, then with what that gave minus 2, which is 0. The model's first answer
// divides 1 instead of 10: f(5) is then 0, the program passes -2, never 0, and runs, but the
// recorded call f(0) still divides by zero: turned away, and the model is told. The second
// answer guards the divisor.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: FileCheck %s --check-prefix=BUNDLE < %t.json
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=model model-script=%S/Inputs/recorded-call.jsonl model-rounds=2" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void
// A report of another version of the program (whose @f took an i64): its recorded call does not
// verify beside this program and is not used; the repair goes on without it.
// RUN: sed 's/"type": "i32"/"type": "i64"/' %t.json > %t.stale.json
// RUN: tensorlang-opt %s --neuro-repair="report=%t.stale.json cache=none sources=symbolic" -o /dev/null 2>&1 | FileCheck %s --check-prefix=STALE

// BUNDLE: "function": "f",
// BUNDLE: "arguments": [
// BUNDLE-NEXT: {
// BUNDLE-NEXT: "type": "i32",
// BUNDLE-NEXT: "value": 0

// CHECK: remark: neuro-repair: repaired 'f' {{.*}}, and so did the recorded failing call (2 candidates tried)

// STALE: remark: neuro-repair: repaired 'f' {{.*}}; verified: the program ran to completion with every check passing, in a sandboxed process ({{[0-9]+}} candidates tried)

func.func @f(%k: i32) -> i32 {
  %ten = arith.constant 10 : i32
  %q = arith.divsi %ten, %k : i32
  return %q : i32
}

func.func @main() {
  %c5 = arith.constant 5 : i32
  %a = func.call @f(%c5) : (i32) -> i32
  %c2 = arith.constant 2 : i32
  %k = arith.subi %a, %c2 : i32
  %b = func.call @f(%k) : (i32) -> i32
  %zero = arith.constant 0 : i32
  %ok = arith.cmpi eq, %b, %zero : i32
  cf.assert %ok, "f of nothing is 0"
  return
}
