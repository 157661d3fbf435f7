// Repair corpus, bug class: wrong-constant. @double multiplies by 3.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void
// CHECK: remark: neuro-repair: repaired 'double' {{.*}}: symbolic strategy change-constant:

func.func @double(%x: i32) -> i32 {
  %k = arith.constant 3 : i32
  %d = arith.muli %x, %k : i32
  return %d : i32
}
func.func @main() {
  %c5 = arith.constant 5 : i32
  %d = func.call @double(%c5) : (i32) -> i32
  %c10 = arith.constant 10 : i32
  %ok = arith.cmpi eq, %d, %c10 : i32
  cf.assert %ok, "double(5) is 10"
  return
}
