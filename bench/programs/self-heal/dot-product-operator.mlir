// Dot product of two constant vectors over dynamic views; @sum_squares reuses it as dot(a, a).
// Bug: the per-element product is computed with 'arith.addi' instead of 'arith.muli'.
memref.global "private" constant @u : memref<8xi32> = dense<[1, 2, 3, 4, 5, 6, 7, 8]>
memref.global "private" constant @v : memref<8xi32> = dense<[2, -1, 0, 3, 1, -2, 4, 1]>

func.func @dot(%a: memref<?xi32>, %b: memref<?xi32>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xi32>
  %zero = arith.constant 0 : i32
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (i32) {
    %x = memref.load %a[%i] : memref<?xi32>
    %y = memref.load %b[%i] : memref<?xi32>
    %p = arith.addi %x, %y : i32
    %next = arith.addi %acc, %p : i32
    scf.yield %next : i32
  }
  return %s : i32
}

func.func @sum_squares(%a: memref<?xi32>) -> i32 {
  %s = call @dot(%a, %a) : (memref<?xi32>, memref<?xi32>) -> i32
  return %s : i32
}

func.func @main() {
  %gu = memref.get_global @u : memref<8xi32>
  %gv = memref.get_global @v : memref<8xi32>
  %u = memref.cast %gu : memref<8xi32> to memref<?xi32>
  %v = memref.cast %gv : memref<8xi32> to memref<?xi32>
  %d = call @dot(%u, %v) : (memref<?xi32>, memref<?xi32>) -> i32
  %q = call @sum_squares(%u) : (memref<?xi32>) -> i32
  %e1 = arith.constant 41 : i32
  %e2 = arith.constant 204 : i32
  %ok1 = arith.cmpi eq, %d, %e1 : i32
  cf.assert %ok1, "u . v is 41"
  %ok2 = arith.cmpi eq, %q, %e2 : i32
  cf.assert %ok2, "u . u is 204"
  vector.print %d : i32
  return
}
