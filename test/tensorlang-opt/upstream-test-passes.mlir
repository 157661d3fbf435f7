// Upstream's test passes and test dialect are registered, as in mlir-opt, so upstream tests
// that use them run with tensorlang-opt.
// RUN: tensorlang-opt %s -test-cf-assert -test-lower-to-llvm | FileCheck %s

// -test-cf-assert makes a failed assert print its message and go on.
// CHECK-LABEL: llvm.func @checked
// CHECK: llvm.cond_br %arg0
// CHECK: llvm.call @puts
func.func @checked(%ok: i1) {
  cf.assert %ok, "must hold"
  return
}

// The test dialect's op parses, and its folder replaces it by its operand.
// CHECK-LABEL: llvm.func @uses_test_dialect
// CHECK-NEXT: %[[C:.*]] = llvm.mlir.constant(1 : i32) : i32
// CHECK-NEXT: llvm.return %[[C]] : i32
func.func @uses_test_dialect() -> i32 {
  %c = arith.constant 1 : i32
  %r = "test.op_with_variadic_results_and_folder"(%c) : (i32) -> i32
  return %r : i32
}
