// Repair corpus, TensorLang bug class: sub where add is meant. @target subtracts the bias before the relu where it should add it.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --no-self-heal --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils | FileCheck %s --check-prefix=OUT
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --heal-cache=none --heal-sources=symbolic 2>%t.heal | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --check-prefix=HEAL < %t.heal
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy change-operator:
// HEAL: remark: self-heal: repaired 'target' (symbolic strategy change-operator:
// OUT: {{^}}tensor<4xf32> ( 0, 1, 3, 5 ){{$}}

func.func @target(%x: tensor<4xf32>, %bias: tensor<4xf32>) -> tensor<4xf32> {
  %s = "tensorlang.sub"(%x, %bias) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = "tensorlang.relu"(%s) : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
func.func @main() {
  %x = "tensorlang.constant"() {value = dense<[-3.0, 0.0, 2.0, 4.0]> : tensor<4xf32>} : () -> tensor<4xf32>
  %b = "tensorlang.constant"() {value = dense<[1.0, 1.0, 1.0, 1.0]> : tensor<4xf32>} : () -> tensor<4xf32>
  %r = func.call @target(%x, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %i3 = arith.constant 3 : index
  %v = tensor.extract %r[%i3] : tensor<4xf32>
  %five = arith.constant 5.0 : f32
  %ok = arith.cmpf oeq, %v, %five : f32
  "tensorlang.assert"(%ok) {message = "relu(4 + 1) is 5"} : (i1) -> ()
  "tensorlang.print"(%r) : (tensor<4xf32>) -> ()
  return
}
