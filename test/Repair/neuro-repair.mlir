// --neuro-repair reads tensorlang-run's failure report and replaces the failing function with a
// verified fix: here the loop bound of @sum4 reads one element past its buffer.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: rm -f %t.cache.json %t.repairs.jsonl
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=%t.cache.json" -o %t.fixed.mlir 2>%t.err
// RUN: FileCheck %s --input-file=%t.fixed.mlir
// RUN: FileCheck %s --check-prefix=REMARK --input-file=%t.err
// The fixed program runs with every check passing.
// RUN: tensorlang-run %t.fixed.mlir -e main -entry-point-result=void
// The second time the strategy cache answers.
// RUN: tensorlang-opt %s --neuro-repair="report=%t.json cache=%t.cache.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=CACHED

// REMARK: neuro-repair.mlir:[[@LINE+12]]:10: remark: neuro-repair: repaired 'sum4' (bounds: {{.*}}): symbolic strategy change-constant: use 4 instead of 5 at {{.*}}neuro-repair.mlir:[[@LINE+9]]:9; verified: the program ran to completion with every check passing, in a sandboxed process
// CACHED: remark: neuro-repair: repaired 'sum4' {{.*}}: cache strategy change-constant

// CHECK-LABEL: func.func @sum4
// CHECK: arith.constant 4 : index
// CHECK-NOT: arith.constant 5 : index
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

// CHECK-LABEL: func.func @main
func.func @main() {
  %buf = memref.alloca() : memref<4xi32>
  %one = arith.constant 1 : i32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %one, %buf[%i] : memref<4xi32>
  }
  %s = func.call @sum4(%buf) : (memref<4xi32>) -> i32
  %four = arith.constant 4 : i32
  %ok = arith.cmpi eq, %s, %four : i32
  cf.assert %ok, "sum4 of four ones is 4"
  return
}
