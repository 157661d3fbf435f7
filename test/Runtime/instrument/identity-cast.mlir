// A cast to the identity layout of an overlapping view: reinterpret_cast gives 4x4 with strides
// [0, 1] (elements 0 to 3 only, within its 4-element source), and upstream's cast check compares
// only the offset and the innermost stride, both fine. memref.reshape trusts the identity layout:
// 16 contiguous elements, 12 past the buffer. The outer stride must be the inner size.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 3
// CHECK-NEXT: {{.*}}identity-cast.mlir:[[@LINE+3]]:8: error: cast to the identity layout of a memref that is not contiguous
func.func @element(%m: memref<4xf32>, %rows: index, %cols: index, %stride: index, %n: index, %i: index) -> f32 {
  %r = memref.reinterpret_cast %m to offset: [0], sizes: [%rows, %cols], strides: [%stride, 1] : memref<4xf32> to memref<?x?xf32, strided<[?, 1], offset: ?>>
  %c = memref.cast %r : memref<?x?xf32, strided<[?, 1], offset: ?>> to memref<?x?xf32>
  %shape = memref.alloca() : memref<1xindex>
  %c0 = arith.constant 0 : index
  memref.store %n, %shape[%c0] : memref<1xindex>
  %flat = memref.reshape %c(%shape) : (memref<?x?xf32>, memref<1xindex>) -> memref<?xf32>
  %x = memref.load %flat[%i] : memref<?xf32>
  return %x : f32
}

func.func @main() {
  %m = memref.alloca() : memref<4xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c12 = arith.constant 12 : index
  %c16 = arith.constant 16 : index
  %three = arith.constant 3.0 : f32
  memref.store %three, %m[%c3] : memref<4xf32>
  // Contiguous: 2x2 with strides [2, 1], element 3 of the 4.
  %ok = call @element(%m, %c2, %c2, %c2, %c4, %c3) : (memref<4xf32>, index, index, index, index, index) -> f32
  vector.print %ok : f32
  %bad = call @element(%m, %c4, %c4, %c0, %c16, %c12) : (memref<4xf32>, index, index, index, index, index) -> f32
  vector.print %bad : f32
  return
}
