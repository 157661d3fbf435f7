// `tensorlang.reduce` becomes `linalg.reduce` from the identity of its kind: 0 for sum, -inf (floats) or the lowest integer (integers) for max.
// RUN: tensorlang-opt %s --convert-tensorlang-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @reduce_sum
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2xf32>
// CHECK: %[[I:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<2xf32>)
// CHECK: linalg.reduce ins(%arg0 : tensor<2x3xf32>) outs(%[[I]] : tensor<2xf32>) dimensions = [1]
// CHECK: arith.addf
func.func @reduce_sum(%a: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = "tensorlang.reduce"(%a) {kind = "sum", axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// CHECK-LABEL: func.func @reduce_max_f32
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: linalg.reduce ins(%arg0 : tensor<2x3xf32>)
// CHECK-SAME: dimensions = [0]
// CHECK: arith.maximumf
func.func @reduce_max_f32(%a: tensor<2x3xf32>) -> tensor<3xf32> {
  %0 = "tensorlang.reduce"(%a) {kind = "max", axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// CHECK-LABEL: func.func @reduce_max_i32
// CHECK: arith.constant -2147483648 : i32
// CHECK: linalg.reduce
// CHECK: arith.maxsi
func.func @reduce_max_i32(%a: tensor<5xi32>) -> tensor<i32> {
  %0 = "tensorlang.reduce"(%a) {kind = "max", axis = 0 : i64} : (tensor<5xi32>) -> tensor<i32>
  return %0 : tensor<i32>
}
