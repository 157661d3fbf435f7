// `tensorlang.relu` becomes a `linalg.generic` taking the maximum with zero.
// RUN: tensorlang-opt %s --convert-tensorlang-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @relu
// CHECK: linalg.generic {indexing_maps = [#[[MAP:.*]], #[[MAP]]], iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<4x4xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[MAX:.*]] = arith.maximumf %{{.*}}, %[[ZERO]] : f32
// CHECK: linalg.yield %[[MAX]] : f32
func.func @relu(%a: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = "tensorlang.relu"(%a) : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// CHECK-LABEL: func.func @relu_i64
// CHECK: arith.maxsi
func.func @relu_i64(%a: tensor<3xi64>) -> tensor<3xi64> {
  %0 = "tensorlang.relu"(%a) : (tensor<3xi64>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}
