// A hardware division by zero (SIGFPE) in uninstrumented code is caught and survived.
// RUN: not tensorlang-run %s -O0 -e main -entry-point-result=void --then=after -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s

// CHECK: {{.*}}sigfpe.mlir:[[@LINE+4]]:1: error: arithmetic exception (integer division by zero or overflow)
// CHECK-NEXT: note: in function 'divide' called as 'main'
// CHECK-NEXT: 1
llvm.func @printI64(i64)
llvm.func @divide(%a: i64, %b: i64) -> i64 {
  %q = llvm.sdiv %a, %b : i64
  llvm.return %q : i64
}

llvm.func @main() {
  %seven = llvm.mlir.constant(7 : i64) : i64
  %zero = llvm.mlir.constant(0 : i64) : i64
  %q = llvm.call @divide(%seven, %zero) : (i64, i64) -> i64
  llvm.call @printI64(%q) : (i64) -> ()
  llvm.return
}

llvm.func @after() {
  %one = llvm.mlir.constant(1 : i64) : i64
  llvm.call @printI64(%one) : (i64) -> ()
  llvm.return
}
