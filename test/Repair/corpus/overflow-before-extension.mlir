// Repair corpus, bug class: overflow before extension. @target multiplies in i32 and only then
// extends to i64: the product wraps. Widening computes it in i64.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy widen-integer: compute 'arith.muli' at {{.*}} in i64

func.func @target(%a: i32, %b: i32) -> i64 {
  %p = arith.muli %a, %b : i32
  %w = arith.extsi %p : i32 to i64
  return %w : i64
}
func.func @main() {
  %a = arith.constant 100000 : i32
  %b = arith.constant 30000 : i32
  %r = call @target(%a, %b) : (i32, i32) -> i64
  %e = arith.constant 3000000000 : i64
  %ok = arith.cmpi eq, %r, %e : i64
  cf.assert %ok, "100000 * 30000"
  vector.print %r : i64
  return
}
