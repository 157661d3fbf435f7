// A winner goes into the strategy cache, signed. The next run loads it from the object cache,
// checks it against the digest of the original's result remembered with it (the original does
// not run again), and swaps it in before the first call. An entry edited by hand is not trusted:
// the next run checks that variant against the original again, like any other. The first run's
// search may end after the program printed (--optimize-drain lets it end at exit), so its lines
// are checked in any order.
// RUN: rm -rf %t.cache
// RUN: env NEUROJIT_CACHE_DIR=%t.cache tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%mlir_runner_utils --optimize --optimize-drain 2>&1 | FileCheck %s --check-prefix=FIRST
// RUN: env NEUROJIT_CACHE_DIR=%t.cache tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%mlir_runner_utils --optimize 2>&1 | FileCheck %s --check-prefix=SECOND
// RUN: sed -i 's/"verification": "checked/"verification": "edited, checked/' %t.cache/cache.json
// RUN: env NEUROJIT_CACHE_DIR=%t.cache tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%mlir_runner_utils --optimize --optimize-first 2>&1 | FileCheck %s --check-prefix=EDITED

// FIRST-DAG: remark: optimize: 'mm' (64x64x64): {{.*}} before, {{.*}} with variant [[VARIANT:t[0-9]+-c[0-9x]+-r[0-9x]+]]; checked against the original on synthetic inputs and a recorded call
// FIRST-DAG: {{\[\[}}4096, 4096, 4096{{\]\]}}
// SECOND: remark: optimize: 'mm' (64x64x64): {{.*}} with variant t{{.*}}, remembered from an earlier run; checked against the original on synthetic inputs, against the digest of its result remembered with the variant; swapped in {{[0-9]+}} ms after the start, before the first call
// SECOND: {{\[\[}}4096, 4096, 4096{{\]\]}}
// SECOND: 'mm' (64x64x64): 300 calls in the run; - before the swap, {{.*}} ms per call after it
// EDITED-NOT: remembered from an earlier run
// EDITED: remark: optimize: 'mm' (64x64x64): {{.*}} before, {{.*}} with variant t{{.*}}; checked against the original on synthetic inputs;
// EDITED: {{\[\[}}4096, 4096, 4096{{\]\]}}

func.func private @printMemrefF32(memref<*xf32>)

func.func @mm(%A: memref<64x64xf32>, %B: memref<64x64xf32>, %C: memref<64x64xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%C : memref<64x64xf32>)
  linalg.matmul ins(%A, %B : memref<64x64xf32>, memref<64x64xf32>)
                outs(%C : memref<64x64xf32>)
  return
}

func.func @main() {
  %A = memref.alloc() : memref<64x64xf32>
  %B = memref.alloc() : memref<64x64xf32>
  %C = memref.alloc() : memref<64x64xf32>
  %eight = arith.constant 8.0 : f32
  linalg.fill ins(%eight : f32) outs(%A : memref<64x64xf32>)
  linalg.fill ins(%eight : f32) outs(%B : memref<64x64xf32>)
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %calls = arith.constant 300 : index
  scf.for %i = %c0 to %calls step %c1 {
    func.call @mm(%A, %B, %C) : (memref<64x64xf32>, memref<64x64xf32>, memref<64x64xf32>) -> ()
  }
  // 64 * 8 * 8 = 4096 everywhere.
  %row = memref.subview %C[0, 0] [1, 3] [1, 1] : memref<64x64xf32> to memref<1x3xf32, strided<[64, 1]>>
  %cast = memref.cast %row : memref<1x3xf32, strided<[64, 1]>> to memref<*xf32>
  call @printMemrefF32(%cast) : (memref<*xf32>) -> ()
  return
}
