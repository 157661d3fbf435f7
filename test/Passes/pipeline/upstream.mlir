// Plain upstream IR (func, scf, memref, math, arith, linalg on tensors) through the same pipeline.
// RUN: tensorlang-opt %s --tensorlang-to-llvm | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils,%tensorlang_checks | FileCheck %s

// CHECK: sizes = [4]
// CHECK-NEXT: [0,  1,  1.41421,  1.73205]
// CHECK: 6
func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %buffer = memref.alloc() : memref<4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %n = arith.index_cast %i : index to i32
    %x = arith.sitofp %n : i32 to f32
    %r = math.sqrt %x : f32
    memref.store %r, %buffer[%i] : memref<4xf32>
  }
  %u = memref.cast %buffer : memref<4xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  memref.dealloc %buffer : memref<4xf32>
  %t = arith.constant dense<[1, 2, 3]> : tensor<3xi64>
  %init = arith.constant dense<0> : tensor<i64>
  %sum = linalg.reduce ins(%t : tensor<3xi64>) outs(%init : tensor<i64>) dimensions = [0]
    (%in: i64, %acc: i64) {
      %s = arith.addi %in, %acc : i64
      linalg.yield %s : i64
    }
  %v = tensor.extract %sum[] : tensor<i64>
  vector.print %v : i64
  return
}
func.func private @printMemrefF32(memref<*xf32>) attributes {llvm.emit_c_interface}
