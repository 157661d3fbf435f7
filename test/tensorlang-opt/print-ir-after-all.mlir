// Upstream's IR printing flags work with our passes in a pipeline.
// RUN: tensorlang-opt %s --pass-pipeline="builtin.module(tensorlang-verify,convert-tensorlang-to-linalg)" --mlir-print-ir-after-all 2>&1 | FileCheck %s

// CHECK: IR Dump After TensorLangVerify (tensorlang-verify)
// CHECK: "tensorlang.relu"
// CHECK: IR Dump After ConvertTensorLangToLinalg (convert-tensorlang-to-linalg)
// CHECK: linalg.generic
func.func @relu(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "tensorlang.relu"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
