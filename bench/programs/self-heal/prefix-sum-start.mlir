// Inclusive prefix sums of a constant table, over dynamic views, into an output buffer.
// Bug: the loop starts at 0 instead of 1, so out[i - 1] is read at i = 0 (out of bounds).
memref.global "private" constant @data : memref<8xi32> = dense<[3, 1, 4, 1, 5, 9, 2, 6]>

func.func @prefix_sum(%a: memref<?xi32>, %out: memref<?xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xi32>
  %first = memref.load %a[%c0] : memref<?xi32>
  memref.store %first, %out[%c0] : memref<?xi32>
  %start = arith.constant 0 : index
  scf.for %i = %start to %n step %c1 {
    %p = arith.subi %i, %c1 : index
    %prev = memref.load %out[%p] : memref<?xi32>
    %v = memref.load %a[%i] : memref<?xi32>
    %s = arith.addi %prev, %v : i32
    memref.store %s, %out[%i] : memref<?xi32>
  }
  return
}

func.func @main() {
  %g = memref.get_global @data : memref<8xi32>
  %a = memref.cast %g : memref<8xi32> to memref<?xi32>
  %o = memref.alloca() : memref<8xi32>
  %out = memref.cast %o : memref<8xi32> to memref<?xi32>
  call @prefix_sum(%a, %out) : (memref<?xi32>, memref<?xi32>) -> ()
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c7 = arith.constant 7 : index
  %p0 = memref.load %o[%c0] : memref<8xi32>
  %p3 = memref.load %o[%c3] : memref<8xi32>
  %p7 = memref.load %o[%c7] : memref<8xi32>
  %e0 = arith.constant 3 : i32
  %e3 = arith.constant 9 : i32
  %e7 = arith.constant 31 : i32
  %ok0 = arith.cmpi eq, %p0, %e0 : i32
  cf.assert %ok0, "prefix[0] is 3"
  %ok3 = arith.cmpi eq, %p3, %e3 : i32
  cf.assert %ok3, "prefix[3] is 3 + 1 + 4 + 1 = 9"
  %ok7 = arith.cmpi eq, %p7, %e7 : i32
  cf.assert %ok7, "prefix[7] is the total, 31"
  vector.print %p7 : i32
  return
}
