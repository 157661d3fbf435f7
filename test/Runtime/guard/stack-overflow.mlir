// Recursion without end overflows the stack (SIGSEGV); the handler runs on its own stack, so it
// is caught like any fault, and the next call works.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --then=after -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s

// CHECK: error: segmentation fault (invalid memory access)
// CHECK-NEXT: note: in function 'down' called as 'main'
// CHECK-NEXT: 1
llvm.func @printI64(i64)
llvm.func @down(%n: i64) -> i64 {
  %one = llvm.mlir.constant(1 : i64) : i64
  %m = llvm.add %n, %one : i64
  %r = llvm.call @down(%m) : (i64) -> i64
  %s = llvm.add %r, %one : i64
  llvm.return %s : i64
}

llvm.func @main() {
  %zero = llvm.mlir.constant(0 : i64) : i64
  %r = llvm.call @down(%zero) : (i64) -> i64
  llvm.call @printI64(%r) : (i64) -> ()
  llvm.return
}

llvm.func @after() {
  %one = llvm.mlir.constant(1 : i64) : i64
  llvm.call @printI64(%one) : (i64) -> ()
  llvm.return
}
