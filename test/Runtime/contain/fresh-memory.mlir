// What contained code allocates reads as zero until written: no heap or stack contents of the
// program leak through a buffer a repair candidate allocates and reads before writing. The
// program first leaves 1234 in freed heap memory of the same size.
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --contain=peek 2>&1 | FileCheck %s

// CHECK: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NOT: 1234
func.func @peek(%out: memref<2xi64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %heap = memref.alloc() : memref<512xi64>
  %stack = memref.alloca() : memref<8xi64>
  %a = memref.load %heap[%c1] : memref<512xi64>
  %b = memref.load %stack[%c1] : memref<8xi64>
  memref.store %a, %out[%c0] : memref<2xi64>
  memref.store %b, %out[%c1] : memref<2xi64>
  return
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %old = memref.alloc() : memref<512xi64>
  %mark = arith.constant 1234 : i64
  memref.store %mark, %old[%c1] : memref<512xi64>
  memref.dealloc %old : memref<512xi64>
  %out = memref.alloca() : memref<2xi64>
  func.call @peek(%out) : (memref<2xi64>) -> ()
  %a = memref.load %out[%c0] : memref<2xi64>
  %b = memref.load %out[%c1] : memref<2xi64>
  vector.print %a : i64
  vector.print %b : i64
  return
}
