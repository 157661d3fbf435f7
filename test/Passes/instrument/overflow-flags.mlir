// Overflow and exactness flags are promises no check verifies: the pass removes them before
// range analysis, so a bounds check on an index that may wrap keeps both halves.
// RUN: tensorlang-opt %s --tensorlang-instrument | FileCheck %s

// CHECK-LABEL: func.func @wraps
// CHECK: arith.muli %{{.*}}, %{{.*}} : i64
// CHECK-NOT: overflow<
// CHECK: arith.shrui %{{.*}}, %{{.*}} : i64
// CHECK: %[[LOW:.*]] = arith.cmpi sge, %{{.*}}, %c0 : index
// CHECK: %[[HIGH:.*]] = arith.cmpi slt, %{{.*}}, %c4 : index
// CHECK: %[[OK:.*]] = arith.andi %[[LOW]], %[[HIGH]] : i1
// CHECK: cf.assert %[[OK]], "out-of-bounds access" {tensorlang.check = "bounds"}
func.func @wraps(%m: memref<4xf32>, %x: i32) -> (f32, i64) {
  %i = arith.extui %x : i32 to i64
  %c = arith.constant 4294967297 : i64
  %c1 = arith.constant 1 : i64
  %j = arith.muli %i, %c overflow<nsw, nuw> : i64
  %h = arith.shrui %j, %c1 exact : i64
  %k = arith.index_cast %j : i64 to index
  %v = memref.load %m[%k] : memref<4xf32>
  return %v, %h : f32, i64
}
