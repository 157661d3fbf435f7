// Parse, print and parse again: `tensorlang.transpose` survives a round trip.
// RUN: tensorlang-opt %s | tensorlang-opt | FileCheck %s

// CHECK-LABEL: func.func @transpose
// CHECK: "tensorlang.transpose"(%arg0) {permutation = array<i64: 1, 0>} : (tensor<2x3xi32>) -> tensor<3x2xi32>
func.func @transpose(%a: tensor<2x3xi32>) -> tensor<3x2xi32> {
  %0 = "tensorlang.transpose"(%a) {permutation = array<i64: 1, 0>} : (tensor<2x3xi32>) -> tensor<3x2xi32>
  return %0 : tensor<3x2xi32>
}
