// --failure-report writes a bundle: the failures with the failing call's arguments, and the
// program, its flags and its check table. --replay runs it again in a fresh process and says it failed the same way; a bundle
// whose program no longer fails so is an error; --neuro-repair reads the bundle like a report and
// verifies with the bundle's flags (an i32 entry point here).
// RUN: not tensorlang-run %s -e main -entry-point-result=i32 -O2 --failure-report=%t.json 2>&1 | FileCheck %s --check-prefix=RUN1
// RUN: FileCheck %s --check-prefix=BUNDLE < %t.json
// RUN: tensorlang-run --replay %t.json 2>&1 | FileCheck %s --check-prefix=REPLAY
// RUN: sed 's/arith.constant 0 : i32/arith.constant 2 : i32/g' %t.json > %t.fixed.json
// RUN: not tensorlang-run --replay %t.fixed.json 2>&1 | FileCheck %s --check-prefix=DIFFERENT
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none" 2>&1 | FileCheck %s --check-prefix=REPAIR

// RUN1: bundle.mlir:[[@LINE+26]]:8: error: division by zero in 'arith.divsi'
// BUNDLE: "format": "tensorlang-failure-bundle",
// BUNDLE-NEXT: "version": 1,
// BUNDLE: "kind": "div-by-zero",
// BUNDLE: "arguments": [
// BUNDLE-NEXT: {
// BUNDLE-NEXT: "type": "i32",
// BUNDLE-NEXT: "value": 7
// BUNDLE-NEXT: },
// BUNDLE-NEXT: {
// BUNDLE-NEXT: "type": "i32",
// BUNDLE-NEXT: "value": 0
// BUNDLE: "reproduction": {
// BUNDLE-NEXT: "program": "// --failure-report writes a bundle
// BUNDLE: "entry": "main",
// BUNDLE-NEXT: "entry_result": "i32",
// BUNDLE-NEXT: "opt_level": 2,
// BUNDLE: "seed": null,
// BUNDLE-NEXT: "check_table": "tensorlang-checks 1\n0\tdiv-by-zero\t{{.*}}bundle.mlir:[[@LINE+8]]:8\tdivision by zero in 'arith.divsi'
// REPLAY: bundle.mlir:[[@LINE+7]]:8: error: division by zero in 'arith.divsi'
// REPLAY: remark: replay: {{.*}}bundle.mlir failed as recorded: 1 failure(s), the first at {{.*}}bundle.mlir:[[@LINE+6]]:8 (div-by-zero); recorded on x86_64
// DIFFERENT: fixed.json:1:1: error: replay: the program did not fail as recorded: 1 recorded failure(s), the first at {{.*}} (div-by-zero); 0 now, the first at no failure
// REPAIR: remark: neuro-repair: repaired 'ratio' (div-by-zero: division by zero in 'arith.divsi'): symbolic strategy {{.*}}; verified: the program ran to completion with every check passing, in a sandboxed process, and so did the recorded failing call
// REPAIR-LABEL: func.func @ratio(

func.func @ratio(%a: i32, %b: i32) -> i32 {
  %q = arith.divsi %a, %b : i32
  return %q : i32
}

func.func @main() -> i32 {
  %a = arith.constant 7 : i32
  %z = arith.constant 0 : i32
  %r = func.call @ratio(%a, %z) : (i32, i32) -> i32
  return %r : i32
}
