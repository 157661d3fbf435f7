// A linalg.matmul written inline in main, in two loops, is outlined into one function of its own
// (the same op on the same types is one function), which gets a slot, and a faster variant is
// swapped in behind it. The data are memref.global constants.
// RUN: rm -rf %t.cache && env NEUROJIT_CACHE_DIR=%t.cache tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%mlir_runner_utils --optimize --optimize-first 2>&1 | FileCheck %s

// CHECK: remark: optimize: 'outlined_matmul0' (64x32x16): {{.*}} with variant t{{[0-9]+}}-c
// CHECK: {{\[\[}}96, 96, 96]]
// CHECK: remark: optimize: 'outlined_matmul0' (64x32x16): 6 calls in the run
// CHECK-NOT: outlined_matmul1

memref.global "private" constant @A : memref<64x16xf32> = dense<2.0>
memref.global "private" constant @B : memref<16x32xf32> = dense<3.0>
func.func private @printMemrefF32(memref<*xf32>)

func.func @main() {
  %A = memref.get_global @A : memref<64x16xf32>
  %B = memref.get_global @B : memref<16x32xf32>
  %C = memref.alloc() : memref<64x32xf32>
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %i = %c0 to %c3 step %c1 {
    linalg.fill ins(%zero : f32) outs(%C : memref<64x32xf32>)
    linalg.matmul ins(%A, %B : memref<64x16xf32>, memref<16x32xf32>) outs(%C : memref<64x32xf32>)
  }
  scf.for %i = %c0 to %c3 step %c1 {
    linalg.fill ins(%zero : f32) outs(%C : memref<64x32xf32>)
    linalg.matmul ins(%A, %B : memref<64x16xf32>, memref<16x32xf32>) outs(%C : memref<64x32xf32>)
  }
  // 16 * 2 * 3 = 96 everywhere.
  %row = memref.subview %C[5, 0] [1, 3] [1, 1] : memref<64x32xf32> to memref<1x3xf32, strided<[32, 1], offset: 160>>
  %cast = memref.cast %row : memref<1x3xf32, strided<[32, 1], offset: 160>> to memref<*xf32>
  call @printMemrefF32(%cast) : (memref<*xf32>) -> ()
  return
}
