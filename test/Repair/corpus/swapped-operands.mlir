// Repair corpus, bug class: swapped-operands. @ratio divides the denominator by the numerator.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void
// CHECK: remark: neuro-repair: repaired 'ratio' {{.*}}: symbolic strategy swap-operands:

func.func @ratio(%num: f32, %den: f32) -> f32 {
  %r = arith.divf %den, %num : f32
  return %r : f32
}
func.func @main() {
  %a = arith.constant 6.0 : f32
  %b = arith.constant 2.0 : f32
  %r = func.call @ratio(%a, %b) : (f32, f32) -> f32
  %three = arith.constant 3.0 : f32
  %ok = arith.cmpf oeq, %r, %three : f32
  cf.assert %ok, "ratio(6, 2) is 3"
  return
}
