// Repair corpus, bug class: two-bugs. @target starts its loop at 1 and its sum at 1: only both edits together fix it.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy combined

memref.global "private" constant @data : memref<3xi32> = dense<[3, 4, 5]>
func.func @target(%a: memref<?xi32>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %start = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xi32>
  %init = arith.constant 1 : i32
  %s = scf.for %i = %start to %n step %c1 iter_args(%acc = %init) -> (i32) {
    %v = memref.load %a[%i] : memref<?xi32>
    %sq = arith.muli %v, %v : i32
    %x = arith.addi %acc, %sq : i32
    scf.yield %x : i32
  }
  return %s : i32
}
func.func @main() {
  %g = memref.get_global @data : memref<3xi32>
  %a = memref.cast %g : memref<3xi32> to memref<?xi32>
  %r = call @target(%a) : (memref<?xi32>) -> i32
  %e = arith.constant 50 : i32
  %ok = arith.cmpi eq, %r, %e : i32
  cf.assert %ok, "9 + 16 + 25 is 50"
  vector.print %r : i32
  return
}
