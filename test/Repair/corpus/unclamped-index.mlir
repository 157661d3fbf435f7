// Repair corpus, bug class: unclamped-index. @lookup reads a table with an index past its end; past the end means the last entry.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void
// CHECK: remark: neuro-repair: repaired 'lookup' {{.*}}: symbolic strategy clamp-index:

func.func @lookup(%table: memref<8xi32>, %i: index) -> i32 {
  %v = memref.load %table[%i] : memref<8xi32>
  return %v : i32
}
func.func @main() {
  %table = memref.alloca() : memref<8xi32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %v = arith.index_cast %i : index to i32
    memref.store %v, %table[%i] : memref<8xi32>
  }
  %c3 = arith.constant 3 : index
  %a = func.call @lookup(%table, %c3) : (memref<8xi32>, index) -> i32
  %three = arith.constant 3 : i32
  %ok1 = arith.cmpi eq, %a, %three : i32
  cf.assert %ok1, "lookup(3) is 3"
  %c12 = arith.constant 12 : index
  %b = func.call @lookup(%table, %c12) : (memref<8xi32>, index) -> i32
  %seven = arith.constant 7 : i32
  %ok2 = arith.cmpi eq, %b, %seven : i32
  cf.assert %ok2, "lookup past the end is the last entry"
  return
}
