// Insertion sort, in place, of a copy of a constant table (each new element sinks left by swaps).
// Bug: the sinking position is computed as k - i instead of i - k (swapped operands): out of bounds.
memref.global "private" constant @unsorted : memref<8xi32> = dense<[42, -7, 19, 0, 88, 3, 19, -20]>

func.func @insertion_sort(%a: memref<?xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xi32>
  scf.for %i = %c1 to %n step %c1 {
    scf.for %k = %c0 to %i step %c1 {
      %j = arith.subi %k, %i : index
      %p = arith.subi %j, %c1 : index
      %x = memref.load %a[%p] : memref<?xi32>
      %y = memref.load %a[%j] : memref<?xi32>
      %gt = arith.cmpi sgt, %x, %y : i32
      scf.if %gt {
        memref.store %y, %a[%p] : memref<?xi32>
        memref.store %x, %a[%j] : memref<?xi32>
      }
    }
  }
  return
}

func.func @main() {
  %g = memref.get_global @unsorted : memref<8xi32>
  %buf = memref.alloc() : memref<8xi32>
  memref.copy %g, %buf : memref<8xi32> to memref<8xi32>
  %a = memref.cast %buf : memref<8xi32> to memref<?xi32>
  call @insertion_sort(%a) : (memref<?xi32>) -> ()
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c1 to %c8 step %c1 {
    %p = arith.subi %i, %c1 : index
    %x = memref.load %buf[%p] : memref<8xi32>
    %y = memref.load %buf[%i] : memref<8xi32>
    %le = arith.cmpi sle, %x, %y : i32
    cf.assert %le, "the table is sorted in ascending order"
  }
  %first = memref.load %buf[%c0] : memref<8xi32>
  %min = arith.constant -20 : i32
  %okmin = arith.cmpi eq, %first, %min : i32
  cf.assert %okmin, "the smallest value, -20, comes first"
  vector.print %first : i32
  memref.dealloc %buf : memref<8xi32>
  return
}
