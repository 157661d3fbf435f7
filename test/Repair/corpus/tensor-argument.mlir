// Repair corpus, bug class: tensor-argument. @target sums a dynamically shaped tensor from index 1 instead of 0.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy change-constant

func.func @target(%a: tensor<?xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %a, %c0 : tensor<?xf32>
  %z = arith.constant 0.0 : f32
  %s = scf.for %i = %c1 to %n step %c1 iter_args(%acc = %z) -> (f32) {
    %v = tensor.extract %a[%i] : tensor<?xf32>
    %x = arith.addf %acc, %v : f32
    scf.yield %x : f32
  }
  return %s : f32
}
func.func @main() {
  %t = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %d = tensor.cast %t : tensor<4xf32> to tensor<?xf32>
  %r = call @target(%d) : (tensor<?xf32>) -> f32
  %e = arith.constant 10.0 : f32
  %ok = arith.cmpf oeq, %r, %e : f32
  cf.assert %ok, "sum is 10"
  vector.print %r : f32
  return
}
