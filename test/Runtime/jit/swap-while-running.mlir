// --swap replaces a function while the entry point's loop keeps calling it: the loop sees the
// new version without restarting, and the state it passes in a memref survives the swap.
// RUN: tensorlang-run %s -e main -entry-point-result=void --swap=step=%S/Inputs/step-v2.mlir --swap-after=20ms --timeout=60s -shared-libs=%mlir_c_runner_utils | FileCheck %s

// CHECK: version 1
// CHECK-NEXT: version 2
// CHECK-NEXT: state kept: 1
func.func @step(%state: memref<1xi64>) -> i64 attributes {tensorlang.replaceable} {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1 : i64
  %v = memref.load %state[%c0] : memref<1xi64>
  %w = arith.addi %v, %one : i64
  memref.store %w, %state[%c0] : memref<1xi64>
  return %one : i64
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0 : i64
  %one = arith.constant 1 : i64
  %two = arith.constant 2 : i64
  %thousand = arith.constant 1000 : i64
  %state = memref.alloca() : memref<1xi64>
  memref.store %zero, %state[%c0] : memref<1xi64>
  %first = call @step(%state) : (memref<1xi64>) -> i64
  vector.print str "version "
  vector.print %first : i64
  // Call until the new version answers, counting the calls the old one served.
  %calls = scf.while (%n = %one) : (i64) -> i64 {
    %version = func.call @step(%state) : (memref<1xi64>) -> i64
    %old = arith.cmpi ne, %version, %two : i64
    scf.condition(%old) %n : i64
  } do {
  ^bb0(%n: i64):
    %next = arith.addi %n, %one : i64
    scf.yield %next : i64
  }
  vector.print str "version "
  vector.print %two : i64
  // Version 1 added 1 per call, version 2 adds 1000: nothing was lost across the swap.
  %expected = arith.addi %calls, %thousand : i64
  %final = memref.load %state[%c0] : memref<1xi64>
  %kept = arith.cmpi eq, %final, %expected : i64
  vector.print str "state kept: "
  vector.print %kept : i1
  return
}
