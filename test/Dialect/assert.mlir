// Parse, print and parse again: `tensorlang.assert` survives a round trip.
// RUN: tensorlang-opt %s | tensorlang-opt | FileCheck %s

// CHECK-LABEL: func.func @assert
// CHECK: "tensorlang.assert"(%arg0) {message = "altitude stays positive"} : (i1) -> ()
func.func @assert(%c: i1) {
  "tensorlang.assert"(%c) {message = "altitude stays positive"} : (i1) -> ()
  return
}
