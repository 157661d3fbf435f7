// Repair corpus, TensorLang bug class: a relu too many. @target returns a residual that may be negative, but clamps it.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --no-self-heal --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils | FileCheck %s --check-prefix=OUT
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --heal-cache=none --heal-sources=symbolic 2>%t.heal | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --check-prefix=HEAL < %t.heal
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy remove-relu:
// HEAL: remark: self-heal: repaired 'target' (symbolic strategy remove-relu:
// OUT: {{^}}tensor<3xf32> ( -1, 0, 2 ){{$}}

func.func @target(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<3xf32> {
  %d = "tensorlang.sub"(%x, %y) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %r = "tensorlang.relu"(%d) : (tensor<3xf32>) -> tensor<3xf32>
  return %r : tensor<3xf32>
}
func.func @main() {
  %x = "tensorlang.constant"() {value = dense<[1.0, 2.0, 5.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %y = "tensorlang.constant"() {value = dense<[2.0, 2.0, 3.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %d = func.call @target(%x, %y) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %i0 = arith.constant 0 : index
  %v = tensor.extract %d[%i0] : tensor<3xf32>
  %m1 = arith.constant -1.0 : f32
  %ok = arith.cmpf oeq, %v, %m1 : f32
  "tensorlang.assert"(%ok) {message = "1 - 2 is -1"} : (i1) -> ()
  "tensorlang.print"(%d) : (tensor<3xf32>) -> ()
  return
}
