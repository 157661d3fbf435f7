// complex ops have no lowering in tensorlang-to-llvm.
func.func @main() -> f32 {
  %f = arith.constant 1.0 : f32
  %c = complex.create %f, %f : complex<f32>
  %a = complex.abs %c : complex<f32>
  return %a : f32
}
