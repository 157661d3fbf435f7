// An out-of-bounds load is caught before it reads memory, at the load.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --then=after -shared-libs=%mlir_c_runner_utils 2>&1 | FileCheck %s

// CHECK: {{.*}}bounds.mlir:[[@LINE+6]]:8: error: out-of-bounds access
// CHECK-NEXT: note: in function 'main' called as 'main'
// CHECK-NEXT: 1
func.func @main() {
  %buffer = memref.alloca() : memref<4xf32>
  %i = arith.constant 4 : index
  %x = memref.load %buffer[%i] : memref<4xf32>
  vector.print %x : f32
  return
}

func.func @after() {
  %one = arith.constant 1 : i32
  vector.print %one : i32
  return
}
