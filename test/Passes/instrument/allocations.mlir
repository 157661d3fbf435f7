// Allocations: every size at least zero and the byte count, computed exactly, at most 2^62.
// RUN: tensorlang-opt %s --tensorlang-instrument 2>&1 | FileCheck %s

// (2^62 + 1) x 4 floats are more than 2^64 bytes: the check always fails, and the pass says so.
// CHECK: allocations.mlir:[[@LINE+4]]:8: warning: this check always fails: allocation size is negative or too large
// CHECK-LABEL: func.func @too_large
// CHECK: cf.assert %false, "allocation size is negative or too large" {tensorlang.check = "shape"}
func.func @too_large() -> memref<4611686018427387905x4xf32> {
  %m = memref.alloc() : memref<4611686018427387905x4xf32>
  return %m : memref<4611686018427387905x4xf32>
}

// CHECK-LABEL: func.func @dynamic
// CHECK: %[[SIGN:.*]] = arith.cmpi sge, %arg0, %c0 : index
// CHECK: %[[WIDE:.*]] = arith.index_cast %arg0 : index to i128
// CHECK: arith.muli {{.*}} : i128
// CHECK: %[[FITS:.*]] = arith.cmpi sle, {{.*}}, %c4611686018427387904_i128 : i128
// CHECK: %[[OK:.*]] = arith.andi %[[SIGN]], %[[FITS]] : i1
// CHECK: cf.assert %[[OK]], "allocation size is negative or too large" {tensorlang.check = "shape"}
// CHECK-NEXT: memref.alloc(%arg0) : memref<?x4xf32>
func.func @dynamic(%n: index) -> memref<?x4xf32> {
  %m = memref.alloc(%n) : memref<?x4xf32>
  return %m : memref<?x4xf32>
}

// A static shape that fits needs no check.
// CHECK-LABEL: func.func @fits
// CHECK-NOT: cf.assert
// CHECK: memref.alloc() : memref<16x16xf64>
func.func @fits() -> memref<16x16xf64> {
  %m = memref.alloc() : memref<16x16xf64>
  return %m : memref<16x16xf64>
}
