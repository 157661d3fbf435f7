// @mean_first averages the first k scores of a constant table via the helper @sum_first; the mean of no scores is 0.
// Bug: the division by k is not guarded, so @mean_first(scores, 0) divides by zero.
memref.global "private" constant @scores : memref<8xi32> = dense<[70, 85, 90, 55, 100, 65, 80, 75]>

func.func @sum_first(%a: memref<?xi32>, %k: index) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0 : i32
  %s = scf.for %i = %c0 to %k step %c1 iter_args(%acc = %zero) -> (i32) {
    %v = memref.load %a[%i] : memref<?xi32>
    %next = arith.addi %acc, %v : i32
    scf.yield %next : i32
  }
  return %s : i32
}

func.func @mean_first(%a: memref<?xi32>, %k: index) -> i32 {
  %s = call @sum_first(%a, %k) : (memref<?xi32>, index) -> i32
  %n = arith.index_cast %k : index to i32
  %m = arith.divsi %s, %n : i32
  return %m : i32
}

func.func @main() {
  %g = memref.get_global @scores : memref<8xi32>
  %a = memref.cast %g : memref<8xi32> to memref<?xi32>
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %n = memref.dim %a, %c0 : memref<?xi32>
  %m4 = call @mean_first(%a, %c4) : (memref<?xi32>, index) -> i32
  %m8 = call @mean_first(%a, %n) : (memref<?xi32>, index) -> i32
  %m0 = call @mean_first(%a, %c0) : (memref<?xi32>, index) -> i32
  %e4 = arith.constant 75 : i32
  %e8 = arith.constant 77 : i32
  %e0 = arith.constant 0 : i32
  %ok4 = arith.cmpi eq, %m4, %e4 : i32
  cf.assert %ok4, "the mean of the first 4 scores is 75"
  %ok8 = arith.cmpi eq, %m8, %e8 : i32
  cf.assert %ok8, "the mean of all 8 scores is 77 (rounded down)"
  %ok0 = arith.cmpi eq, %m0, %e0 : i32
  cf.assert %ok0, "the mean of no scores is 0"
  vector.print %m8 : i32
  return
}
