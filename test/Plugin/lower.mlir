// Upstream mlir-opt loads our plugin and lowers a TensorLang file with our pass.
// RUN: %upstream_mlir_opt %s --load-pass-plugin=%tensorlang_plugin --irdl-file=%irdl_file --pass-pipeline="builtin.module(convert-tensorlang-to-linalg)" | FileCheck %s

// CHECK-LABEL: func.func @scale
// CHECK: linalg.mul ins(%arg0, %arg1 : tensor<8xf64>, tensor<8xf64>)
// CHECK: linalg.generic
// CHECK: arith.maximumf
// CHECK-NOT: tensorlang.
func.func @scale(%x: tensor<8xf64>, %w: tensor<8xf64>) -> tensor<8xf64> {
  %0 = "tensorlang.mul"(%x, %w) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  %1 = "tensorlang.relu"(%0) : (tensor<8xf64>) -> tensor<8xf64>
  return %1 : tensor<8xf64>
}
