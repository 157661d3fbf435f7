// Repair corpus, bug class: wrong-min-max. @target looks for the maximum with a less-than comparison.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy swap-operands

memref.global "private" constant @data : memref<5xi32> = dense<[3, 9, 2, 7, 5]>
func.func @target(%a: memref<?xi32>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xi32>
  %first = memref.load %a[%c0] : memref<?xi32>
  %m = scf.for %i = %c1 to %n step %c1 iter_args(%best = %first) -> (i32) {
    %v = memref.load %a[%i] : memref<?xi32>
    %gt = arith.cmpi slt, %v, %best : i32
    %b = arith.select %gt, %v, %best : i32
    scf.yield %b : i32
  }
  return %m : i32
}
func.func @main() {
  %g = memref.get_global @data : memref<5xi32>
  %v = memref.cast %g : memref<5xi32> to memref<?xi32>
  %r = call @target(%v) : (memref<?xi32>) -> i32
  vector.print %r : i32
  %e = arith.constant 9 : i32
  %ok = arith.cmpi eq, %r, %e : i32
  cf.assert %ok, "max is 9"
  return
}
