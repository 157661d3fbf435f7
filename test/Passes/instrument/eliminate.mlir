// With `eliminate=false` every inserted check stays, even those that can never fail.
// RUN: tensorlang-opt %s --tensorlang-instrument="eliminate=false" | FileCheck %s

// CHECK-LABEL: func.func @loop_in_bounds
// CHECK: scf.for
// CHECK: cf.assert {{.*}}, "out-of-bounds access" {tensorlang.check = "bounds"}
// CHECK: memref.store
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
