// --neuro-optimize times the variants of each matmul function on this machine (through
// tensorlang-run --optimize --optimize-first, which checks each against the original first) and
// writes the winner into the module: tiled and vectorized, with its name as an attribute. The
// rewritten module runs, with the same result.
// RUN: rm -rf %t.cache && env NEUROJIT_CACHE_DIR=%t.cache tensorlang-opt %s --neuro-optimize -o %t.mlir 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: FileCheck %s --check-prefix=IR < %t.mlir
// RUN: tensorlang-run %t.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%mlir_runner_utils | FileCheck %s --check-prefix=OUT

// REMARK: remark: neuro-optimize: 'mm' (64x32x48): variant t{{[0-9]+}}-c{{[0-9x]+}}-r{{[0-9x]+}}, {{.*}} ms per call ({{.*}} GFLOP/s) against {{.*}} ms for the original ({{.*}}x), checked against the original on synthetic inputs on this machine
// REMARK-NOT: error

// IR-LABEL: func.func @mm(
// IR-SAME: attributes {tensorlang.variant = "t{{[0-9]+}}-c
// IR: vector.fma
// IR-LABEL: func.func @main(

// 48 * 2 * 3 = 288.
// OUT: {{\[\[}}288, 288, 288]]

func.func private @printMemrefF32(memref<*xf32>)

func.func @mm(%A: memref<64x48xf32>, %B: memref<48x32xf32>, %C: memref<64x32xf32>) {
  linalg.matmul ins(%A, %B : memref<64x48xf32>, memref<48x32xf32>) outs(%C : memref<64x32xf32>)
  return
}

func.func @main() {
  %A = memref.alloc() : memref<64x48xf32>
  %B = memref.alloc() : memref<48x32xf32>
  %C = memref.alloc() : memref<64x32xf32>
  %two = arith.constant 2.0 : f32
  %three = arith.constant 3.0 : f32
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%two : f32) outs(%A : memref<64x48xf32>)
  linalg.fill ins(%three : f32) outs(%B : memref<48x32xf32>)
  linalg.fill ins(%zero : f32) outs(%C : memref<64x32xf32>)
  func.call @mm(%A, %B, %C) : (memref<64x48xf32>, memref<48x32xf32>, memref<64x32xf32>) -> ()
  %row = memref.subview %C[3, 0] [1, 3] [1, 1] : memref<64x32xf32> to memref<1x3xf32, strided<[32, 1], offset: 96>>
  %cast = memref.cast %row : memref<1x3xf32, strided<[32, 1], offset: 96>> to memref<*xf32>
  call @printMemrefF32(%cast) : (memref<*xf32>) -> ()
  return
}
