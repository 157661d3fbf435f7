// --self-heal on plain upstream MLIR: @sum4 reads past its buffer; the runtime restores the
// buffer, repairs @sum4 with a symbolic strategy, verifies it in a forked trial, swaps it in and
// the call runs again: main goes on and prints the right sum.
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=symbolic --heal-cache=none 2>&1 | FileCheck %s

// CHECK: symbolic.mlir:[[@LINE+12]]:10: error: out-of-bounds access
// CHECK-NEXT: note: in function 'sum4' called as 'sum4'
// CHECK-NEXT: note: self-heal: attempt 1 of 3: restored 0 bytes the call changed (of 16 saved); repairing
// CHECK-NEXT: symbolic.mlir:[[@LINE+3]]:1: remark: self-heal: repaired 'sum4' (symbolic strategy change-constant: use 4 instead of 5 at {{.*}}); verified: in a forked copy of the running program, the failed call and the rest of the run passed every check, and so did a run of the entry point from the start ({{[0-9]+}} candidates tried); swapped in, 'sum4' resumed {{.*}} ms after the failure
// CHECK-NEXT: {{^}}6{{$}}
// CHECK-NOT: error
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
  vector.print %s : i32
  return
}
