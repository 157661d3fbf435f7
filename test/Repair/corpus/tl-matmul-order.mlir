// Repair corpus, TensorLang bug class: matmul operands in the wrong order. @target multiplies B by A where A times B is meant.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --no-self-heal --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils | FileCheck %s --check-prefix=OUT
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --heal-cache=none --heal-sources=symbolic 2>%t.heal | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --check-prefix=HEAL < %t.heal
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy swap-operands:
// HEAL: remark: self-heal: repaired 'target' (symbolic strategy swap-operands:
// OUT: {{^}}tensor<2x2xf32> ( ( 2, 1 ), ( 4, 3 ) ){{$}}

func.func @target(%a: tensor<2x2xf32>, %b: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %c = "tensorlang.matmul"(%b, %a) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %c : tensor<2x2xf32>
}
func.func @main() {
  %a = "tensorlang.constant"() {value = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>} : () -> tensor<2x2xf32>
  %b = "tensorlang.constant"() {value = dense<[[0.0, 1.0], [1.0, 0.0]]> : tensor<2x2xf32>} : () -> tensor<2x2xf32>
  %c = func.call @target(%a, %b) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %i0 = arith.constant 0 : index
  %i1 = arith.constant 1 : index
  %x = tensor.extract %c[%i0, %i0] : tensor<2x2xf32>
  %y = tensor.extract %c[%i1, %i0] : tensor<2x2xf32>
  %two = arith.constant 2.0 : f32
  %four = arith.constant 4.0 : f32
  %ok1 = arith.cmpf oeq, %x, %two : f32
  %ok2 = arith.cmpf oeq, %y, %four : f32
  %ok = arith.andi %ok1, %ok2 : i1
  "tensorlang.assert"(%ok) {message = "A times B swaps A's columns"} : (i1) -> ()
  "tensorlang.print"(%c) : (tensor<2x2xf32>) -> ()
  return
}
