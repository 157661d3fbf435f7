// A subview at a dynamic offset expands (expand-strided-metadata) to affine.apply, which the
// pipeline lowers after the expansion too: nothing is left outside the LLVM dialect.
// RUN: tensorlang-opt %s --tensorlang-to-llvm | FileCheck %s

// CHECK-LABEL: llvm.func @row_sum(
// CHECK-NOT: affine.apply
// CHECK-NOT: unrealized_conversion_cast
// CHECK: llvm.return
func.func @row_sum(%m: memref<8x4xf32>, %i: index) -> f32 {
  %row = memref.subview %m[%i, 0] [1, 4] [1, 1] : memref<8x4xf32> to memref<4xf32, strided<[1], offset: ?>>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  %s = scf.for %j = %c0 to %c4 step %c1 iter_args(%acc = %zero) -> (f32) {
    %x = memref.load %row[%j] : memref<4xf32, strided<[1], offset: ?>>
    %t = arith.addf %acc, %x : f32
    scf.yield %t : f32
  }
  return %s : f32
}
