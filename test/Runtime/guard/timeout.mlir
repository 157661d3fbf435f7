// --timeout interrupts a loop that never ends; the next call works.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --timeout=200ms --then=after -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s

// CHECK: {{.*}}timeout.mlir:[[@LINE+4]]:1: error: time limit of 200 ms exceeded
// CHECK-NEXT: note: in function 'spin' called as 'main'
// CHECK-NEXT: 1
llvm.func @printI64(i64)
llvm.func @spin(%p: !llvm.ptr) {
  llvm.br ^loop
^loop:
  %v = llvm.load volatile %p : !llvm.ptr -> i64
  %one = llvm.mlir.constant(1 : i64) : i64
  %w = llvm.add %v, %one : i64
  llvm.store volatile %w, %p : i64, !llvm.ptr
  llvm.br ^loop
}

llvm.func @main() {
  %one = llvm.mlir.constant(1 : i64) : i64
  %cell = llvm.alloca %one x i64 : (i64) -> !llvm.ptr
  llvm.call @spin(%cell) : (!llvm.ptr) -> ()
  llvm.return
}

llvm.func @after() {
  %one = llvm.mlir.constant(1 : i64) : i64
  llvm.call @printI64(%one) : (i64) -> ()
  llvm.return
}
