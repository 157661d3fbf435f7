// @count_nondecreasing counts the adjacent pairs a[i] <= a[i+1] of a dynamic view; @main checks two tables.
// Bug: the loop runs to memref.dim instead of one less, so a[i + 1] is read one past the end.
memref.global "private" constant @week : memref<8xi32> = dense<[3, 3, 5, 2, 8, 8, 9, -1]>
memref.global "private" constant @short : memref<5xi32> = dense<[10, 20, 15, 15, -4]>

func.func @count_nondecreasing(%a: memref<?xi32>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0 : i32
  %one = arith.constant 1 : i32
  %n = memref.dim %a, %c0 : memref<?xi32>
  %count = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (i32) {
    %j = arith.addi %i, %c1 : index
    %x = memref.load %a[%i] : memref<?xi32>
    %y = memref.load %a[%j] : memref<?xi32>
    %le = arith.cmpi sle, %x, %y : i32
    %inc = arith.select %le, %one, %zero : i32
    %next = arith.addi %acc, %inc : i32
    scf.yield %next : i32
  }
  return %count : i32
}

func.func @main() {
  %g1 = memref.get_global @week : memref<8xi32>
  %g2 = memref.get_global @short : memref<5xi32>
  %a1 = memref.cast %g1 : memref<8xi32> to memref<?xi32>
  %a2 = memref.cast %g2 : memref<5xi32> to memref<?xi32>
  %r1 = call @count_nondecreasing(%a1) : (memref<?xi32>) -> i32
  %r2 = call @count_nondecreasing(%a2) : (memref<?xi32>) -> i32
  %five = arith.constant 5 : i32
  %two = arith.constant 2 : i32
  %ok1 = arith.cmpi eq, %r1, %five : i32
  cf.assert %ok1, "week has 5 non-decreasing steps"
  %ok2 = arith.cmpi eq, %r2, %two : i32
  cf.assert %ok2, "short has 2 non-decreasing steps"
  vector.print %r1 : i32
  return
}
