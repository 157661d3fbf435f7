// Repair corpus, bug class: loop-bound-from-dim. @target's loop runs to the buffer's dimension where it must stop one earlier (it reads i + 1).
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy move-bound

memref.global "private" constant @data : memref<5xi32> = dense<[1, 4, 9, 16, 25]>
func.func @target(%a: memref<?xi32>, %out: memref<?xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xi32>
  scf.for %i = %c0 to %n step %c1 {
    %j = arith.addi %i, %c1 : index
    %next = memref.load %a[%j] : memref<?xi32>
    %here = memref.load %a[%i] : memref<?xi32>
    %d = arith.subi %next, %here : i32
    memref.store %d, %out[%i] : memref<?xi32>
  }
  return
}
func.func @main() {
  %g = memref.get_global @data : memref<5xi32>
  %a = memref.cast %g : memref<5xi32> to memref<?xi32>
  %o = memref.alloca() : memref<4xi32>
  %out = memref.cast %o : memref<4xi32> to memref<?xi32>
  call @target(%a, %out) : (memref<?xi32>, memref<?xi32>) -> ()
  %c3 = arith.constant 3 : index
  %last = memref.load %o[%c3] : memref<4xi32>
  %e = arith.constant 9 : i32
  %ok = arith.cmpi eq, %last, %e : i32
  cf.assert %ok, "25 - 16 is 9"
  vector.print %last : i32
  return
}
