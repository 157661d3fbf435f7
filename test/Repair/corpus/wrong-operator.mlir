// Repair corpus, bug class: wrong-operator. @distance adds where it should subtract.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void
// CHECK: remark: neuro-repair: repaired 'distance' {{.*}}: symbolic strategy change-operator:

func.func @distance(%from: i32, %to: i32) -> i32 {
  %d = arith.addi %to, %from : i32
  return %d : i32
}
func.func @main() {
  %c3 = arith.constant 3 : i32
  %c10 = arith.constant 10 : i32
  %d = func.call @distance(%c3, %c10) : (i32, i32) -> i32
  %c7 = arith.constant 7 : i32
  %ok = arith.cmpi eq, %d, %c7 : i32
  cf.assert %ok, "from 3 to 10 is 7"
  return
}
