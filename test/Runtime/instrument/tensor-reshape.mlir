// tensor.reshape bufferizes to memref.reshape before instrumentation, so its sizes are checked
// the same way: 4 elements do not make 8, and a negative size is no size.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 3
// CHECK-NEXT: {{.*}}tensor-reshape.mlir:[[@LINE+3]]:8: error: reshape sizes are negative or their element count differs from the source's
func.func @element(%t: tensor<4xf32>, %n: index, %i: index) -> f32 {
  %shape = tensor.from_elements %n : tensor<1xindex>
  %r = tensor.reshape %t(%shape) : (tensor<4xf32>, tensor<1xindex>) -> tensor<?xf32>
  %x = tensor.extract %r[%i] : tensor<?xf32>
  return %x : f32
}

func.func @main() {
  %t = arith.constant dense<[0.0, 1.0, 2.0, 3.0]> : tensor<4xf32>
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %c8 = arith.constant 8 : index
  %ok = call @element(%t, %c4, %c3) : (tensor<4xf32>, index, index) -> f32
  vector.print %ok : f32
  %bad = call @element(%t, %c8, %c5) : (tensor<4xf32>, index, index) -> f32
  vector.print %bad : f32
  return
}
