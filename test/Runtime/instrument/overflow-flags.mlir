// An overflow flag is a promise: with 'nsw', range analysis takes i * (2^32 + 1) for i >= 0 to be
// at least 0 and drops the lower half of the bounds check. For i = 2^32 - 1 the product wraps to
// -1. The pass strips the flags, so the check stays and stops the read of m[-1].
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 1
// CHECK-NEXT: {{.*}}overflow-flags.mlir:[[@LINE+6]]:8: error: out-of-bounds access
func.func @element(%m: memref<4xf32>, %x: i32) -> f32 {
  %i = arith.extui %x : i32 to i64
  %c = arith.constant 4294967297 : i64
  %j = arith.muli %i, %c overflow<nsw, nuw> : i64
  %k = arith.index_cast %j : i64 to index
  %v = memref.load %m[%k] : memref<4xf32>
  return %v : f32
}

func.func @main() {
  %m = memref.alloca() : memref<4xf32>
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  memref.store %one, %m[%c0] : memref<4xf32>
  %zero = arith.constant 0 : i32
  %ok = call @element(%m, %zero) : (memref<4xf32>, i32) -> f32
  vector.print %ok : f32
  %all_ones = arith.constant -1 : i32
  %bad = call @element(%m, %all_ones) : (memref<4xf32>, i32) -> f32
  vector.print %bad : f32
  return
}
