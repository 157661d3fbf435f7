// Fibonacci by dynamic programming: @fib fills a caller-provided table (a dynamic view) up to entry n.
// Bug: each entry is computed with 'arith.subi' instead of 'arith.addi' (t[i-1] - t[i-2]).
func.func @fib(%t: memref<?xi64>, %n: index) -> i64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %f0 = arith.constant 0 : i64
  %f1 = arith.constant 1 : i64
  memref.store %f0, %t[%c0] : memref<?xi64>
  memref.store %f1, %t[%c1] : memref<?xi64>
  %end = arith.addi %n, %c1 : index
  scf.for %i = %c2 to %end step %c1 {
    %i1 = arith.subi %i, %c1 : index
    %i2 = arith.subi %i, %c2 : index
    %a = memref.load %t[%i1] : memref<?xi64>
    %b = memref.load %t[%i2] : memref<?xi64>
    %s = arith.subi %a, %b : i64
    memref.store %s, %t[%i] : memref<?xi64>
  }
  %r = memref.load %t[%n] : memref<?xi64>
  return %r : i64
}

func.func @main() {
  %buf = memref.alloca() : memref<64xi64>
  %t = memref.cast %buf : memref<64xi64> to memref<?xi64>
  %c10 = arith.constant 10 : index
  %c50 = arith.constant 50 : index
  %a = call @fib(%t, %c10) : (memref<?xi64>, index) -> i64
  %b = call @fib(%t, %c50) : (memref<?xi64>, index) -> i64
  %e10 = arith.constant 55 : i64
  %e50 = arith.constant 12586269025 : i64
  %ok1 = arith.cmpi eq, %a, %e10 : i64
  cf.assert %ok1, "fib(10) is 55"
  %ok2 = arith.cmpi eq, %b, %e50 : i64
  cf.assert %ok2, "fib(50) is 12586269025"
  vector.print %b : i64
  return
}
