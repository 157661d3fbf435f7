// Repair corpus, bug class: unranked-view. @target sums 4 elements of an unranked view of a 3-element constant global.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy change-constant

memref.global "private" constant @data : memref<3xf32> = dense<[1.0, 2.0, 3.0]>
func.func @target(%u: memref<*xf32>) -> f32 {
  %a = memref.cast %u : memref<*xf32> to memref<?xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %z = arith.constant 0.0 : f32
  %s = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %z) -> (f32) {
    %v = memref.load %a[%i] : memref<?xf32>
    %x = arith.addf %acc, %v : f32
    scf.yield %x : f32
  }
  return %s : f32
}
func.func @main() {
  %g = memref.get_global @data : memref<3xf32>
  %u = memref.cast %g : memref<3xf32> to memref<*xf32>
  %r = call @target(%u) : (memref<*xf32>) -> f32
  vector.print %r : f32
  %e = arith.constant 6.0 : f32
  %ok = arith.cmpf oeq, %r, %e : f32
  cf.assert %ok, "sum is 6"
  return
}
