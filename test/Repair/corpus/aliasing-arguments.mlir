// Repair corpus, bug class: aliasing-arguments. @target doubles a buffer into itself (both arguments alias) and runs one past its end.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy change-constant

memref.global "private" @buf : memref<4xi32> = dense<[1, 2, 3, 4]>
func.func @target(%src: memref<4xi32>, %dst: memref<4xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  scf.for %i = %c0 to %c5 step %c1 {
    %v = memref.load %src[%i] : memref<4xi32>
    %d = arith.addi %v, %v : i32
    memref.store %d, %dst[%i] : memref<4xi32>
  }
  return
}
func.func @main() {
  %b = memref.get_global @buf : memref<4xi32>
  call @target(%b, %b) : (memref<4xi32>, memref<4xi32>) -> ()
  %c3 = arith.constant 3 : index
  %c0 = arith.constant 0 : index
  %l = memref.load %b[%c3] : memref<4xi32>
  %f = memref.load %b[%c0] : memref<4xi32>
  %e = arith.constant 8 : i32
  %ok = arith.cmpi eq, %l, %e : i32
  cf.assert %ok, "doubled in place once"
  vector.print %f : i32
  vector.print %l : i32
  return
}
