// Malformed `tensorlang.div` ops (scalars instead of tensors) get located errors.
// RUN: tensorlang-opt %s --split-input-file --verify-diagnostics --tensorlang-verify

func.func @f(%a: f32) {
  // expected-error @+1 {{expected base type 'builtin.tensor' but got 'builtin.f32'}}
  %0 = "tensorlang.div"(%a, %a) : (f32, f32) -> f32
  return
}
