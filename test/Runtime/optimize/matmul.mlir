// --optimize finds the matmul function, swaps in a variant that computes exactly what the
// original does, and the program's own checks pass with it. --optimize-first makes the run
// deterministic: the search ends before the entry point runs.
// RUN: rm -rf %t.cache && env NEUROJIT_CACHE_DIR=%t.cache tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --optimize --optimize-first --optimize-report=%t.json 2>&1 | FileCheck %s
// RUN: FileCheck %s --check-prefix=REPORT < %t.json

// CHECK: remark: optimize: 'mm' (64x32x48): {{.*}} ms per call ({{.*}} GFLOP/s) before, {{.*}} with variant t{{[0-9]+}}-c{{.*}}; checked against the original on synthetic inputs
// CHECK: {{^}}( 1200, 1200, 1200 ){{$}}
// REPORT: "function": "mm"
// REPORT: "shape": "64x32x48"
// REPORT: "variant": "t{{[0-9]+}}-c

func.func @mm(%A: memref<64x48xf32>, %B: memref<48x32xf32>, %C: memref<64x32xf32>) {
  linalg.matmul ins(%A, %B : memref<64x48xf32>, memref<48x32xf32>)
                outs(%C : memref<64x32xf32>)
  return
}

func.func @main() {
  %A = memref.alloc() : memref<64x48xf32>
  %B = memref.alloc() : memref<48x32xf32>
  %C = memref.alloc() : memref<64x32xf32>
  %five = arith.constant 5.0 : f32
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%five : f32) outs(%A : memref<64x48xf32>)
  linalg.fill ins(%five : f32) outs(%B : memref<48x32xf32>)
  linalg.fill ins(%zero : f32) outs(%C : memref<64x32xf32>)
  func.call @mm(%A, %B, %C) : (memref<64x48xf32>, memref<48x32xf32>, memref<64x32xf32>) -> ()
  // 48 * 5 * 5 = 1200 everywhere.
  %c0 = arith.constant 0 : index
  %c63 = arith.constant 63 : index
  %c31 = arith.constant 31 : index
  %x = memref.load %C[%c0, %c0] : memref<64x32xf32>
  %y = memref.load %C[%c63, %c31] : memref<64x32xf32>
  %z = memref.load %C[%c63, %c0] : memref<64x32xf32>
  %v0 = vector.broadcast %x : f32 to vector<3xf32>
  %v1 = vector.insert %y, %v0 [1] : f32 into vector<3xf32>
  %v2 = vector.insert %z, %v1 [2] : f32 into vector<3xf32>
  vector.print %v2 : vector<3xf32>
  memref.dealloc %A : memref<64x48xf32>
  memref.dealloc %B : memref<48x32xf32>
  memref.dealloc %C : memref<64x32xf32>
  return
}
