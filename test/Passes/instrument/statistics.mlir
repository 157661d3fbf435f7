// `statistics=true` reports, as a remark, what was inserted by kind, what range analysis removed
// and what is left (MLIR's own pass statistics are compiled out of release LLVM builds).
// RUN: tensorlang-opt %s --tensorlang-instrument="statistics=true" -o /dev/null 2>&1 | FileCheck %s

// The loop's step check (a bounds check: its step is positive) is one of the checks removed.
// CHECK: remark: tensorlang-instrument: inserted 7 checks (bounds: 3, div-by-zero: 2, overflow: 1, nan: 1), removed 5 that can never fail, 2 left
func.func @kernel(%m: memref<4xi32>, %n: i32, %x: f32) -> (i32, f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : i32
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %m[%i] : memref<4xi32>
    %q = arith.divsi %v, %c5 : i32
    memref.store %q, %m[%i] : memref<4xi32>
  }
  %r = arith.divui %c5, %n : i32
  %s = math.sqrt %x : f32
  return %r, %s : i32, f32
}
