// A positive step that carries the index past the largest index wraps it to a negative one,
// still below the upper bound: from 0 to 2^63 - 1 by 2^62, the third index is -2^63. Range
// analysis took the index to be at least 0 and dropped that half of the bounds check.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 1
// CHECK-NEXT: {{.*}}loop-wrap.mlir:[[@LINE+7]]:3: error: loop step is not positive or the loop index would wrap around
func.func @touch(%m: memref<?xf32>, %ub: index, %step: index) {
  %one = arith.constant 1.0 : f32
  scf.for %i = %ub to %ub step %step {
    memref.store %one, %m[%i] : memref<?xf32>
  }
  %c0 = arith.constant 0 : index
  scf.for %i = %c0 to %ub step %step {
    memref.store %one, %m[%i] : memref<?xf32>
  }
  return
}

func.func @main() {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %m = memref.alloca(%c4) : memref<?xf32>
  call @touch(%m, %c1, %c4) : (memref<?xf32>, index, index) -> ()
  %c0 = arith.constant 0 : index
  %x = memref.load %m[%c0] : memref<?xf32>
  vector.print %x : f32
  %max = arith.constant 9223372036854775807 : index
  %big = arith.constant 4611686018427387904 : index
  call @touch(%m, %max, %big) : (memref<?xf32>, index, index) -> ()
  return
}
