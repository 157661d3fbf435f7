// The one-operand math ops, compare, select and broadcast, lowered by tensorlang-to-llvm and run by
// upstream mlir-runner.
// RUN: tensorlang-opt %s --tensorlang-to-llvm | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%tensorlang_checks | FileCheck %s

// CHECK: {{^}}tensor<3xf32> ( 7.38906, 1, 2.71828 ){{$}}
// CHECK-NEXT: {{^}}tensor<3xf32> ( 2, 3, 0.5 ){{$}}
// CHECK-NEXT: {{^}}tensor<3xf32> ( 1, 0, 4 ){{$}}
// CHECK-NEXT: {{^}}tensor<3xf32> ( 1, -0, -4 ){{$}}
// CHECK-NEXT: {{^}}tensor<3xf32> ( 2, 0, 1 ){{$}}
// CHECK-NEXT: {{^}}tensor<3xf32> ( 0.964028, 0, 0.761594 ){{$}}
// CHECK-NEXT: {{^}}tensor<3xf32> ( 2, 0, 4 ){{$}}
// CHECK-NEXT: {{^}}tensor<2xi32> ( 5, 7 ){{$}}
// CHECK-NEXT: {{^}}tensor<2xi32> ( -5, 7 ){{$}}
// CHECK-NEXT: {{^}}tensor<2x3xf32> ( ( 2, 0, 1 ), ( 2, 0, 1 ) ){{$}}
// CHECK-NEXT: {{^}}tensor<2x2xf32> ( ( 0.5, 0.5 ), ( 0.5, 0.5 ) ){{$}}
func.func @main() {
  %a = "tensorlang.constant"() {value = dense<[-1.0, 0.0, 4.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %b = "tensorlang.constant"() {value = dense<[2.0, 0.0, 1.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %e = "tensorlang.exp"(%b) : (tensor<3xf32>) -> tensor<3xf32>
  "tensorlang.print"(%e) : (tensor<3xf32>) -> ()
  %four = "tensorlang.constant"() {value = dense<[4.0, 9.0, 0.25]> : tensor<3xf32>} : () -> tensor<3xf32>
  %s = "tensorlang.sqrt"(%four) : (tensor<3xf32>) -> tensor<3xf32>
  "tensorlang.print"(%s) : (tensor<3xf32>) -> ()
  %ab = "tensorlang.abs"(%a) : (tensor<3xf32>) -> tensor<3xf32>
  "tensorlang.print"(%ab) : (tensor<3xf32>) -> ()
  %n = "tensorlang.neg"(%a) : (tensor<3xf32>) -> tensor<3xf32>
  "tensorlang.print"(%n) : (tensor<3xf32>) -> ()
  %t = "tensorlang.tanh"(%b) : (tensor<3xf32>) -> tensor<3xf32>
  %l = "tensorlang.log"(%e) : (tensor<3xf32>) -> tensor<3xf32>
  "tensorlang.print"(%l) : (tensor<3xf32>) -> ()
  "tensorlang.print"(%t) : (tensor<3xf32>) -> ()
  %z = "tensorlang.compare"(%b, %a) {predicate = "gt"} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  %sel = "tensorlang.select"(%z, %b, %a) : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  "tensorlang.print"(%sel) : (tensor<3xf32>) -> ()
  %i = "tensorlang.constant"() {value = dense<[5, -7]> : tensor<2xi32>} : () -> tensor<2xi32>
  %ai = "tensorlang.abs"(%i) : (tensor<2xi32>) -> tensor<2xi32>
  %ni = "tensorlang.neg"(%i) : (tensor<2xi32>) -> tensor<2xi32>
  "tensorlang.print"(%ai) : (tensor<2xi32>) -> ()
  "tensorlang.print"(%ni) : (tensor<2xi32>) -> ()
  %row = "tensorlang.broadcast"(%b) : (tensor<3xf32>) -> tensor<2x3xf32>
  "tensorlang.print"(%row) : (tensor<2x3xf32>) -> ()
  %half = arith.constant 0.5 : f32
  %h = "tensorlang.broadcast"(%half) : (f32) -> tensor<2x2xf32>
  "tensorlang.print"(%h) : (tensor<2x2xf32>) -> ()
  return
}
