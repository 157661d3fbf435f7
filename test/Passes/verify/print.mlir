// Malformed `tensorlang.print` ops (unprintable types) get located errors.
// RUN: tensorlang-opt %s --split-input-file --verify-diagnostics --tensorlang-verify

func.func @f(%t: tensor<2xi8>) {
  // expected-error @+1 {{'tensorlang.print' prints statically shaped tensors of f32, f64, i32 or i64, and integer or float scalars; got tensor<2xi8>}}
  "tensorlang.print"(%t) : (tensor<2xi8>) -> ()
  return
}

// -----

func.func @f(%t: tensor<?xf32>) {
  // expected-error @+1 {{'tensorlang.print' prints statically shaped tensors of f32, f64, i32 or i64, and integer or float scalars; got tensor<?xf32>}}
  "tensorlang.print"(%t) : (tensor<?xf32>) -> ()
  return
}
