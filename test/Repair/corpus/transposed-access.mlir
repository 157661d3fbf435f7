// Repair corpus, bug class: transposed-access. @target sums a 2x3 matrix reading [column, row]: the indices are in the wrong order.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy permute-indices

memref.global "private" constant @m : memref<2x3xi32> = dense<[[1, 2, 3], [40, 50, 60]]>
func.func @target(%a: memref<?x?xi32>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = memref.dim %a, %c0 : memref<?x?xi32>
  %c = memref.dim %a, %c1 : memref<?x?xi32>
  %z = arith.constant 0 : i32
  %s = scf.for %i = %c0 to %r step %c1 iter_args(%acc = %z) -> (i32) {
    %t = scf.for %j = %c0 to %c step %c1 iter_args(%a2 = %acc) -> (i32) {
      %v = memref.load %a[%j, %i] : memref<?x?xi32>
      %x = arith.addi %a2, %v : i32
      scf.yield %x : i32
    }
    scf.yield %t : i32
  }
  return %s : i32
}
func.func @main() {
  %g = memref.get_global @m : memref<2x3xi32>
  %v = memref.cast %g : memref<2x3xi32> to memref<?x?xi32>
  %r = call @target(%v) : (memref<?x?xi32>) -> i32
  %e = arith.constant 156 : i32
  %ok = arith.cmpi eq, %r, %e : i32
  cf.assert %ok, "sum is 156"
  vector.print %r : i32
  return
}
