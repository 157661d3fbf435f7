// Repair corpus, TensorLang bug class: a zero divisor that must leave the value as it is. @target normalizes by a count; a zero count leaves the value unchanged.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --no-self-heal --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils | FileCheck %s --check-prefix=OUT
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --heal-cache=none --heal-sources=symbolic 2>%t.heal | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --check-prefix=HEAL < %t.heal
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy guard-tensor-division-identity:
// HEAL: remark: self-heal: repaired 'target' (symbolic strategy guard-tensor-division-identity:
// OUT: {{^}}tensor<3xf32> ( 2, 7, 1.5 ){{$}}

func.func @target(%x: tensor<3xf32>, %n: tensor<3xf32>) -> tensor<3xf32> {
  %y = "tensorlang.div"(%x, %n) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}
func.func @main() {
  %x = "tensorlang.constant"() {value = dense<[4.0, 7.0, 3.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %n = "tensorlang.constant"() {value = dense<[2.0, 0.0, 2.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %y = func.call @target(%x, %n) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %i1 = arith.constant 1 : index
  %v = tensor.extract %y[%i1] : tensor<3xf32>
  %seven = arith.constant 7.0 : f32
  %ok = arith.cmpf oeq, %v, %seven : f32
  "tensorlang.assert"(%ok) {message = "a zero count leaves 7 as it is"} : (i1) -> ()
  "tensorlang.print"(%y) : (tensor<3xf32>) -> ()
  return
}
