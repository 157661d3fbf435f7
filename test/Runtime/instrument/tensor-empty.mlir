// tensor.empty with a negative size becomes memref.alloc with a negative size: checked there.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 2
// CHECK-NEXT: {{.*}}tensor-empty.mlir:[[@LINE+3]]:8: error: allocation size is negative or too large
func.func @filled(%n: index, %i: index) -> f32 {
  %two = arith.constant 2.0 : f32
  %e = tensor.empty(%n) : tensor<?xf32>
  %f = linalg.fill ins(%two : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %x = tensor.extract %f[%i] : tensor<?xf32>
  return %x : f32
}

func.func @main() {
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %ok = call @filled(%c3, %c1) : (index, index) -> f32
  vector.print %ok : f32
  %minus = arith.constant -5 : index
  %c0 = arith.constant 0 : index
  %bad = call @filled(%minus, %c0) : (index, index) -> f32
  vector.print %bad : f32
  return
}
