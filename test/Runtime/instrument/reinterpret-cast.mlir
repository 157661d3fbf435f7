// memref.reinterpret_cast may set any offset, sizes and strides; nothing upstream checks them.
// The result must reach only elements its source reaches.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 5
// CHECK-NEXT: {{.*}}reinterpret-cast.mlir:[[@LINE+2]]:8: error: reinterpret_cast result is negative or reaches outside its source
func.func @element(%m: memref<2x3xf32>, %offset: index, %rows: index, %stride: index, %i: index, %j: index) -> f32 {
  %r = memref.reinterpret_cast %m to offset: [%offset], sizes: [%rows, 2], strides: [%stride, 1] : memref<2x3xf32> to memref<?x2xf32, strided<[?, 1], offset: ?>>
  %x = memref.load %r[%i, %j] : memref<?x2xf32, strided<[?, 1], offset: ?>>
  return %x : f32
}

func.func @main() {
  %m = memref.alloca() : memref<2x3xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %five = arith.constant 5.0 : f32
  memref.store %five, %m[%c1, %c2] : memref<2x3xf32>
  // In bounds: rows of 2 starting at element 1 with stride 3: element 5 is row 1, column 1.
  %ok = call @element(%m, %c1, %c2, %c3, %c1, %c1) : (memref<2x3xf32>, index, index, index, index, index) -> f32
  vector.print %ok : f32
  // A negative stride reaches before the buffer.
  %minus = arith.constant -3 : index
  %bad = call @element(%m, %c1, %c2, %minus, %c1, %c0) : (memref<2x3xf32>, index, index, index, index, index) -> f32
  vector.print %bad : f32
  return
}
