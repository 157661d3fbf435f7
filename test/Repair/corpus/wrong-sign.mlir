// Repair corpus, bug class: wrong-sign. @velocity subtracts the wrong way round.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void
// CHECK: remark: neuro-repair: repaired 'velocity' {{.*}}: symbolic strategy swap-operands:

func.func @velocity(%before: f32, %after: f32) -> f32 {
  %d = arith.subf %before, %after : f32
  return %d : f32
}
func.func @main() {
  %a = arith.constant 1.0 : f32
  %b = arith.constant 4.0 : f32
  %v = func.call @velocity(%a, %b) : (f32, f32) -> f32
  %zero = arith.constant 0.0 : f32
  %ok = arith.cmpf ogt, %v, %zero : f32
  cf.assert %ok, "moving from 1 to 4 is a positive velocity"
  return
}
