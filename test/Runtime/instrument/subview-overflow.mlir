// A subview whose last element, offset + (size - 1) * stride, wraps around 64 bits passes
// upstream's check (here (2^62 + 1 - 1) * 4 = 2^64, which wraps to 0), and every access through
// it is then checked against the huge size. The exact check stops it at the subview.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 3
// CHECK-NEXT: {{.*}}subview-overflow.mlir:[[@LINE+2]]:8: error: subview size is negative or runs out-of-bounds along dimension 0
func.func @element(%m: memref<8xf32>, %offset: index, %size: index, %stride: index, %i: index) -> f32 {
  %s = memref.subview %m[%offset] [%size] [%stride] : memref<8xf32> to memref<?xf32, strided<[?], offset: ?>>
  %v = memref.load %s[%i] : memref<?xf32, strided<[?], offset: ?>>
  return %v : f32
}

func.func @main() {
  %m = memref.alloca() : memref<8xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %three = arith.constant 3.0 : f32
  memref.store %three, %m[%c3] : memref<8xf32>
  // In bounds: elements 1 and 3, the second one read.
  %ok = call @element(%m, %c1, %c2, %c2, %c1) : (memref<8xf32>, index, index, index, index) -> f32
  vector.print %ok : f32
  %huge = arith.constant 4611686018427387905 : index
  %bad = call @element(%m, %c0, %huge, %c4, %c3) : (memref<8xf32>, index, index, index, index) -> f32
  vector.print %bad : f32
  return
}
