// A user cf.assert becomes a call of the runtime with its id; the table names its location.
// RUN: tensorlang-opt %s --tensorlang-lower-asserts | FileCheck %s

// CHECK: llvm.mlir.global internal constant @__tensorlang_checks("tensorlang-checks 1\0A0\09assert\09{{.*}}assert.mlir:[[@LINE+13]]:3\09assertion failed: speed too high\0A\00")
// CHECK: func.func private @__tensorlang_assert_fail(i64, !llvm.ptr)

// CHECK-LABEL: func.func @land
// CHECK-NEXT: scf.if %arg0 {
// CHECK-NEXT: } else {
// CHECK-NEXT:   %[[ID:.*]] = arith.constant 0 : i64
// CHECK-NEXT:   %[[TABLE:.*]] = llvm.mlir.addressof @__tensorlang_checks : !llvm.ptr
// CHECK-NEXT:   func.call @__tensorlang_assert_fail(%[[ID]], %[[TABLE]]) : (i64, !llvm.ptr) -> ()
// CHECK-NEXT: }
// CHECK-NOT: cf.assert
// CHECK: return
func.func @land(%ok: i1) {
  cf.assert %ok, "speed too high"
  return
}
