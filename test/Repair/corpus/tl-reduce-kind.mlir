// Repair corpus, TensorLang bug class: the wrong reduction. @total takes the maximum of each row where the sum is meant.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --no-self-heal --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils | FileCheck %s --check-prefix=OUT
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --heal-cache=none --heal-sources=symbolic 2>%t.heal | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --check-prefix=HEAL < %t.heal
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy change-reduce:
// HEAL: remark: self-heal: repaired 'target' (symbolic strategy change-reduce:
// OUT: {{^}}tensor<2xf32> ( 6, 15 ){{$}}

func.func @target(%a: tensor<2x3xf32>) -> tensor<2xf32> {
  %s = "tensorlang.reduce"(%a) {kind = "max", axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %s : tensor<2xf32>
}
func.func @main() {
  %a = "tensorlang.constant"() {value = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
  %s = func.call @target(%a) : (tensor<2x3xf32>) -> tensor<2xf32>
  %i1 = arith.constant 1 : index
  %x = tensor.extract %s[%i1] : tensor<2xf32>
  %fifteen = arith.constant 15.0 : f32
  %ok = arith.cmpf oeq, %x, %fifteen : f32
  "tensorlang.assert"(%ok) {message = "the second row sums to 15"} : (i1) -> ()
  "tensorlang.print"(%s) : (tensor<2xf32>) -> ()
  return
}
