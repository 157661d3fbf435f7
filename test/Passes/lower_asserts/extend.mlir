// Lowering again (e.g. after more code was added) keeps the ids already given and appends.
// RUN: tensorlang-opt %s --tensorlang-lower-asserts | FileCheck %s

// CHECK: @__tensorlang_checks("tensorlang-checks 1\0A0\09assert\09old.mlir:1:1\09assertion failed: old\0A1\09assert\09{{.*}}extend.mlir:[[@LINE+8]]:3\09assertion failed: new\0A\00")
// CHECK-NOT: @__tensorlang_checks
// CHECK-LABEL: func.func @f
// CHECK: arith.constant 1 : i64
llvm.mlir.global internal constant @__tensorlang_checks("tensorlang-checks 1\0A0\09assert\09old.mlir:1:1\09assertion failed: old\0A\00") {addr_space = 0 : i32}
func.func private @__tensorlang_assert_fail(i64, !llvm.ptr)

func.func @f(%ok: i1) {
  cf.assert %ok, "new"
  return
}
