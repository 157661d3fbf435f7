// @lower_bound: binary search for the first position whose key is >= the probe, in a sorted constant table.
// Bug: the search range starts at 1 instead of 0, so the first key can never be found.
memref.global "private" constant @keys : memref<8xi32> = dense<[1, 3, 3, 5, 8, 13, 21, 34]>

func.func @lower_bound(%a: memref<?xi32>, %key: i32) -> index {
  %lo0 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xi32>
  %r:2 = scf.while (%lo = %lo0, %hi = %n) : (index, index) -> (index, index) {
    %more = arith.cmpi ult, %lo, %hi : index
    scf.condition(%more) %lo, %hi : index, index
  } do {
  ^bb0(%l: index, %h: index):
    %sum = arith.addi %l, %h : index
    %mid = arith.shrui %sum, %c1 : index
    %v = memref.load %a[%mid] : memref<?xi32>
    %below = arith.cmpi slt, %v, %key : i32
    %next = arith.addi %mid, %c1 : index
    %nl = arith.select %below, %next, %l : index
    %nh = arith.select %below, %h, %mid : index
    scf.yield %nl, %nh : index, index
  }
  return %r#0 : index
}

func.func @main() {
  %g = memref.get_global @keys : memref<8xi32>
  %a = memref.cast %g : memref<8xi32> to memref<?xi32>
  %k1 = arith.constant 1 : i32
  %k3 = arith.constant 3 : i32
  %k13 = arith.constant 13 : i32
  %k40 = arith.constant 40 : i32
  %p1 = call @lower_bound(%a, %k1) : (memref<?xi32>, i32) -> index
  %p3 = call @lower_bound(%a, %k3) : (memref<?xi32>, i32) -> index
  %p13 = call @lower_bound(%a, %k13) : (memref<?xi32>, i32) -> index
  %p40 = call @lower_bound(%a, %k40) : (memref<?xi32>, i32) -> index
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c8 = arith.constant 8 : index
  %ok1 = arith.cmpi eq, %p1, %c0 : index
  cf.assert %ok1, "the smallest key, 1, is at index 0"
  %ok3 = arith.cmpi eq, %p3, %c1 : index
  cf.assert %ok3, "the first 3 is at index 1"
  %ok13 = arith.cmpi eq, %p13, %c5 : index
  cf.assert %ok13, "13 is at index 5"
  %ok40 = arith.cmpi eq, %p40, %c8 : index
  cf.assert %ok40, "40 would go at the end, index 8"
  vector.print %p13 : index
  return
}
