// Parse, print and parse again: `tensorlang.reduce` survives a round trip.
// RUN: tensorlang-opt %s | tensorlang-opt | FileCheck %s

// CHECK-LABEL: func.func @reduce
// CHECK: "tensorlang.reduce"(%arg0) {axis = 0 : i64, kind = "sum"} : (tensor<2x3xf64>) -> tensor<3xf64>
// CHECK: "tensorlang.reduce"(%arg0) {axis = 1 : i64, kind = "max"} : (tensor<2x3xf64>) -> tensor<2xf64>
func.func @reduce(%a: tensor<2x3xf64>) -> (tensor<3xf64>, tensor<2xf64>) {
  %0 = "tensorlang.reduce"(%a) {kind = "sum", axis = 0 : i64} : (tensor<2x3xf64>) -> tensor<3xf64>
  %1 = "tensorlang.reduce"(%a) {kind = "max", axis = 1 : i64} : (tensor<2x3xf64>) -> tensor<2xf64>
  return %0, %1 : tensor<3xf64>, tensor<2xf64>
}
