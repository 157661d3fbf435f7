// Parse, print and parse again: `tensorlang.relu` survives a round trip.
// RUN: tensorlang-opt %s | tensorlang-opt | FileCheck %s

// CHECK-LABEL: func.func @relu
// CHECK: "tensorlang.relu"(%arg0) : (tensor<4xf32>) -> tensor<4xf32>
func.func @relu(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "tensorlang.relu"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
