// `tensorlang.print` of a tensor calls a private helper per tensor type (added once), which
// prints the type and the values with `vector.print` (no buffer address); a scalar is printed
// with `vector.print` directly.
// RUN: tensorlang-opt %s --convert-tensorlang-to-linalg | FileCheck %s

// CHECK-DAG: func.func private @__tensorlang_print_3xf32(%arg0: tensor<3xf32>)
// CHECK-DAG: func.func private @__tensorlang_print_2x2xf32(%arg0: tensor<2x2xf32>)
// CHECK-DAG: vector.print str "tensor<2x2xf32> "
// CHECK-DAG: tensor.extract %arg0[%{{.*}}, %{{.*}}] : tensor<2x2xf32>
// CHECK-LABEL: func.func @print
// CHECK: call @__tensorlang_print_2x2xf32(%arg0) : (tensor<2x2xf32>) -> ()
// CHECK: call @__tensorlang_print_3xf32(%arg1) : (tensor<3xf32>) -> ()
// CHECK: call @__tensorlang_print_2x2xf32(%arg0) : (tensor<2x2xf32>) -> ()
// CHECK: vector.print %arg2 : i32
func.func @print(%t: tensor<2x2xf32>, %u: tensor<3xf32>, %s: i32) {
  "tensorlang.print"(%t) : (tensor<2x2xf32>) -> ()
  "tensorlang.print"(%u) : (tensor<3xf32>) -> ()
  "tensorlang.print"(%t) : (tensor<2x2xf32>) -> ()
  "tensorlang.print"(%s) : (i32) -> ()
  return
}
