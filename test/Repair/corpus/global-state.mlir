// Repair corpus, bug class: global-state. @target keeps a running total in a mutable global and returns triples where doubles are checked.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy change-constant

memref.global "private" @total : memref<1xi32> = dense<0>
func.func @target(%x: i32) -> i32 {
  %c0 = arith.constant 0 : index
  %t = memref.get_global @total : memref<1xi32>
  %old = memref.load %t[%c0] : memref<1xi32>
  %new = arith.addi %old, %x : i32
  memref.store %new, %t[%c0] : memref<1xi32>
  %c3 = arith.constant 3 : i32
  %r = arith.muli %x, %c3 : i32
  return %r : i32
}
func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %k = arith.index_cast %i : index to i32
    %r = func.call @target(%k) : (i32) -> i32
    %two = arith.constant 2 : i32
    %e = arith.muli %k, %two : i32
    %ok = arith.cmpi eq, %r, %e : i32
    cf.assert %ok, "target doubles"
    vector.print %r : i32
  }
  %t = memref.get_global @total : memref<1xi32>
  %s = memref.load %t[%c0] : memref<1xi32>
  vector.print %s : i32
  return
}
