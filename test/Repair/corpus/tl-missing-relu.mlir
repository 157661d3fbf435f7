// Repair corpus, TensorLang bug class: a missing relu. @target's layer should clamp negative activations to 0.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --no-self-heal --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils | FileCheck %s --check-prefix=OUT
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --heal-cache=none --heal-sources=symbolic 2>%t.heal | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --check-prefix=HEAL < %t.heal
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy insert-relu:
// HEAL: remark: self-heal: repaired 'target' (symbolic strategy insert-relu:
// OUT: {{^}}tensor<3xf32> ( 0, 3, 0 ){{$}}

func.func @target(%x: tensor<3xf32>, %w: tensor<3xf32>) -> tensor<3xf32> {
  %y = "tensorlang.mul"(%x, %w) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}
func.func @main() {
  %x = "tensorlang.constant"() {value = dense<[-1.0, 1.5, 2.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %w = "tensorlang.constant"() {value = dense<[2.0, 2.0, -1.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %y = func.call @target(%x, %w) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %i0 = arith.constant 0 : index
  %i2 = arith.constant 2 : index
  %a = tensor.extract %y[%i0] : tensor<3xf32>
  %c = tensor.extract %y[%i2] : tensor<3xf32>
  %zero = arith.constant 0.0 : f32
  %ok1 = arith.cmpf oeq, %a, %zero : f32
  %ok2 = arith.cmpf oeq, %c, %zero : f32
  %ok = arith.andi %ok1, %ok2 : i1
  "tensorlang.assert"(%ok) {message = "negative activations become 0"} : (i1) -> ()
  "tensorlang.print"(%y) : (tensor<3xf32>) -> ()
  return
}
