// Index bounds come from upstream runtime verification, tagged and shortened; accesses that
// range analysis proves in bounds keep no check.
// RUN: tensorlang-opt %s --tensorlang-instrument | FileCheck %s

// CHECK-LABEL: func.func @unknown_index
// CHECK: %[[LOW:.*]] = arith.cmpi sge, %arg1, %c0
// CHECK: %[[HIGH:.*]] = arith.cmpi slt, %arg1, %c4
// CHECK: %[[OK:.*]] = arith.andi %[[LOW]], %[[HIGH]]
// CHECK: cf.assert %[[OK]], "out-of-bounds access" {tensorlang.check = "bounds"}
// CHECK-NEXT: memref.load %arg0[%arg1]
func.func @unknown_index(%m: memref<4xf32>, %i: index) -> f32 {
  %v = memref.load %m[%i] : memref<4xf32>
  return %v : f32
}

// CHECK-LABEL: func.func @dynamic_store
// CHECK: %[[DIM:.*]] = memref.dim %arg0
// CHECK: arith.cmpi slt, %arg1, %[[DIM]]
// CHECK: cf.assert {{.*}}, "out-of-bounds access" {tensorlang.check = "bounds"}
// CHECK-NEXT: memref.store
func.func @dynamic_store(%m: memref<?xf32>, %i: index, %v: f32) {
  memref.store %v, %m[%i] : memref<?xf32>
  return
}

// CHECK-LABEL: func.func @tensor_extract
// CHECK: cf.assert {{.*}}, "out-of-bounds access" {tensorlang.check = "bounds"}
// CHECK-NEXT: tensor.extract
func.func @tensor_extract(%t: tensor<4xf32>, %i: index) -> f32 {
  %v = tensor.extract %t[%i] : tensor<4xf32>
  return %v : f32
}

// CHECK-LABEL: func.func @loop_in_bounds
// CHECK-NOT: cf.assert
// CHECK: return
func.func @loop_in_bounds(%m: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %zero, %m[%i] : memref<4xf32>
  }
  return
}

// CHECK-LABEL: func.func @loop_off_by_one
// CHECK: scf.for
// CHECK: cf.assert {{.*}}, "out-of-bounds access" {tensorlang.check = "bounds"}
func.func @loop_off_by_one(%m: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c5 step %c1 {
    memref.store %zero, %m[%i] : memref<4xf32>
  }
  return
}
