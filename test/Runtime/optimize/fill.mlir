// A matmul function that zeroes its output first (C = A * B) is a target too: the variant keeps
// the fill, so calling it twice gives the same C, as the original does.
// RUN: rm -rf %t.cache && env NEUROJIT_CACHE_DIR=%t.cache tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --optimize --optimize-first 2>&1 | FileCheck %s

// CHECK: remark: optimize: 'mm' (32x32x16): {{.*}} with variant
// CHECK: {{^}}( 160, 160 ){{$}}

func.func @mm(%A: memref<32x16xf32>, %B: memref<16x32xf32>, %C: memref<32x32xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%C : memref<32x32xf32>)
  linalg.matmul ins(%A, %B : memref<32x16xf32>, memref<16x32xf32>)
                outs(%C : memref<32x32xf32>)
  return
}

func.func @main() {
  %A = memref.alloc() : memref<32x16xf32>
  %B = memref.alloc() : memref<16x32xf32>
  %C = memref.alloc() : memref<32x32xf32>
  %two = arith.constant 2.0 : f32
  %five = arith.constant 5.0 : f32
  linalg.fill ins(%two : f32) outs(%A : memref<32x16xf32>)
  linalg.fill ins(%five : f32) outs(%B : memref<16x32xf32>)
  func.call @mm(%A, %B, %C) : (memref<32x16xf32>, memref<16x32xf32>, memref<32x32xf32>) -> ()
  func.call @mm(%A, %B, %C) : (memref<32x16xf32>, memref<16x32xf32>, memref<32x32xf32>) -> ()
  // 16 * 2 * 5 = 160, once.
  %c0 = arith.constant 0 : index
  %c31 = arith.constant 31 : index
  %x = memref.load %C[%c0, %c0] : memref<32x32xf32>
  %y = memref.load %C[%c31, %c31] : memref<32x32xf32>
  %v0 = vector.broadcast %x : f32 to vector<2xf32>
  %v1 = vector.insert %y, %v0 [1] : f32 into vector<2xf32>
  vector.print %v1 : vector<2xf32>
  memref.dealloc %A : memref<32x16xf32>
  memref.dealloc %B : memref<16x32xf32>
  memref.dealloc %C : memref<32x32xf32>
  return
}
