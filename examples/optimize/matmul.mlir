// A hot 512x512 f32 matmul in plain upstream MLIR: it runs 20 times, then times 50 more calls
// itself and prints GFLOP/s, and checks sampled entries exactly (the inputs are small integers,
// so every sum is exact in f32 in any order).
//
//   tensorlang-run examples/optimize/matmul.mlir -e main -entry-point-result=void -O3 \
//     -shared-libs=/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so --optimize
//
// Without --optimize the naive loops run at about 1 GFLOP/s; with it, the runtime swaps in a
// tiled, vectorized, threaded variant after a few calls (see docs/optimize.md).

func.func private @rtclock() -> f64

func.func @matmul(%A: memref<512x512xf32>, %B: memref<512x512xf32>, %C: memref<512x512xf32>) {
  linalg.matmul ins(%A, %B : memref<512x512xf32>, memref<512x512xf32>)
                outs(%C : memref<512x512xf32>)
  return
}

// A[i][j] = (i + 2j) mod 5 - 2, B[i][j] = (3i + j) mod 7 - 3.
func.func @fill(%A: memref<512x512xf32>, %B: memref<512x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %c7 = arith.constant 7 : index
  %n = arith.constant 512 : index
  %f2 = arith.constant 2.0 : f32
  %f3 = arith.constant 3.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    scf.for %j = %c0 to %n step %c1 {
      %j2 = arith.muli %j, %c2 : index
      %s = arith.addi %i, %j2 : index
      %r = arith.remui %s, %c5 : index
      %ri = arith.index_cast %r : index to i32
      %rf = arith.sitofp %ri : i32 to f32
      %a = arith.subf %rf, %f2 : f32
      memref.store %a, %A[%i, %j] : memref<512x512xf32>
      %i3 = arith.muli %i, %c3 : index
      %t = arith.addi %i3, %j : index
      %q = arith.remui %t, %c7 : index
      %qi = arith.index_cast %q : index to i32
      %qf = arith.sitofp %qi : i32 to f32
      %b = arith.subf %qf, %f3 : f32
      memref.store %b, %B[%i, %j] : memref<512x512xf32>
    }
  }
  return
}

// C[i][j] computed directly, for the check.
func.func @expected(%A: memref<512x512xf32>, %B: memref<512x512xf32>, %i: index, %j: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 512 : index
  %zero = arith.constant 0.0 : f32
  %sum = scf.for %k = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f32) {
    %a = memref.load %A[%i, %k] : memref<512x512xf32>
    %b = memref.load %B[%k, %j] : memref<512x512xf32>
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    scf.yield %s : f32
  }
  return %sum : f32
}

func.func @main() {
  %A = memref.alloc() : memref<512x512xf32>
  %B = memref.alloc() : memref<512x512xf32>
  %C = memref.alloc() : memref<512x512xf32>
  func.call @fill(%A, %B) : (memref<512x512xf32>, memref<512x512xf32>) -> ()
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %warm = arith.constant 20 : index
  %runs = arith.constant 50 : index
  scf.for %r = %c0 to %warm step %c1 {
    linalg.fill ins(%zero : f32) outs(%C : memref<512x512xf32>)
    func.call @matmul(%A, %B, %C) : (memref<512x512xf32>, memref<512x512xf32>, memref<512x512xf32>) -> ()
  }
  %t0 = func.call @rtclock() : () -> f64
  scf.for %r = %c0 to %runs step %c1 {
    linalg.fill ins(%zero : f32) outs(%C : memref<512x512xf32>)
    func.call @matmul(%A, %B, %C) : (memref<512x512xf32>, memref<512x512xf32>, memref<512x512xf32>) -> ()
  }
  %t1 = func.call @rtclock() : () -> f64
  %seconds = arith.subf %t1, %t0 : f64
  // 50 calls of 2 * 512^3 flops.
  %flops = arith.constant 1.34217728e10 : f64
  %rate = arith.divf %flops, %seconds : f64
  %giga = arith.constant 1.0e9 : f64
  %gflops = arith.divf %rate, %giga : f64
  vector.print str "GFLOP/s: "
  vector.print %gflops : f64
  // Sampled entries, exactly.
  %c7 = arith.constant 7 : index
  %c300 = arith.constant 300 : index
  %c511 = arith.constant 511 : index
  scf.for %s = %c0 to %c7 step %c1 {
    %i = arith.muli %s, %c7 : index
    %j0 = arith.muli %s, %c300 : index
    %j = arith.remui %j0, %c511 : index
    %got = memref.load %C[%i, %j] : memref<512x512xf32>
    %want = func.call @expected(%A, %B, %i, %j) : (memref<512x512xf32>, memref<512x512xf32>, index, index) -> f32
    %ok = arith.cmpf oeq, %got, %want : f32
    cf.assert %ok, "C[i][j] is the sum over k of A[i][k] * B[k][j]"
  }
  vector.print str "checked\n"
  memref.dealloc %A : memref<512x512xf32>
  memref.dealloc %B : memref<512x512xf32>
  memref.dealloc %C : memref<512x512xf32>
  return
}
