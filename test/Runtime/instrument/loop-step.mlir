// A loop step computed at run time: negative, the loop runs from 0 downwards and reads before the
// buffer (its versioned fast copy tested only the first and last index, and range analysis took
// the index to lie in [lb, ub - 1]). scf.for requires a positive step: checked before the loop.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 6
// CHECK-NEXT: {{.*}}loop-step.mlir:[[@LINE+3]]:8: error: loop step is not positive or the loop index would wrap around
func.func @sum(%m: memref<?xf32>, %lb: index, %ub: index, %step: index) -> f32 {
  %zero = arith.constant 0.0 : f32
  %r = scf.for %i = %lb to %ub step %step iter_args(%acc = %zero) -> f32 {
    %v = memref.load %m[%i] : memref<?xf32>
    %n = arith.addf %acc, %v : f32
    scf.yield %n : f32
  }
  return %r : f32
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %m = memref.alloca(%c4) : memref<?xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %n = arith.index_cast %i : index to i64
    %f = arith.sitofp %n : i64 to f32
    memref.store %f, %m[%i] : memref<?xf32>
  }
  // 0 + 1 + 2 + 3, then a loop that runs no iteration: any step will do.
  %ok = call @sum(%m, %c0, %c4, %c1) : (memref<?xf32>, index, index, index) -> f32
  vector.print %ok : f32
  %minus = arith.constant -1 : index
  %none = call @sum(%m, %c4, %c0, %minus) : (memref<?xf32>, index, index, index) -> f32
  %bad = call @sum(%m, %c0, %c4, %minus) : (memref<?xf32>, index, index, index) -> f32
  vector.print %bad : f32
  return
}
