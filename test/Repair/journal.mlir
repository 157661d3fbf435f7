// A repair search journals every verdict; killed and resumed, it runs no candidate twice.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: rm -f %t.journal
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic journal=%t.journal" -o /dev/null 2>&1 | FileCheck %s --check-prefix=FIRST
// RUN: count 3 < %t.journal
// A kill while the third verdict was being written: two whole lines and part of a third.
// RUN: head -n 2 %t.journal > %t.cut
// RUN: printf '{"key":"0123' >> %t.cut
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=none sources=symbolic journal=%t.cut resume=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=RESUMED
// RUN: count 3 < %t.cut

// FIRST: remark: neuro-repair: repaired 'sum4' {{.*}} (3 candidates tried)
// RESUMED: remark: neuro-repair: repaired 'sum4' {{.*}} (1 candidates tried, and 2 the journaled run had rejected were not run again)

func.func @sum4(%buf: memref<4xi32>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %zero = arith.constant 0 : i32
  %s = scf.for %i = %c0 to %c5 step %c1 iter_args(%acc = %zero) -> (i32) {
    %v = memref.load %buf[%i] : memref<4xi32>
    %n = arith.addi %acc, %v : i32
    scf.yield %n : i32
  }
  return %s : i32
}
func.func @main() {
  %buf = memref.alloca() : memref<4xi32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %v = arith.index_cast %i : index to i32
    memref.store %v, %buf[%i] : memref<4xi32>
  }
  %s = func.call @sum4(%buf) : (memref<4xi32>) -> i32
  %six = arith.constant 6 : i32
  %ok = arith.cmpi eq, %s, %six : i32
  cf.assert %ok, "0 + 1 + 2 + 3 is 6"
  return
}
