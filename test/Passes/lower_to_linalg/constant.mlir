// `tensorlang.constant` becomes an `arith.constant` of the same dense value.
// RUN: tensorlang-opt %s --convert-tensorlang-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @constant
// CHECK: %[[C:.*]] = arith.constant dense<[3, 4]> : tensor<2xi64>
// CHECK: return %[[C]]
func.func @constant() -> tensor<2xi64> {
  %0 = "tensorlang.constant"() {value = dense<[3, 4]> : tensor<2xi64>} : () -> tensor<2xi64>
  return %0 : tensor<2xi64>
}
