// Collapsing [2, 1] with strides [-12, -2]: contiguous (a dimension of size 1 has no say), so
// element 1 of the result is element 1 of dimension 0. The lowering skips only dimensions it
// knows to be 1; here it took the stride of the inner one, -2, and the view read an element of
// the buffer its source does not reach (within the source's interval, so the extent check let
// it pass). The collapsed stride must be that of the innermost dimension of size other than 1.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 13
// CHECK-NEXT: {{.*}}collapse-unit-stride.mlir:[[@LINE+4]]:8: error: collapse_shape stride is not that of its group's innermost dimension of size other than 1
func.func @element(%m: memref<3x6xf32>, %n0: index, %o0: index, %o1: index, %n1: index, %s0: index, %s1: index, %i: index) -> f32 {
  %v = memref.cast %m : memref<3x6xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
  %s = memref.subview %v[%o0, %o1] [%n0, %n1] [%s0, %s1] : memref<?x?xf32, strided<[?, ?], offset: ?>> to memref<?x?xf32, strided<[?, ?], offset: ?>>
  %c = memref.collapse_shape %s [[0, 1]] : memref<?x?xf32, strided<[?, ?], offset: ?>> into memref<?xf32, strided<[?], offset: ?>>
  %x = memref.load %c[%i] : memref<?xf32, strided<[?], offset: ?>>
  return %x : f32
}

func.func @main() {
  %m = memref.alloca() : memref<3x6xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c6 = arith.constant 6 : index
  scf.for %r = %c0 to %c3 step %c1 {
    scf.for %c = %c0 to %c6 step %c1 {
      %a = arith.muli %r, %c6 : index
      %b = arith.addi %a, %c : index
      %bi = arith.index_cast %b : index to i64
      %f = arith.sitofp %bi : i64 to f32
      memref.store %f, %m[%r, %c] : memref<3x6xf32>
    }
  }
  // Rows 1 and 2, whole: element 7 is row 2, column 1.
  %c7 = arith.constant 7 : index
  %ok = call @element(%m, %c2, %c1, %c0, %c6, %c1, %c1, %c7) : (memref<3x6xf32>, index, index, index, index, index, index, index) -> f32
  vector.print %ok : f32
  %minus = arith.constant -2 : index
  %bad = call @element(%m, %c2, %c2, %c2, %c1, %minus, %minus, %c1) : (memref<3x6xf32>, index, index, index, index, index, index, index) -> f32
  vector.print %bad : f32
  return
}
