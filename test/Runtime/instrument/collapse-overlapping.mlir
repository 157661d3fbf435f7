// Collapsing a group that is not contiguous: an overlapping view (strides -1 and 0, reaching
// elements 0 to 3 only), cast to dynamic strides so the verifier cannot tell. The lowering would
// give the collapsed dimension the smallest stride, -1, and 16 elements: 12 before the buffer.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 6
// CHECK-NEXT: {{.*}}collapse-overlapping.mlir:[[@LINE+2]]:8: error: collapse_shape of a group that is not contiguous
func.func @element(%m: memref<?x?xf32, strided<[?, ?], offset: ?>>, %i: index) -> f32 {
  %c = memref.collapse_shape %m [[0, 1]] : memref<?x?xf32, strided<[?, ?], offset: ?>> into memref<?xf32, strided<[?], offset: ?>>
  %x = memref.load %c[%i] : memref<?xf32, strided<[?], offset: ?>>
  return %x : f32
}

func.func @main() {
  %m = memref.alloca() : memref<2x3xf32>
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c15 = arith.constant 15 : index
  %six = arith.constant 6.0 : f32
  memref.store %six, %m[%c1, %c1] : memref<2x3xf32>
  // Contiguous: element 4 of the collapsed 2x3 is row 1, column 1.
  %dynamic = memref.cast %m : memref<2x3xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
  %ok = call @element(%dynamic, %c4) : (memref<?x?xf32, strided<[?, ?], offset: ?>>, index) -> f32
  vector.print %ok : f32
  %flat = memref.alloca() : memref<4xf32>
  %overlap = memref.reinterpret_cast %flat to offset: [3], sizes: [4, 4], strides: [-1, 0] : memref<4xf32> to memref<4x4xf32, strided<[-1, 0], offset: 3>>
  %hidden = memref.cast %overlap : memref<4x4xf32, strided<[-1, 0], offset: 3>> to memref<?x?xf32, strided<[?, ?], offset: ?>>
  %bad = call @element(%hidden, %c15) : (memref<?x?xf32, strided<[?, ?], offset: ?>>, index) -> f32
  vector.print %bad : f32
  return
}
