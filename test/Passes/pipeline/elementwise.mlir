// Elementwise arithmetic and relu on floats and integers, run end to end.
// RUN: tensorlang-opt %s --tensorlang-to-llvm | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils,%tensorlang_checks | FileCheck %s

// CHECK: {{^}}tensor<3xf32> ( 5, -2, 9.5 ){{$}}
// CHECK-NEXT: {{^}}tensor<3xf32> ( -3, 6, -6.5 ){{$}}
// CHECK-NEXT: {{^}}tensor<3xf32> ( 4, -8, 12 ){{$}}
// CHECK-NEXT: {{^}}tensor<3xf32> ( 0.25, -0.5, 0.1875 ){{$}}
// CHECK-NEXT: {{^}}tensor<3xf32> ( 0, 2, 0 ){{$}}
// CHECK-NEXT: {{^}}tensor<3xi32> ( 3, -3, 2 ){{$}}
// CHECK-NEXT: {{^}}tensor<3xi32> ( 1, 0, 2 ){{$}}
// CHECK-NEXT: {{^}}42{{$}}
func.func @main() {
  %a = "tensorlang.constant"() {value = dense<[1.0, 2.0, 1.5]> : tensor<3xf32>} : () -> tensor<3xf32>
  %b = "tensorlang.constant"() {value = dense<[4.0, -4.0, 8.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %add = "tensorlang.add"(%a, %b) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  "tensorlang.print"(%add) : (tensor<3xf32>) -> ()
  %sub = "tensorlang.sub"(%a, %b) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  "tensorlang.print"(%sub) : (tensor<3xf32>) -> ()
  %mul = "tensorlang.mul"(%a, %b) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  "tensorlang.print"(%mul) : (tensor<3xf32>) -> ()
  %div = "tensorlang.div"(%a, %b) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  "tensorlang.print"(%div) : (tensor<3xf32>) -> ()
  %neg = "tensorlang.constant"() {value = dense<[-1.0, 2.0, -3.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %relu = "tensorlang.relu"(%neg) : (tensor<3xf32>) -> tensor<3xf32>
  "tensorlang.print"(%relu) : (tensor<3xf32>) -> ()
  %i = "tensorlang.constant"() {value = dense<[7, -7, 9]> : tensor<3xi32>} : () -> tensor<3xi32>
  %j = "tensorlang.constant"() {value = dense<[2, 2, 4]> : tensor<3xi32>} : () -> tensor<3xi32>
  %q = "tensorlang.div"(%i, %j) : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  "tensorlang.print"(%q) : (tensor<3xi32>) -> ()
  %k = "tensorlang.constant"() {value = dense<[1, -5, 2]> : tensor<3xi32>} : () -> tensor<3xi32>
  %r = "tensorlang.relu"(%k) : (tensor<3xi32>) -> tensor<3xi32>
  "tensorlang.print"(%r) : (tensor<3xi32>) -> ()
  %s = arith.constant 42 : i64
  "tensorlang.print"(%s) : (i64) -> ()
  return
}
