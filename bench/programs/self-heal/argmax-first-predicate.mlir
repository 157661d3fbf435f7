// @argmax returns the index and value of the FIRST largest reading of a constant table (a read-only view).
// Bug: the running comparison uses 'sge' instead of 'sgt', so later ties replace the first maximum.
memref.global "private" constant @readings : memref<8xi32> = dense<[4, 9, 2, 9, 7, 1, 9, 3]>

func.func @argmax(%a: memref<?xi32>) -> (index, i32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xi32>
  %v0 = memref.load %a[%c0] : memref<?xi32>
  %r:2 = scf.for %i = %c1 to %n step %c1 iter_args(%bi = %c0, %bv = %v0) -> (index, i32) {
    %v = memref.load %a[%i] : memref<?xi32>
    %gt = arith.cmpi sge, %v, %bv : i32
    %ni = arith.select %gt, %i, %bi : index
    %nv = arith.select %gt, %v, %bv : i32
    scf.yield %ni, %nv : index, i32
  }
  return %r#0, %r#1 : index, i32
}

func.func @main() {
  %g = memref.get_global @readings : memref<8xi32>
  %a = memref.cast %g : memref<8xi32> to memref<?xi32>
  %i, %v = call @argmax(%a) : (memref<?xi32>) -> (index, i32)
  %c1 = arith.constant 1 : index
  %nine = arith.constant 9 : i32
  %okv = arith.cmpi eq, %v, %nine : i32
  cf.assert %okv, "the largest reading is 9"
  %oki = arith.cmpi eq, %i, %c1 : index
  cf.assert %oki, "the first 9 is at index 1"
  vector.print %v : i32
  return
}
