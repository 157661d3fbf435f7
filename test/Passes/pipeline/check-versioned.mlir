// A loop over a buffer of unknown size: its bounds check runs once before the loop, which then
// runs unchecked (fast path); the same loop one element too far runs checked and stops at the
// exact iteration, after the sums of the iterations in bounds were printed.
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 6
// CHECK-NEXT: 0
// CHECK-NEXT: 1
// CHECK-NEXT: 3
// CHECK-NEXT: {{.*}}check-versioned.mlir:[[@LINE+7]]:10: error: out-of-bounds access
// CHECK-EMPTY:
func.func @prefix_sums(%m: memref<?xf32>, %n: index, %print: i1) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %v = memref.load %m[%i] : memref<?xf32>
    %next = arith.addf %acc, %v : f32
    scf.if %print {
      vector.print %acc : f32
    }
    scf.yield %next : f32
  }
  return %sum : f32
}

func.func @main() {
  %m = memref.alloca() : memref<3xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  %two = arith.constant 2.0 : f32
  %three = arith.constant 3.0 : f32
  memref.store %one, %m[%c0] : memref<3xf32>
  memref.store %two, %m[%c1] : memref<3xf32>
  memref.store %three, %m[%c2] : memref<3xf32>
  %d = memref.cast %m : memref<3xf32> to memref<?xf32>
  %false = arith.constant false
  %true = arith.constant true
  %all = call @prefix_sums(%d, %c3, %false) : (memref<?xf32>, index, i1) -> f32
  vector.print %all : f32
  %over = call @prefix_sums(%d, %c4, %true) : (memref<?xf32>, index, i1) -> f32
  vector.print %over : f32
  return
}
