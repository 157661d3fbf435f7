// 256x256x256 f32 matrix multiply in TensorLang (naive loops after lowering).
// Prints the seconds each of 30 calls of @kernel took, then a checksum.
func.func private @rtclock() -> f64

func.func @kernel(%a: tensor<256x256xf32>, %b: tensor<256x256xf32>) -> tensor<256x256xf32> {
  %c = "tensorlang.matmul"(%a, %b) : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<256x256xf32>
  return %c : tensor<256x256xf32>
}

func.func @main() {
  %one = arith.constant 1.5 : f32
  %two = arith.constant 0.5 : f32
  %ea = tensor.empty() : tensor<256x256xf32>
  %a = linalg.fill ins(%one : f32) outs(%ea : tensor<256x256xf32>) -> tensor<256x256xf32>
  %eb = tensor.empty() : tensor<256x256xf32>
  %b = linalg.fill ins(%two : f32) outs(%eb : tensor<256x256xf32>) -> tensor<256x256xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %reps = arith.constant 30 : index
  %zero = arith.constant 0.0 : f32
  %check = scf.for %r = %c0 to %reps step %c1 iter_args(%acc = %zero) -> f32 {
    %t0 = func.call @rtclock() : () -> f64
    %c = func.call @kernel(%a, %b) : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<256x256xf32>
    %t1 = func.call @rtclock() : () -> f64
    %dt = arith.subf %t1, %t0 : f64
    vector.print %dt : f64
    %first = tensor.extract %c[%c0, %c0] : tensor<256x256xf32>
    %next = arith.addf %acc, %first : f32
    scf.yield %next : f32
  }
  // The results are used, so the optimizer cannot drop the calls.
  vector.print %check : f32
  return
}
