// A variant computes what the original does for every call, not only for the inputs it was
// checked on: here C is A, so the naive loops read entries they have already written, and the
// optimized run must print exactly what the plain run prints (the variant takes the original's
// loops when C overlaps A or B).
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%mlir_runner_utils > %t.plain
// RUN: rm -rf %t.cache && env NEUROJIT_CACHE_DIR=%t.cache tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%mlir_runner_utils --optimize --optimize-first 2>%t.err > %t.optimized
// The first line names the buffer's address, which differs from run to run.
// RUN: tail -n +2 %t.plain > %t.plain.data
// RUN: tail -n +2 %t.optimized > %t.optimized.data
// RUN: diff %t.plain.data %t.optimized.data
// RUN: FileCheck %s < %t.err

// CHECK: remark: optimize: 'sq' (32x32x32): {{.*}} with variant

func.func @sq(%A: memref<32x32xf32>, %B: memref<32x32xf32>, %C: memref<32x32xf32>) {
  linalg.matmul ins(%A, %B : memref<32x32xf32>, memref<32x32xf32>)
                outs(%C : memref<32x32xf32>)
  return
}

func.func private @printMemrefF32(memref<*xf32>) attributes { llvm.emit_c_interface }

func.func @main() {
  %X = memref.alloc() : memref<32x32xf32>
  %Y = memref.alloc() : memref<32x32xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c3 = arith.constant 3 : index
  scf.for %i = %c0 to %c32 step %c1 {
    scf.for %j = %c0 to %c32 step %c1 {
      %s = arith.addi %i, %j : index
      %r = arith.remui %s, %c3 : index
      %ri = arith.index_cast %r : index to i32
      %f = arith.sitofp %ri : i32 to f32
      memref.store %f, %X[%i, %j] : memref<32x32xf32>
      memref.store %f, %Y[%j, %i] : memref<32x32xf32>
    }
  }
  // C is A.
  func.call @sq(%X, %Y, %X) : (memref<32x32xf32>, memref<32x32xf32>, memref<32x32xf32>) -> ()
  %U = memref.cast %X : memref<32x32xf32> to memref<*xf32>
  func.call @printMemrefF32(%U) : (memref<*xf32>) -> ()
  memref.dealloc %X : memref<32x32xf32>
  memref.dealloc %Y : memref<32x32xf32>
  return
}
