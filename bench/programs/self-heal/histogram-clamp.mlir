// Histogram of constant readings into buckets of width 5; readings past the last bucket count in it.
// Bug: the bucket index is used unclamped, so the reading 30 (bucket 6 of 4) is stored out of bounds.
memref.global "private" constant @readings : memref<8xi32> = dense<[0, 3, 7, 12, 5, 19, 2, 30]>

func.func @histogram(%data: memref<?xi32>, %hist: memref<?xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %width = arith.constant 5 : i32
  %one = arith.constant 1 : i32
  %n = memref.dim %data, %c0 : memref<?xi32>
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %data[%i] : memref<?xi32>
    %q = arith.divsi %v, %width : i32
    %b = arith.index_cast %q : i32 to index
    %old = memref.load %hist[%b] : memref<?xi32>
    %new = arith.addi %old, %one : i32
    memref.store %new, %hist[%b] : memref<?xi32>
  }
  return
}

func.func @main() {
  %g = memref.get_global @readings : memref<8xi32>
  %data = memref.cast %g : memref<8xi32> to memref<?xi32>
  %h = memref.alloca() : memref<4xi32>
  %zero = arith.constant 0 : i32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %zero, %h[%i] : memref<4xi32>
  }
  %hist = memref.cast %h : memref<4xi32> to memref<?xi32>
  call @histogram(%data, %hist) : (memref<?xi32>, memref<?xi32>) -> ()
  %h0 = memref.load %h[%c0] : memref<4xi32>
  %h2 = memref.load %h[%c2] : memref<4xi32>
  %h3 = memref.load %h[%c3] : memref<4xi32>
  %three = arith.constant 3 : i32
  %one = arith.constant 1 : i32
  %two = arith.constant 2 : i32
  %ok0 = arith.cmpi eq, %h0, %three : i32
  cf.assert %ok0, "0, 3 and 2 fall in bucket 0"
  %ok2 = arith.cmpi eq, %h2, %one : i32
  cf.assert %ok2, "12 falls in bucket 2"
  %ok3 = arith.cmpi eq, %h3, %two : i32
  cf.assert %ok3, "19 and 30 (clamped) fall in the last bucket"
  vector.print %h3 : i32
  return
}
