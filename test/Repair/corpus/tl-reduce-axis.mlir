// Repair corpus, TensorLang bug class: the wrong reduction axis. @target sums the columns of a square matrix where the rows are meant.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --no-self-heal --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils | FileCheck %s --check-prefix=OUT
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --heal-cache=none --heal-sources=symbolic 2>%t.heal | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --check-prefix=HEAL < %t.heal
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy change-reduce:
// HEAL: remark: self-heal: repaired 'target' (symbolic strategy change-reduce:
// OUT: {{^}}tensor<3xf32> ( 6, 15, 24 ){{$}}

func.func @target(%a: tensor<3x3xf32>) -> tensor<3xf32> {
  %s = "tensorlang.reduce"(%a) {kind = "sum", axis = 0 : i64} : (tensor<3x3xf32>) -> tensor<3xf32>
  return %s : tensor<3xf32>
}
func.func @main() {
  %a = "tensorlang.constant"() {value = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]> : tensor<3x3xf32>} : () -> tensor<3x3xf32>
  %s = func.call @target(%a) : (tensor<3x3xf32>) -> tensor<3xf32>
  %i0 = arith.constant 0 : index
  %x = tensor.extract %s[%i0] : tensor<3xf32>
  %six = arith.constant 6.0 : f32
  %ok = arith.cmpf oeq, %x, %six : f32
  "tensorlang.assert"(%ok) {message = "row 0 sums to 6"} : (i1) -> ()
  "tensorlang.print"(%s) : (tensor<3xf32>) -> ()
  return
}
