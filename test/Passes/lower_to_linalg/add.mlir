// `tensorlang.add` becomes `linalg.add` into a fresh `tensor.empty`, with `arith.addf` for floats and `arith.addi` for integers (named ops print without their bodies; test/Passes/pipeline runs them).
// RUN: tensorlang-opt %s --convert-tensorlang-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @add_f32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK: %[[R:.*]] = linalg.add ins(%arg0, %arg1 : tensor<2x3xf32>, tensor<2x3xf32>) outs(%[[E]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: return %[[R]]
func.func @add_f32(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "tensorlang.add"(%a, %b) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @add_i32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4xi32>
// CHECK: linalg.add ins(%arg0, %arg1 : tensor<4xi32>, tensor<4xi32>) outs(%[[E]] : tensor<4xi32>)
// CHECK-NOT: tensorlang.
func.func @add_i32(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = "tensorlang.add"(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
