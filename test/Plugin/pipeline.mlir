// Through the plugin, upstream mlir-opt runs the whole tensorlang-to-llvm pipeline; upstream
// mlir-runner executes the result.
// RUN: %upstream_mlir_opt %s --load-pass-plugin=%tensorlang_plugin --irdl-file=%irdl_file --pass-pipeline="builtin.module(tensorlang-to-llvm)" | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils,%tensorlang_checks | FileCheck %s

// CHECK: {{^}}tensor<2xf32> ( 6, 15 ){{$}}
func.func @main() {
  %a = "tensorlang.constant"() {value = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
  %s = "tensorlang.reduce"(%a) {kind = "sum", axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  "tensorlang.print"(%s) : (tensor<2xf32>) -> ()
  return
}
