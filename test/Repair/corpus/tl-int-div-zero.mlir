// Repair corpus, TensorLang bug class: integer division by zero with a documented default. @target's result for a zero divisor is 0 by definition.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --no-self-heal --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic shared-libs=%mlir_c_runner_utils" -o %t.fixed.mlir 2>&1 | FileCheck %s
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils | FileCheck %s --check-prefix=OUT
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --heal-cache=none --heal-sources=symbolic 2>%t.heal | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --check-prefix=HEAL < %t.heal
// CHECK: remark: neuro-repair: repaired 'target' {{.*}}: symbolic strategy guard-tensor-division-zero:
// HEAL: remark: self-heal: repaired 'target' (symbolic strategy guard-tensor-division-zero:
// OUT: {{^}}tensor<4xi32> ( 4, 0, 2, 3 ){{$}}

func.func @target(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %q = "tensorlang.div"(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %q : tensor<4xi32>
}
func.func @main() {
  %a = "tensorlang.constant"() {value = dense<[8, 9, 10, 12]> : tensor<4xi32>} : () -> tensor<4xi32>
  %b = "tensorlang.constant"() {value = dense<[2, 0, 5, 4]> : tensor<4xi32>} : () -> tensor<4xi32>
  %q = func.call @target(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %i1 = arith.constant 1 : index
  %i3 = arith.constant 3 : index
  %x = tensor.extract %q[%i1] : tensor<4xi32>
  %y = tensor.extract %q[%i3] : tensor<4xi32>
  %zero = arith.constant 0 : i32
  %three = arith.constant 3 : i32
  %ok1 = arith.cmpi eq, %x, %zero : i32
  %ok2 = arith.cmpi eq, %y, %three : i32
  %ok = arith.andi %ok1, %ok2 : i1
  "tensorlang.assert"(%ok) {message = "9 / 0 is 0 by definition, 12 / 4 is 3"} : (i1) -> ()
  "tensorlang.print"(%q) : (tensor<4xi32>) -> ()
  return
}
