// Row sums of a 512x4096 f32 matrix in TensorLang (`tensorlang.reduce`, kind sum).
// Prints the seconds each of 30 calls of @kernel took, then a checksum.
func.func private @rtclock() -> f64

func.func @kernel(%x: tensor<512x4096xf32>) -> tensor<512xf32> {
  %s = "tensorlang.reduce"(%x) {kind = "sum", axis = 1 : i64} : (tensor<512x4096xf32>) -> tensor<512xf32>
  return %s : tensor<512xf32>
}

func.func @main() {
  %v = arith.constant 0.25 : f32
  %e = tensor.empty() : tensor<512x4096xf32>
  %x = linalg.fill ins(%v : f32) outs(%e : tensor<512x4096xf32>) -> tensor<512x4096xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %reps = arith.constant 30 : index
  %zero = arith.constant 0.0 : f32
  %check = scf.for %r = %c0 to %reps step %c1 iter_args(%acc = %zero) -> f32 {
    %t0 = func.call @rtclock() : () -> f64
    %s = func.call @kernel(%x) : (tensor<512x4096xf32>) -> tensor<512xf32>
    %t1 = func.call @rtclock() : () -> f64
    %dt = arith.subf %t1, %t0 : f64
    vector.print %dt : f64
    %first = tensor.extract %s[%c0] : tensor<512xf32>
    %next = arith.addf %acc, %first : f32
    scf.yield %next : f32
  }
  // The results are used, so the optimizer cannot drop the calls.
  vector.print %check : f32
  return
}
