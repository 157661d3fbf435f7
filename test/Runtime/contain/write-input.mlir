// A version of @scale that also writes its input, which the function as the user wrote it
// (Inputs/scale-original.mlir) only reads: run contained, the write is a located failure and
// the input keeps its contents.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --contain=scale --contain-reference=%S/Inputs/scale-original.mlir 2>&1 | FileCheck %s

// CHECK-NOT: {{^}}99{{$}}
// CHECK: write-input.mlir:[[@LINE+9]]:5: error: a write outside the memory this call may write (contained code)
// CHECK-NOT: {{^}}99{{$}}
func.func @scale(%in: memref<4xi32>, %out: memref<4xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %bad = arith.constant 99 : i32
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %in[%i] : memref<4xi32>
    memref.store %bad, %in[%i] : memref<4xi32>
    %d = arith.addi %v, %v : i32
    memref.store %d, %out[%i] : memref<4xi32>
  }
  return
}

func.func @main() {
  %in = memref.alloca() : memref<4xi32>
  %out = memref.alloca() : memref<4xi32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %seven = arith.constant 7 : i32
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %seven, %in[%i] : memref<4xi32>
  }
  func.call @scale(%in, %out) : (memref<4xi32>, memref<4xi32>) -> ()
  %v = memref.load %in[%c0] : memref<4xi32>
  vector.print %v : i32
  return
}
