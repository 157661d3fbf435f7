// Views and reshapes are checked exactly (i128): a subview's ends, a reinterpret_cast's reach,
// a collapse's contiguity. Static ones in bounds fold away.
// RUN: tensorlang-opt %s --tensorlang-instrument | FileCheck %s

// CHECK-LABEL: func.func @subview
// CHECK: arith.index_cast %arg1 : index to i128
// CHECK: arith.muli {{.*}} : i128
// CHECK: cf.assert {{.*}}, "subview size is negative or runs out-of-bounds along dimension 0" {tensorlang.check = "bounds"}
// CHECK: memref.subview
func.func @subview(%m: memref<8xf32>, %o: index, %n: index, %s: index) -> memref<?xf32, strided<[?], offset: ?>> {
  %v = memref.subview %m[%o] [%n] [%s] : memref<8xf32> to memref<?xf32, strided<[?], offset: ?>>
  return %v : memref<?xf32, strided<[?], offset: ?>>
}

// CHECK-LABEL: func.func @static_subview
// CHECK-NOT: cf.assert
// CHECK: return
func.func @static_subview(%m: memref<8xf32>) -> memref<4xf32, strided<[2], offset: 1>> {
  %v = memref.subview %m[1] [4] [2] : memref<8xf32> to memref<4xf32, strided<[2], offset: 1>>
  return %v : memref<4xf32, strided<[2], offset: 1>>
}

// CHECK-LABEL: func.func @reinterpret
// CHECK: memref.reinterpret_cast
// CHECK: memref.extract_strided_metadata %arg0
// CHECK: cf.assert {{.*}}, "reinterpret_cast result is negative or reaches outside its source" {tensorlang.check = "bounds"}
func.func @reinterpret(%m: memref<?xf32>, %n: index) -> memref<?xf32> {
  %r = memref.reinterpret_cast %m to offset: [0], sizes: [%n], strides: [1] : memref<?xf32> to memref<?xf32>
  return %r : memref<?xf32>
}

// CHECK-LABEL: func.func @collapse
// CHECK: memref.collapse_shape
// CHECK: cf.assert {{.*}}, "collapse_shape of a group that is not contiguous" {tensorlang.check = "shape"}
// CHECK: cf.assert {{.*}}, "collapse_shape result reaches outside its source" {tensorlang.check = "bounds"}
func.func @collapse(%m: memref<?x?xf32, strided<[?, ?], offset: ?>>) -> memref<?xf32, strided<[?], offset: ?>> {
  %c = memref.collapse_shape %m [[0, 1]] : memref<?x?xf32, strided<[?, ?], offset: ?>> into memref<?xf32, strided<[?], offset: ?>>
  return %c : memref<?xf32, strided<[?], offset: ?>>
}

// CHECK-LABEL: func.func @static_collapse
// CHECK-NOT: cf.assert
// CHECK: return
func.func @static_collapse(%m: memref<2x3xf32>) -> memref<6xf32> {
  %c = memref.collapse_shape %m [[0, 1]] : memref<2x3xf32> into memref<6xf32>
  return %c : memref<6xf32>
}

// CHECK-LABEL: func.func @reshape
// CHECK: memref.reshape
// CHECK: cf.assert {{.*}}, "reshape sizes are negative or their element count differs from the source's" {tensorlang.check = "shape"}
func.func @reshape(%m: memref<4xf32>, %shape: memref<1xindex>) -> memref<?xf32> {
  %r = memref.reshape %m(%shape) : (memref<4xf32>, memref<1xindex>) -> memref<?xf32>
  return %r : memref<?xf32>
}
