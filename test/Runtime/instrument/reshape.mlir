// memref.reshape takes its sizes from a buffer: nothing ties them to the source's element count.
// A reshape to 8 elements of a 4-element buffer reads past its end; checked at the reshape.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 4
// CHECK-NEXT: {{.*}}reshape.mlir:[[@LINE+2]]:8: error: reshape sizes are negative or their element count differs from the source's
func.func @element(%m: memref<4xf32>, %shape: memref<2xindex>, %i: index, %j: index) -> f32 {
  %r = memref.reshape %m(%shape) : (memref<4xf32>, memref<2xindex>) -> memref<?x?xf32>
  %x = memref.load %r[%i, %j] : memref<?x?xf32>
  return %x : f32
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %m = memref.alloca() : memref<4xf32>
  %four = arith.constant 4.0 : f32
  memref.store %four, %m[%c3] : memref<4xf32>
  %shape = memref.alloca() : memref<2xindex>
  memref.store %c2, %shape[%c0] : memref<2xindex>
  memref.store %c2, %shape[%c1] : memref<2xindex>
  %ok = call @element(%m, %shape, %c1, %c1) : (memref<4xf32>, memref<2xindex>, index, index) -> f32
  vector.print %ok : f32
  memref.store %c4, %shape[%c1] : memref<2xindex>
  %bad = call @element(%m, %shape, %c1, %c3) : (memref<4xf32>, memref<2xindex>, index, index) -> f32
  vector.print %bad : f32
  return
}
