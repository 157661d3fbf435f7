// An allocation whose byte count wraps around 64 bits: (2^62 + 1) x 4 floats are 2^66 + 16 bytes,
// which wrap to 16. Every access is checked against the sizes asked for, not the bytes given.
// Checked at the allocation, for tensor.empty too (it bufferizes to memref.alloc).
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 8
// CHECK-NEXT: {{.*}}allocation.mlir:[[@LINE+2]]:8: error: allocation size is negative or too large
func.func @fill(%n: index, %i: index) -> f32 {
  %m = memref.alloc(%n) : memref<?x4xf32>
  %eight = arith.constant 8.0 : f32
  %c0 = arith.constant 0 : index
  memref.store %eight, %m[%i, %c0] : memref<?x4xf32>
  %x = memref.load %m[%i, %c0] : memref<?x4xf32>
  memref.dealloc %m : memref<?x4xf32>
  return %x : f32
}

func.func @main() {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %ok = call @fill(%c2, %c1) : (index, index) -> f32
  vector.print %ok : f32
  %huge = arith.constant 4611686018427387905 : index
  %c5 = arith.constant 5 : index
  %bad = call @fill(%huge, %c5) : (index, index) -> f32
  vector.print %bad : f32
  return
}
