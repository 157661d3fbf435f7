// The stencil of stencil.mlir on a grid whose size the kernel does not know (memref<?x?xf32>):
// range analysis cannot prove i+1 < dim, so the bounds checks stay in the inner loop. Shows what
// checks cost when they cannot be removed.
// Prints the seconds each of 30 calls of @kernel took, then a checksum.
func.func private @rtclock() -> f64

func.func @kernel(%in: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %in, %c0 : memref<?x?xf32>
  %cols = memref.dim %in, %c1 : memref<?x?xf32>
  %last_row = arith.subi %rows, %c1 : index
  %last_col = arith.subi %cols, %c1 : index
  %quarter = arith.constant 0.25 : f32
  scf.for %i = %c1 to %last_row step %c1 {
    %up = arith.subi %i, %c1 : index
    %down = arith.addi %i, %c1 : index
    scf.for %j = %c1 to %last_col step %c1 {
      %left = arith.subi %j, %c1 : index
      %right = arith.addi %j, %c1 : index
      %n = memref.load %in[%up, %j] : memref<?x?xf32>
      %s = memref.load %in[%down, %j] : memref<?x?xf32>
      %w = memref.load %in[%i, %left] : memref<?x?xf32>
      %e = memref.load %in[%i, %right] : memref<?x?xf32>
      %ns = arith.addf %n, %s : f32
      %we = arith.addf %w, %e : f32
      %sum = arith.addf %ns, %we : f32
      %avg = arith.mulf %sum, %quarter : f32
      memref.store %avg, %out[%i, %j] : memref<?x?xf32>
    }
  }
  return
}

func.func @main() {
  %in = memref.alloc() : memref<2048x2048xf32>
  %out = memref.alloc() : memref<2048x2048xf32>
  %v = arith.constant 2.0 : f32
  linalg.fill ins(%v : f32) outs(%in : memref<2048x2048xf32>)
  linalg.fill ins(%v : f32) outs(%out : memref<2048x2048xf32>)
  %din = memref.cast %in : memref<2048x2048xf32> to memref<?x?xf32>
  %dout = memref.cast %out : memref<2048x2048xf32> to memref<?x?xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %reps = arith.constant 30 : index
  scf.for %r = %c0 to %reps step %c1 {
    %t0 = func.call @rtclock() : () -> f64
    func.call @kernel(%din, %dout) : (memref<?x?xf32>, memref<?x?xf32>) -> ()
    %t1 = func.call @rtclock() : () -> f64
    %dt = arith.subf %t1, %t0 : f64
    vector.print %dt : f64
  }
  // The output is read, so the optimizer cannot drop the sweeps.
  %c5 = arith.constant 5 : index
  %probe = memref.load %out[%c5, %c5] : memref<2048x2048xf32>
  vector.print %probe : f32
  memref.dealloc %in : memref<2048x2048xf32>
  memref.dealloc %out : memref<2048x2048xf32>
  return
}
