// Repair corpus, bug class: missing-controller. @thrust ignores the state and the lander falls:
// it needs a controller, which the template max(0, bias + gains . state) gives once the search
// finds gains that pass the driver's asserts (soft touchdown, landed in time).
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void
// CHECK: remark: neuro-repair: repaired 'thrust' {{.*}}: symbolic strategy controller-template: a controller max(0, bias + gains . state) with bias

func.func @thrust(%altitude: f32, %velocity: f32) -> f32 {
  %zero = arith.constant 0.0 : f32
  return %zero : f32
}
func.func @main() {
  %h0 = arith.constant 10.0 : f32
  %v0 = arith.constant 0.0 : f32
  %dt = arith.constant 0.1 : f32
  %g = arith.constant 1.62 : f32
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c200 = arith.constant 200 : index
  // Integrates until touchdown and keeps the velocity at the moment of impact.
  %state:3 = scf.for %i = %c0 to %c200 step %c1 iter_args(%h = %h0, %v = %v0, %impact = %zero) -> (f32, f32, f32) {
    %flying = arith.cmpf ogt, %h, %zero : f32
    %next:3 = scf.if %flying -> (f32, f32, f32) {
      %t = func.call @thrust(%h, %v) : (f32, f32) -> f32
      %a = arith.subf %t, %g : f32
      %dv = arith.mulf %a, %dt : f32
      %v2 = arith.addf %v, %dv : f32
      %dh = arith.mulf %v2, %dt : f32
      %h2 = arith.addf %h, %dh : f32
      scf.yield %h2, %v2, %v2 : f32, f32, f32
    } else {
      scf.yield %h, %zero, %impact : f32, f32, f32
    }
    scf.yield %next#0, %next#1, %next#2 : f32, f32, f32
  }
  %landed = arith.cmpf ole, %state#0, %zero : f32
  cf.assert %landed, "landed within 20 s"
  %limit = arith.constant -2.0 : f32
  %soft = arith.cmpf oge, %state#2, %limit : f32
  cf.assert %soft, "touchdown slower than 2 m/s"
  return
}
