// A hot 3x3 convolution in plain upstream MLIR (NHWC input 1x58x58x64, HWCF filter 3x3x64x128,
// as in a ResNet layer): it runs 3 times, then times 10 more calls itself and prints GFLOP/s,
// and checks sampled outputs exactly (the inputs are small integers, so every sum is exact in
// f32 in any order).
//
//   tensorlang-run examples/optimize/conv.mlir -e main -entry-point-result=void -O3 \
//     -shared-libs=/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so --optimize
//
// --optimize computes it as a matmul (im2col: the windows copied into the rows of a
// 3136x576 buffer, times the filter seen as 576x128) with the matmul's tiled, vectorized,
// threaded variants (see docs/optimize.md).

func.func private @rtclock() -> f64

func.func @conv(%I: memref<1x58x58x64xf32>, %F: memref<3x3x64x128xf32>, %O: memref<1x56x56x128xf32>) {
  linalg.conv_2d_nhwc_hwcf ins(%I, %F : memref<1x58x58x64xf32>, memref<3x3x64x128xf32>)
                           outs(%O : memref<1x56x56x128xf32>)
  return
}

// I[0][h][w][c] = (h + 2w + 3c) mod 5 - 2, F[kh][kw][c][f] = (kh + 3kw + c + 2f) mod 7 - 3.
func.func @fill(%I: memref<1x58x58x64xf32>, %F: memref<3x3x64x128xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%I : memref<1x58x58x64xf32>) {
  ^bb0(%x: f32):
    %h = linalg.index 1 : index
    %w = linalg.index 2 : index
    %c = linalg.index 3 : index
    %w2 = arith.addi %w, %w : index
    %c3a = arith.addi %c, %c : index
    %c3 = arith.addi %c3a, %c : index
    %s1 = arith.addi %h, %w2 : index
    %s = arith.addi %s1, %c3 : index
    %five = arith.constant 5 : index
    %r = arith.remui %s, %five : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %two = arith.constant 2.0 : f32
    %v = arith.subf %rf, %two : f32
    linalg.yield %v : f32
  }
  linalg.generic {indexing_maps = [affine_map<(kh, kw, c, f) -> (kh, kw, c, f)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%F : memref<3x3x64x128xf32>) {
  ^bb0(%x: f32):
    %kh = linalg.index 0 : index
    %kw = linalg.index 1 : index
    %c = linalg.index 2 : index
    %f = linalg.index 3 : index
    %kw2 = arith.addi %kw, %kw : index
    %kw3 = arith.addi %kw2, %kw : index
    %f2 = arith.addi %f, %f : index
    %s1 = arith.addi %kh, %kw3 : index
    %s2 = arith.addi %s1, %c : index
    %s = arith.addi %s2, %f2 : index
    %seven = arith.constant 7 : index
    %r = arith.remui %s, %seven : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %three = arith.constant 3.0 : f32
    %v = arith.subf %rf, %three : f32
    linalg.yield %v : f32
  }
  return
}

// O[0][oh][ow][f] computed directly, for the check.
func.func @expected(%I: memref<1x58x58x64xf32>, %F: memref<3x3x64x128xf32>, %oh: index, %ow: index, %f: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  %sum = scf.for %kh = %c0 to %c3 step %c1 iter_args(%a0 = %zero) -> (f32) {
    %s1 = scf.for %kw = %c0 to %c3 step %c1 iter_args(%a1 = %a0) -> (f32) {
      %s2 = scf.for %c = %c0 to %c64 step %c1 iter_args(%a2 = %a1) -> (f32) {
        %h = arith.addi %oh, %kh : index
        %w = arith.addi %ow, %kw : index
        %x = memref.load %I[%c0, %h, %w, %c] : memref<1x58x58x64xf32>
        %y = memref.load %F[%kh, %kw, %c, %f] : memref<3x3x64x128xf32>
        %p = arith.mulf %x, %y : f32
        %t = arith.addf %a2, %p : f32
        scf.yield %t : f32
      }
      scf.yield %s2 : f32
    }
    scf.yield %s1 : f32
  }
  return %sum : f32
}

func.func @main() {
  %I = memref.alloc() : memref<1x58x58x64xf32>
  %F = memref.alloc() : memref<3x3x64x128xf32>
  %O = memref.alloc() : memref<1x56x56x128xf32>
  func.call @fill(%I, %F) : (memref<1x58x58x64xf32>, memref<3x3x64x128xf32>) -> ()
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %warm = arith.constant 3 : index
  %runs = arith.constant 10 : index
  scf.for %r = %c0 to %warm step %c1 {
    linalg.fill ins(%zero : f32) outs(%O : memref<1x56x56x128xf32>)
    func.call @conv(%I, %F, %O) : (memref<1x58x58x64xf32>, memref<3x3x64x128xf32>, memref<1x56x56x128xf32>) -> ()
  }
  %t0 = func.call @rtclock() : () -> f64
  scf.for %r = %c0 to %runs step %c1 {
    linalg.fill ins(%zero : f32) outs(%O : memref<1x56x56x128xf32>)
    func.call @conv(%I, %F, %O) : (memref<1x58x58x64xf32>, memref<3x3x64x128xf32>, memref<1x56x56x128xf32>) -> ()
  }
  %t1 = func.call @rtclock() : () -> f64
  %seconds = arith.subf %t1, %t0 : f64
  // 10 calls of 2 * 3136 * 128 * 576 flops.
  %flops = arith.constant 4.62422016e9 : f64
  %rate = arith.divf %flops, %seconds : f64
  %giga = arith.constant 1.0e9 : f64
  %gflops = arith.divf %rate, %giga : f64
  vector.print str "GFLOP/s: "
  vector.print %gflops : f64
  // Sampled outputs, exactly.
  %c7 = arith.constant 7 : index
  %c13 = arith.constant 13 : index
  %c55 = arith.constant 55 : index
  %c127 = arith.constant 127 : index
  scf.for %s = %c0 to %c7 step %c1 {
    %oh0 = arith.muli %s, %c13 : index
    %oh = arith.remui %oh0, %c55 : index
    %ow = arith.muli %s, %c7 : index
    %f0 = arith.muli %s, %c55 : index
    %f = arith.remui %f0, %c127 : index
    %got = memref.load %O[%c0, %oh, %ow, %f] : memref<1x56x56x128xf32>
    %want = func.call @expected(%I, %F, %oh, %ow, %f) : (memref<1x58x58x64xf32>, memref<3x3x64x128xf32>, index, index, index) -> f32
    %ok = arith.cmpf oeq, %got, %want : f32
    cf.assert %ok, "O[oh][ow][f] is the sum over the window of I * F"
  }
  vector.print str "checked\n"
  memref.dealloc %I : memref<1x58x58x64xf32>
  memref.dealloc %F : memref<3x3x64x128xf32>
  memref.dealloc %O : memref<1x56x56x128xf32>
  return
}
