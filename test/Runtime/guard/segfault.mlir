// A null dereference (SIGSEGV) in uninstrumented LLVM-dialect code is caught and survived.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --then=after -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s

// CHECK: {{.*}}segfault.mlir:[[@LINE+4]]:1: error: segmentation fault (invalid memory access) at address 0x0
// CHECK-NEXT: note: in function 'read' called as 'main'
// CHECK-NEXT: 1
llvm.func @printI64(i64)
llvm.func @read(%p: !llvm.ptr) -> i64 {
  %v = llvm.load volatile %p : !llvm.ptr -> i64
  llvm.return %v : i64
}

llvm.func @main() {
  %null = llvm.mlir.zero : !llvm.ptr
  %v = llvm.call @read(%null) : (!llvm.ptr) -> i64
  llvm.call @printI64(%v) : (i64) -> ()
  llvm.return
}

llvm.func @after() {
  %one = llvm.mlir.constant(1 : i64) : i64
  llvm.call @printI64(%one) : (i64) -> ()
  llvm.return
}
