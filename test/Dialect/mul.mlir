// Parse, print and parse again: `tensorlang.mul` survives a round trip.
// RUN: tensorlang-opt %s | tensorlang-opt | FileCheck %s

// CHECK-LABEL: func.func @mul
// CHECK: "tensorlang.mul"(%arg0, %arg1) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
func.func @mul(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "tensorlang.mul"(%a, %b) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
