// A matmul on dynamic shapes: once it is hot, a recorded call tells its shapes, and the variant
// is specialized for them: calls of those shapes take the fast code, calls of any other shape
// the original loops. The 24x8x16 call at the end must be right whether or not the swap came
// before it (the variant's own unit test runs other shapes through it every time).
// RUN: rm -rf %t.cache && env NEUROJIT_CACHE_DIR=%t.cache tensorlang-run %s -e main -entry-point-result=void -O3 -shared-libs=%mlir_c_runner_utils,%mlir_runner_utils --optimize --optimize-drain --optimize-report=%t.json 2>&1 | FileCheck %s
// RUN: FileCheck %s --check-prefix=REPORT < %t.json

// CHECK-DAG: remark: optimize: 'mm' (?x?x? as 128x64x96): {{.*}} with variant t{{[0-9]+}}-c{{.*}}; checked against the original on synthetic inputs and a recorded call
// CHECK-DAG: {{\[\[}}96, 96, 96]]
// CHECK-DAG: {{\[\[}}16, 16, 16]]
// REPORT: "shape": "?x?x? as 128x64x96"

func.func private @printMemrefF32(memref<*xf32>)

func.func @mm(%A: memref<?x?xf32>, %B: memref<?x?xf32>, %C: memref<?x?xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%C : memref<?x?xf32>)
  linalg.matmul ins(%A, %B : memref<?x?xf32>, memref<?x?xf32>)
                outs(%C : memref<?x?xf32>)
  return
}

func.func @product(%m: index, %n: index, %k: index) {
  %A = memref.alloc(%m, %k) : memref<?x?xf32>
  %B = memref.alloc(%k, %n) : memref<?x?xf32>
  %C = memref.alloc(%m, %n) : memref<?x?xf32>
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%A : memref<?x?xf32>)
  linalg.fill ins(%one : f32) outs(%B : memref<?x?xf32>)
  func.call @mm(%A, %B, %C) : (memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>) -> ()
  %row = memref.subview %C[0, 0] [1, 3] [1, 1] : memref<?x?xf32> to memref<1x3xf32, strided<[?, 1]>>
  %cast = memref.cast %row : memref<1x3xf32, strided<[?, 1]>> to memref<*xf32>
  call @printMemrefF32(%cast) : (memref<*xf32>) -> ()
  memref.dealloc %A : memref<?x?xf32>
  memref.dealloc %B : memref<?x?xf32>
  memref.dealloc %C : memref<?x?xf32>
  return
}

func.func @main() {
  %A = memref.alloc() : memref<128x96xf32>
  %B = memref.alloc() : memref<96x64xf32>
  %C = memref.alloc() : memref<128x64xf32>
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%A : memref<128x96xf32>)
  linalg.fill ins(%one : f32) outs(%B : memref<96x64xf32>)
  %a = memref.cast %A : memref<128x96xf32> to memref<?x?xf32>
  %b = memref.cast %B : memref<96x64xf32> to memref<?x?xf32>
  %c = memref.cast %C : memref<128x64xf32> to memref<?x?xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %calls = arith.constant 300 : index
  scf.for %i = %c0 to %calls step %c1 {
    func.call @mm(%a, %b, %c) : (memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>) -> ()
  }
  // 96 everywhere.
  %row = memref.subview %C[0, 0] [1, 3] [1, 1] : memref<128x64xf32> to memref<1x3xf32, strided<[64, 1]>>
  %cast = memref.cast %row : memref<1x3xf32, strided<[64, 1]>> to memref<*xf32>
  call @printMemrefF32(%cast) : (memref<*xf32>) -> ()
  // Another shape: the original loops.
  %m = arith.constant 24 : index
  %n = arith.constant 8 : index
  %k = arith.constant 16 : index
  func.call @product(%m, %n, %k) : (index, index, index) -> ()
  return
}
