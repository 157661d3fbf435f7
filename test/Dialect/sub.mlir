// Parse, print and parse again: `tensorlang.sub` survives a round trip.
// RUN: tensorlang-opt %s | tensorlang-opt | FileCheck %s

// CHECK-LABEL: func.func @sub
// CHECK: "tensorlang.sub"(%arg0, %arg1) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
func.func @sub(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "tensorlang.sub"(%a, %b) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
