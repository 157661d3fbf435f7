// A TensorLang matmul, lowered by tensorlang-to-llvm and run by upstream mlir-runner.
// RUN: tensorlang-opt %s --tensorlang-to-llvm | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils,%tensorlang_checks | FileCheck %s

// CHECK: {{^}}tensor<2x2xf32> ( ( 22, 28 ), ( 49, 64 ) ){{$}}
func.func @main() {
  %a = "tensorlang.constant"() {value = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
  %b = "tensorlang.constant"() {value = dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>} : () -> tensor<3x2xf32>
  %c = "tensorlang.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  "tensorlang.print"(%c) : (tensor<2x2xf32>) -> ()
  return
}
