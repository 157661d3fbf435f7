// Malformed `tensorlang.assert` ops (condition type and missing message) get located errors.
// RUN: tensorlang-opt %s --split-input-file --verify-diagnostics --tensorlang-verify

func.func @f(%c: i32) {
  // expected-error @+1 {{expected 'i1' but got 'i32'}}
  "tensorlang.assert"(%c) {message = "x"} : (i32) -> ()
  return
}

// -----

func.func @f(%c: i1) {
  // expected-error @+1 {{'tensorlang.assert' op attribute "message" is expected but not provided}}
  "tensorlang.assert"(%c) : (i1) -> ()
  return
}
