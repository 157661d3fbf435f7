// Repair corpus, TensorLang bug class: div where mul is meant. @target scales by dividing where it should multiply.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --no-self-heal --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils | FileCheck %s --check-prefix=OUT
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --heal-cache=none --heal-sources=symbolic 2>%t.heal | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --check-prefix=HEAL < %t.heal
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy change-operator:
// HEAL: remark: self-heal: repaired 'target' (symbolic strategy change-operator:
// OUT: {{^}}tensor<3xf32> ( 2, 8, 18 ){{$}}

func.func @target(%x: tensor<3xf32>, %s: tensor<3xf32>) -> tensor<3xf32> {
  %y = "tensorlang.div"(%x, %s) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}
func.func @main() {
  %x = "tensorlang.constant"() {value = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %s = "tensorlang.constant"() {value = dense<[2.0, 4.0, 6.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %y = func.call @target(%x, %s) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %i2 = arith.constant 2 : index
  %v = tensor.extract %y[%i2] : tensor<3xf32>
  %e = arith.constant 18.0 : f32
  %ok = arith.cmpf oeq, %v, %e : f32
  "tensorlang.assert"(%ok) {message = "3 scaled by 6 is 18"} : (i1) -> ()
  "tensorlang.print"(%y) : (tensor<3xf32>) -> ()
  return
}
