// Without a failure report, --neuro-repair repairs the asserts that always fail: once @double is
// inlined into @main the assert's condition folds to false.
// RUN: tensorlang-opt %s --neuro-repair="cache=none sources=symbolic" -o %t.mlir 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: FileCheck %s --input-file=%t.mlir
// RUN: tensorlang-run %t.mlir -e main -entry-point-result=void
// A module without such an assert is left alone.
// RUN: tensorlang-opt %t.mlir --neuro-repair="cache=none" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOTHING

// REMARK: static.mlir:[[@LINE+15]]:3: remark: neuro-repair: repaired 'double' (assert: assertion failed: double(5) is 10): symbolic strategy change-constant: use 2 instead of 3
// NOTHING: remark: neuro-repair: nothing to repair (no failure reported, no assert that always fails)

// CHECK-LABEL: func.func @double
// CHECK: arith.constant 2 : i32
func.func @double(%x: i32) -> i32 {
  %k = arith.constant 3 : i32
  %d = arith.muli %x, %k : i32
  return %d : i32
}
func.func @main() {
  %c5 = arith.constant 5 : i32
  %d = func.call @double(%c5) : (i32) -> i32
  %c10 = arith.constant 10 : i32
  %ok = arith.cmpi eq, %d, %c10 : i32
  cf.assert %ok, "double(5) is 10"
  return
}
