// The function as the user wrote it: @scale reads %in and writes %out.
func.func @scale(%in: memref<4xi32>, %out: memref<4xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %in[%i] : memref<4xi32>
    %d = arith.addi %v, %v : i32
    memref.store %d, %out[%i] : memref<4xi32>
  }
  return
}
func.func @main() {
  return
}
