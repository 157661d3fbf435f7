// Repair corpus, bug class: nan. @speed takes the square root of a negative energy; negative energy means speed 0.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void
// CHECK: remark: neuro-repair: repaired 'speed' {{.*}}: symbolic strategy guard-nan:

func.func @speed(%energy: f32) -> f32 {
  %s = math.sqrt %energy : f32
  return %s : f32
}
func.func @main() {
  %e = arith.constant 9.0 : f32
  %s = func.call @speed(%e) : (f32) -> f32
  %three = arith.constant 3.0 : f32
  %ok1 = arith.cmpf oeq, %s, %three : f32
  cf.assert %ok1, "speed(9) is 3"
  %n = arith.constant -1.0 : f32
  %z = func.call @speed(%n) : (f32) -> f32
  %zero = arith.constant 0.0 : f32
  %ok2 = arith.cmpf oeq, %z, %zero : f32
  cf.assert %ok2, "speed(-1) is 0"
  return
}
