// Repair corpus, bug class: output-buffer. @target writes its results past the end of an output buffer.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy move-bound

memref.global "private" constant @data : memref<4xi32> = dense<[1, 2, 3, 4]>
func.func @target(%in: memref<?xi32>, %out: memref<?xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %in, %c0 : memref<?xi32>
  %end = arith.addi %n, %c1 : index
  scf.for %i = %c0 to %end step %c1 {
    %v = memref.load %in[%i] : memref<?xi32>
    %d = arith.muli %v, %v : i32
    memref.store %d, %out[%i] : memref<?xi32>
  }
  return
}
func.func @main() {
  %g = memref.get_global @data : memref<4xi32>
  %in = memref.cast %g : memref<4xi32> to memref<?xi32>
  %o = memref.alloc() : memref<4xi32>
  %out = memref.cast %o : memref<4xi32> to memref<?xi32>
  call @target(%in, %out) : (memref<?xi32>, memref<?xi32>) -> ()
  %c3 = arith.constant 3 : index
  %l = memref.load %o[%c3] : memref<4xi32>
  %e = arith.constant 16 : i32
  %ok = arith.cmpi eq, %l, %e : i32
  cf.assert %ok, "4 squared is 16"
  vector.print %l : i32
  memref.dealloc %o : memref<4xi32>
  return
}
