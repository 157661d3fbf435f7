// An off-by-one loop writes past the end of a buffer: the bounds check stops it at the store,
// after the iterations that were in bounds ran.
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 0
// CHECK-NEXT: 1
// CHECK-NEXT: 2
// CHECK-NEXT: 3
// CHECK-NEXT: 4
// CHECK-NEXT: {{.*}}check-bounds.mlir:[[@LINE+8]]:5: error: out-of-bounds access
// CHECK-EMPTY:
func.func @fill(%m: memref<4xindex>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  scf.for %i = %c0 to %c5 step %c1 {
    vector.print %i : index
    memref.store %i, %m[%i] : memref<4xindex>
  }
  return
}

func.func @main() {
  %m = memref.alloca() : memref<4xindex>
  %c4 = arith.constant 4 : index
  call @fill(%m, %c4) : (memref<4xindex>, index) -> ()
  return
}
