// The model as a repair source (a scripted model here, so the test is deterministic). No symbolic
// strategy fixes @ratio: guarding the divisor gives 8, or 0, where the driver asserts -1.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic" -o %t.unchanged.mlir 2>&1 | FileCheck %s --check-prefix=SYMBOLIC
// RUN: FileCheck %s --check-prefix=UNCHANGED --input-file=%t.unchanged.mlir
// The verifier turns away a wrong signature, a forbidden op, a function that still fails and one
// that changes what passed before; each finding is fed back to the next round.
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=model model-script=%S/Inputs/rejected.jsonl model-rounds=4" -o /dev/null 2>&1 | FileCheck %s --check-prefix=REJECTED
// A correct answer is verified and swapped in.
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=model model-script=%S/Inputs/fixed.jsonl model-rounds=1" -o %t.fixed.mlir 2>&1 | FileCheck %s --check-prefix=FIXED
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void

// SYMBOLIC: warning: neuro-repair: no verified repair for 'ratio' (div-by-zero: division by zero in 'arith.divsi'); the module is unchanged: no candidate survived verification
// SYMBOLIC-SAME: divide by 1 where the divisor of 'arith.divsi' at {{.*}}model.mlir:[[@LINE+13]]:8 is 0 (symbolic) still fails: {{.*}}assertion failed: ratio(8, 0) is -1
// UNCHANGED: %{{.*}} = arith.divsi %arg0, %arg1 : i32

// REJECTED: warning: neuro-repair: no verified repair for 'ratio'
// REJECTED-SAME: (4 tried for ratio)
// REJECTED-SAME: (model) changes the signature from (i32, i32) -> i32 to (i64, i64) -> i64
// REJECTED-SAME: (model) uses 'llvm.inline_asm', which repairs may not use
// REJECTED-SAME: (model) still fails: {{.*}}[div-by-zero] division by zero in 'arith.divsi'
// REJECTED-SAME: (model) never reads argument #0 of @ratio, which the original reads: a function that ignores its inputs is hard-coding its answers

// FIXED: remark: neuro-repair: repaired 'ratio' (div-by-zero: division by zero in 'arith.divsi'): model strategy model-rewrite: the function @ratio as the model wrote it; verified: the program ran to completion with every check passing

func.func @ratio(%a: i32, %b: i32) -> i32 {
  %q = arith.divsi %a, %b : i32
  return %q : i32
}

func.func @main() {
  %c8 = arith.constant 8 : i32
  %c2 = arith.constant 2 : i32
  %c0 = arith.constant 0 : i32
  %c4 = arith.constant 4 : i32
  %minus1 = arith.constant -1 : i32
  %r1 = call @ratio(%c8, %c2) : (i32, i32) -> i32
  %ok1 = arith.cmpi eq, %r1, %c4 : i32
  cf.assert %ok1, "ratio(8, 2) is 4"
  %r2 = call @ratio(%c8, %c0) : (i32, i32) -> i32
  %ok2 = arith.cmpi eq, %r2, %minus1 : i32
  cf.assert %ok2, "ratio(8, 0) is -1"
  return
}
