// Repair corpus, bug class: wrong-index. @first reads element 1 instead of element 0.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void
// CHECK: remark: neuro-repair: repaired 'first' {{.*}}: symbolic strategy change-constant:

func.func @first(%buf: memref<3xf32>) -> f32 {
  %c1 = arith.constant 1 : index
  %v = memref.load %buf[%c1] : memref<3xf32>
  return %v : f32
}
func.func @main() {
  %buf = memref.alloca() : memref<3xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %a = arith.constant 10.0 : f32
  %b = arith.constant 20.0 : f32
  memref.store %a, %buf[%c0] : memref<3xf32>
  memref.store %b, %buf[%c1] : memref<3xf32>
  memref.store %b, %buf[%c2] : memref<3xf32>
  %f = func.call @first(%buf) : (memref<3xf32>) -> f32
  %ok = arith.cmpf oeq, %f, %a : f32
  cf.assert %ok, "the first element is 10"
  return
}
