// Sum and max reductions over each axis, and a transpose, run end to end.
// RUN: tensorlang-opt %s --tensorlang-to-llvm | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils,%tensorlang_checks | FileCheck %s

// CHECK: {{^}}tensor<3xf32> ( 5, 7, 9 ){{$}}
// CHECK-NEXT: {{^}}tensor<2xf32> ( 3, 6 ){{$}}
// CHECK-NEXT: {{^}}tensor<3x2xf32> ( ( 1, 4 ), ( 2, 5 ), ( 3, 6 ) ){{$}}
// CHECK-NEXT: {{^}}tensor<i64> -1{{$}}
func.func @main() {
  %a = "tensorlang.constant"() {value = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
  %sum = "tensorlang.reduce"(%a) {kind = "sum", axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<3xf32>
  "tensorlang.print"(%sum) : (tensor<3xf32>) -> ()
  %max = "tensorlang.reduce"(%a) {kind = "max", axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  "tensorlang.print"(%max) : (tensor<2xf32>) -> ()
  %t = "tensorlang.transpose"(%a) {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  "tensorlang.print"(%t) : (tensor<3x2xf32>) -> ()
  %n = "tensorlang.constant"() {value = dense<[-7, -1, -3]> : tensor<3xi64>} : () -> tensor<3xi64>
  %m = "tensorlang.reduce"(%n) {kind = "max", axis = 0 : i64} : (tensor<3xi64>) -> tensor<i64>
  "tensorlang.print"(%m) : (tensor<i64>) -> ()
  return
}
