// `tensorlang.assert` becomes `cf.assert` with the same message.
// RUN: tensorlang-opt %s --convert-tensorlang-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @assert
// CHECK: cf.assert %arg0, "thrust within limits"
func.func @assert(%c: i1) {
  "tensorlang.assert"(%c) {message = "thrust within limits"} : (i1) -> ()
  return
}
