// --heal-report says, per repair, where the time from the failure to the resumed call went
// (localizing, proposing, admitting, building, trying, proving) and how many candidates of each
// source were proposed. The off-by-one bound takes more than one symbolic candidate, so the next
// candidate builds while the first one's trial runs.
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=symbolic --heal-cache=none --heal-report=%t.json 2>/dev/null | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --check-prefix=REPORT < %t.json

// OUT: {{^}}10{{$}}
// REPORT: "call": "sum"
// REPORT: "source": "symbolic"
// REPORT: "resumed_after_ms":
// REPORT: "phases": {
// REPORT-NEXT: "localize_ms": {{[0-9.e-]+}},
// REPORT-NEXT: "propose_ms": {{[0-9.e-]+}},
// REPORT-NEXT: "admit_ms": {{[0-9.e-]+}},
// REPORT-NEXT: "build_ms": {{[0-9.e-]+}},
// REPORT-NEXT: "trial_ms": {{[0-9.e-]+}},
// REPORT-NEXT: "prove_ms": {{[0-9.e-]+}},
// REPORT-NEXT: "candidates": {
// REPORT-NEXT: "cache": 0,
// REPORT-NEXT: "symbolic": {{[1-9][0-9]*}},
// REPORT-NEXT: "model": 0
func.func @sum(%a: memref<4xi32>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %zero = arith.constant 0 : i32
  %s = scf.for %i = %c0 to %c5 step %c1 iter_args(%acc = %zero) -> (i32) {
    %v = memref.load %a[%i] : memref<4xi32>
    %n = arith.addi %acc, %v : i32
    scf.yield %n : i32
  }
  return %s : i32
}

func.func @main() {
  %a = memref.alloca() : memref<4xi32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %one = arith.constant 1 : i32
  %two = arith.constant 2 : i32
  %three = arith.constant 3 : i32
  %four = arith.constant 4 : i32
  memref.store %one, %a[%c0] : memref<4xi32>
  memref.store %two, %a[%c1] : memref<4xi32>
  memref.store %three, %a[%c2] : memref<4xi32>
  memref.store %four, %a[%c3] : memref<4xi32>
  %s = func.call @sum(%a) : (memref<4xi32>) -> i32
  %ten = arith.constant 10 : i32
  %ok = arith.cmpi eq, %s, %ten : i32
  cf.assert %ok, "the sum of 1..4 is 10"
  vector.print %s : i32
  return
}
