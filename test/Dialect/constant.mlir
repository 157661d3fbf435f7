// Parse, print and parse again: `tensorlang.constant` survives a round trip.
// RUN: tensorlang-opt %s | tensorlang-opt | FileCheck %s

// CHECK-LABEL: func.func @constant
// CHECK: %[[C:.*]] = "tensorlang.constant"() {value = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>} : () -> tensor<2xf32>
// CHECK: return %[[C]]
func.func @constant() -> tensor<2xf32> {
  %0 = "tensorlang.constant"() {value = dense<[1.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
