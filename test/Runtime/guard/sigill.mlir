// A trap instruction (SIGILL) is caught and survived.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --then=after -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s

// CHECK: {{.*}}sigill.mlir:[[@LINE+4]]:1: error: illegal instruction (a trap or unreachable code)
// CHECK-NEXT: note: in function 'main' called as 'main'
// CHECK-NEXT: 1
llvm.func @printI64(i64)
llvm.func @main() {
  "llvm.intr.trap"() : () -> ()
  llvm.return
}

llvm.func @after() {
  %one = llvm.mlir.constant(1 : i64) : i64
  llvm.call @printI64(%one) : (i64) -> ()
  llvm.return
}
