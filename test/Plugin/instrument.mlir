// Upstream mlir-opt runs tensorlang-instrument and tensorlang-lower-asserts from the plugin.
// RUN: %upstream_mlir_opt %s --load-pass-plugin=%tensorlang_plugin --pass-pipeline="builtin.module(tensorlang-instrument,tensorlang-lower-asserts)" | FileCheck %s

// CHECK: @__tensorlang_checks("tensorlang-checks 1\0A0\09div-by-zero
// CHECK-LABEL: func.func @ratio
// CHECK: func.call @__tensorlang_assert_fail
func.func @ratio(%a: i32, %b: i32) -> i32 {
  %q = arith.divui %a, %b : i32
  return %q : i32
}
