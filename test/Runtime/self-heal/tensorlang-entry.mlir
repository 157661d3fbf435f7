// TensorLang heals the same way as plain upstream MLIR (self-healing is on by default for it): the
// driver's tensorlang.assert in the entry point fails on what @mean returned (it divides by 3
// instead of the 4 elements it sums); @mean is repaired and the entry runs again from the start,
// printing exactly what the fixed program prints.
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --heal-sources=symbolic --heal-cache=none 2>%t.err | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --input-file=%t.err

// OUT: {{^}}2.5{{$}}
// OUT-NOT: {{.}}

// CHECK: tensorlang-entry.mlir:[[@LINE+18]]:3: error: assertion failed: the mean of 1, 2, 3, 4 is 2.5
// CHECK-NEXT: note: in function 'main' called as 'main'
// CHECK-NEXT: note: self-heal: attempt 1 of 3: the failed check is in the entry point
// CHECK-NEXT: remark: self-heal: repaired 'mean' (symbolic strategy change-constant: use 4.000000e0 instead of 3.000000e+00
// CHECK-NOT: error
func.func @mean(%a: tensor<4xf32>) -> f32 {
  %s = "tensorlang.reduce"(%a) {kind = "sum", axis = 0 : i64} : (tensor<4xf32>) -> tensor<f32>
  %v = tensor.extract %s[] : tensor<f32>
  %n = arith.constant 3.0 : f32
  %m = arith.divf %v, %n : f32
  return %m : f32
}

func.func @main() {
  %a = "tensorlang.constant"() {value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>} : () -> tensor<4xf32>
  %m = func.call @mean(%a) : (tensor<4xf32>) -> f32
  %expected = arith.constant 2.5 : f32
  %ok = arith.cmpf oeq, %m, %expected : f32
  "tensorlang.assert"(%ok) {message = "the mean of 1, 2, 3, 4 is 2.5"} : (i1) -> ()
  "tensorlang.print"(%m) : (f32) -> ()
  return
}
