// `tensorlang.mul` becomes `linalg.mul` into a fresh `tensor.empty`, with `arith.mulf` for floats and `arith.muli` for integers (named ops print without their bodies; test/Passes/pipeline runs them).
// RUN: tensorlang-opt %s --convert-tensorlang-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @mul_f32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK: %[[R:.*]] = linalg.mul ins(%arg0, %arg1 : tensor<2x3xf32>, tensor<2x3xf32>) outs(%[[E]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: return %[[R]]
func.func @mul_f32(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "tensorlang.mul"(%a, %b) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @mul_i32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4xi32>
// CHECK: linalg.mul ins(%arg0, %arg1 : tensor<4xi32>, tensor<4xi32>) outs(%[[E]] : tensor<4xi32>)
// CHECK-NOT: tensorlang.
func.func @mul_i32(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = "tensorlang.mul"(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
