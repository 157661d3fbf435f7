// memref.view of more bytes than the buffer has: 2^62 floats are 2^64 bytes, which wrap to 0 in
// 64 bits. Checked exactly at the view.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 7
// CHECK-NEXT: {{.*}}view.mlir:[[@LINE+2]]:8: error: view is negative or runs outside its source buffer
func.func @element(%bytes: memref<?xi8>, %shift: index, %n: index, %i: index) -> f32 {
  %v = memref.view %bytes[%shift][%n] : memref<?xi8> to memref<?xf32>
  %x = memref.load %v[%i] : memref<?xf32>
  return %x : f32
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %bytes = memref.alloca(%c16) : memref<?xi8>
  %floats = memref.view %bytes[%c0][%c4] : memref<?xi8> to memref<?xf32>
  %seven = arith.constant 7.0 : f32
  memref.store %seven, %floats[%c2] : memref<?xf32>
  // In bounds: from byte 4, three floats (bytes 4 to 15), the second one is float 2.
  %ok = call @element(%bytes, %c4, %c2, %c1) : (memref<?xi8>, index, index, index) -> f32
  vector.print %ok : f32
  %huge = arith.constant 4611686018427387904 : index
  %bad = call @element(%bytes, %c0, %huge, %c4) : (memref<?xi8>, index, index, index) -> f32
  vector.print %bad : f32
  return
}
