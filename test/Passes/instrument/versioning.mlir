// Bounds checks that range analysis cannot remove, but that hold on a whole loop when they hold
// at its first and last index, move to a test before the loop: the loop runs unchecked when it
// passes, and as written (failing at the exact iteration) when it does not.
// RUN: tensorlang-opt %s --tensorlang-instrument | FileCheck %s

// CHECK-LABEL: func.func @sum_dynamic
// CHECK-DAG: %[[LAST:.*]] = arith.subi %arg1, %c1 : index
// CHECK-DAG: %[[DIM:.*]] = memref.dim %arg0, %c0
// The loop runs (ub - lb > 0; the step 1 is positive), and the check holds at both ends.
// CHECK: %[[RUNS:.*]] = arith.cmpi sgt, %arg1, %c0 : index
// CHECK: %[[FIRST_OK:.*]] = arith.cmpi sgt, %[[DIM]], %c0 : index
// CHECK: %[[BOTH:.*]] = arith.andi %[[RUNS]], %[[FIRST_OK]] : i1
// CHECK: %[[LAST_OK:.*]] = arith.cmpi slt, %[[LAST]], %[[DIM]] : index
// CHECK: %[[ALL:.*]] = arith.andi %[[BOTH]], %[[LAST_OK]] : i1
// CHECK: %[[SUM:.*]] = scf.if %[[ALL]] -> (f32) {
// CHECK-NEXT: %[[FAST:.*]] = scf.for
// CHECK-NOT: cf.assert
// CHECK: scf.yield %[[FAST]] : f32
// CHECK-NEXT: } else {
// CHECK-NEXT: %[[CHECKED:.*]] = scf.for
// CHECK: cf.assert {{.*}}, "out-of-bounds access" {tensorlang.check = "bounds"}
// CHECK: scf.yield %[[CHECKED]] : f32
// CHECK: return %[[SUM]] : f32
func.func @sum_dynamic(%m: memref<?xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %v = memref.load %m[%i] : memref<?xf32>
    %next = arith.addf %acc, %v : f32
    scf.yield %next : f32
  }
  return %sum : f32
}

// An index that does not grow by steps of one with the loop (here i * 2) keeps its check in the
// loop, unversioned.
// CHECK-LABEL: func.func @strided
// CHECK-NOT: scf.if
// CHECK: scf.for
// CHECK: cf.assert {{.*}}, "out-of-bounds access" {tensorlang.check = "bounds"}
func.func @strided(%m: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    %j = arith.muli %i, %c2 : index
    memref.store %zero, %m[%j] : memref<?xf32>
  }
  return
}

// A stencil's neighbours (i - 1, i + 1) grow with the loop too: one test per row.
// CHECK-LABEL: func.func @neighbours
// CHECK: scf.if
// CHECK-NEXT: scf.for
// CHECK-NOT: cf.assert
// CHECK: } else {
func.func @neighbours(%in: memref<?xf32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %in, %c0 : memref<?xf32>
  %last = arith.subi %n, %c1 : index
  scf.for %i = %c1 to %last step %c1 {
    %l = arith.subi %i, %c1 : index
    %r = arith.addi %i, %c1 : index
    %a = memref.load %in[%l] : memref<?xf32>
    %b = memref.load %in[%r] : memref<?xf32>
    %s = arith.addf %a, %b : f32
    memref.store %s, %out[%i] : memref<?xf32>
  }
  return
}

// A step known only at run time: the loop check before the loop, and the fast copy only for a
// positive step (a negative one would take indices below lb).
// CHECK-LABEL: func.func @dynamic_step
// CHECK: cf.assert {{.*}}, "loop step is not positive or the loop index would wrap around" {tensorlang.check = "bounds"}
// CHECK: %[[POSITIVE:.*]] = arith.cmpi sgt, %arg2, %c0 : index
// CHECK: arith.andi %[[POSITIVE]]
// CHECK: scf.if
// CHECK-NEXT: scf.for
// CHECK-NOT: cf.assert
// CHECK: } else {
// CHECK: cf.assert {{.*}}, "out-of-bounds access" {tensorlang.check = "bounds"}
func.func @dynamic_step(%m: memref<?xf32>, %n: index, %step: index) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %n step %step {
    memref.store %zero, %m[%i] : memref<?xf32>
  }
  return
}
