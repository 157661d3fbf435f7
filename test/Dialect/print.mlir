// Parse, print and parse again: `tensorlang.print` survives a round trip.
// RUN: tensorlang-opt %s | tensorlang-opt | FileCheck %s

// CHECK-LABEL: func.func @print
// CHECK: "tensorlang.print"(%arg0) : (tensor<2x2xi64>) -> ()
// CHECK: "tensorlang.print"(%arg1) : (f32) -> ()
func.func @print(%t: tensor<2x2xi64>, %s: f32) {
  "tensorlang.print"(%t) : (tensor<2x2xi64>) -> ()
  "tensorlang.print"(%s) : (f32) -> ()
  return
}
