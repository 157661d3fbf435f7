// memref.expand_shape with sizes whose product wraps around 64 bits to the source's size:
// (2^62 + 1) * 4 = 2^64 + 4. Each access is in bounds of those sizes; element [1, 0] is element 4
// of a 4-element buffer (upstream checks only that 4 divides the source's size). The sizes'
// exact product must be the source's size.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 2
// CHECK-NEXT: {{.*}}expand-shape.mlir:[[@LINE+2]]:8: error: expand_shape sizes are negative or do not multiply to the source size
func.func @element(%m: memref<?xf32>, %rows: index, %i: index, %j: index) -> f32 {
  %e = memref.expand_shape %m [[0, 1]] output_shape [%rows, 4] : memref<?xf32> into memref<?x4xf32>
  %x = memref.load %e[%i, %j] : memref<?x4xf32>
  return %x : f32
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %m = memref.alloca(%c4) : memref<?xf32>
  %two = arith.constant 2.0 : f32
  memref.store %two, %m[%c3] : memref<?xf32>
  %ok = call @element(%m, %c1, %c0, %c3) : (memref<?xf32>, index, index, index) -> f32
  vector.print %ok : f32
  %huge = arith.constant 4611686018427387905 : index
  %bad = call @element(%m, %huge, %c1, %c0) : (memref<?xf32>, index, index, index) -> f32
  vector.print %bad : f32
  return
}
