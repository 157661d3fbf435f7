// Repair corpus, bug class: constant-view. @target reads one past a constant global passed as a dynamic view.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy change-operator

memref.global "private" constant @data : memref<6xf32> = dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]>
func.func @target(%a: memref<?xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xf32>
  %z = arith.constant 0.0 : f32
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %z) -> (f32) {
    %j = arith.addi %i, %c1 : index
    %v = memref.load %a[%j] : memref<?xf32>
    %x = arith.addf %acc, %v : f32
    scf.yield %x : f32
  }
  return %s : f32
}
func.func @main() {
  %g = memref.get_global @data : memref<6xf32>
  %v = memref.cast %g : memref<6xf32> to memref<?xf32>
  %r = call @target(%v) : (memref<?xf32>) -> f32
  %e = arith.constant 21.0 : f32
  %ok = arith.cmpf oeq, %r, %e : f32
  cf.assert %ok, "sum is 21"
  vector.print %r : f32
  return
}
