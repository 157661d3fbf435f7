// A 2-D convolution (NHWC input, HWCF filter, unit strides) is a target too: its variants copy
// the input's windows into the rows of a buffer (im2col) and run the matmul's tiled, vectorized
// code on it, with the filter seen as a matrix. The variant is checked against the original
// convolution, and the program prints what the original computes. (The variant's unit test
// checks every output of a convolution of index-dependent data.)
// RUN: rm -rf %t.cache && env NEUROJIT_CACHE_DIR=%t.cache tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%mlir_runner_utils --optimize --optimize-first 2>&1 | FileCheck %s

// CHECK: remark: optimize: 'conv' (conv 1x10x12x8 * 3x3x8x16 as 80x16x72): {{.*}} with variant t{{[0-9]+}}-c{{.*}}; checked against the original on synthetic inputs
// 3 * 3 * 8 * 1 * 2 = 144 everywhere.
// CHECK: {{\[\[}}144, 144, 144]]

func.func private @printMemrefF32(memref<*xf32>)

func.func @conv(%I: memref<1x10x12x8xf32>, %F: memref<3x3x8x16xf32>, %O: memref<1x8x10x16xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%O : memref<1x8x10x16xf32>)
  linalg.conv_2d_nhwc_hwcf ins(%I, %F : memref<1x10x12x8xf32>, memref<3x3x8x16xf32>)
                           outs(%O : memref<1x8x10x16xf32>)
  return
}

func.func @main() {
  %I = memref.alloc() : memref<1x10x12x8xf32>
  %F = memref.alloc() : memref<3x3x8x16xf32>
  %O = memref.alloc() : memref<1x8x10x16xf32>
  %one = arith.constant 1.0 : f32
  %two = arith.constant 2.0 : f32
  linalg.fill ins(%one : f32) outs(%I : memref<1x10x12x8xf32>)
  linalg.fill ins(%two : f32) outs(%F : memref<3x3x8x16xf32>)
  func.call @conv(%I, %F, %O) : (memref<1x10x12x8xf32>, memref<3x3x8x16xf32>, memref<1x8x10x16xf32>) -> ()
  %row = memref.subview %O[0, 2, 3, 0] [1, 1, 1, 3] [1, 1, 1, 1] : memref<1x8x10x16xf32> to memref<1x3xf32, strided<[16, 1], offset: 368>>
  %cast = memref.cast %row : memref<1x3xf32, strided<[16, 1], offset: 368>> to memref<*xf32>
  call @printMemrefF32(%cast) : (memref<*xf32>) -> ()
  return
}
