// A check inside a lowered TensorLang op names the TensorLang op's line: the loops and
// divisions it became carry its location.
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: {{.*}}check-tensorlang.mlir:[[@LINE+5]]:11: error: division by zero in 'arith.divsi'
// CHECK-EMPTY:
func.func @main() {
  %steps = "tensorlang.constant"() {value = dense<[10, 20, 30]> : tensor<3xi32>} : () -> tensor<3xi32>
  %ticks = "tensorlang.constant"() {value = dense<[1, 0, 3]> : tensor<3xi32>} : () -> tensor<3xi32>
  %rate = "tensorlang.div"(%steps, %ticks) : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  "tensorlang.print"(%rate) : (tensor<3xi32>) -> ()
  return
}
