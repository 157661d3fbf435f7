// A correct repair that is far slower than the original is turned away: the trial times the
// replaced function's calls in its run of the entry point from the start against the same calls
// as the program ran them before the failure (here the 3 calls of @next before the one that
// reads past the end). The model's first answer adds each result up three million times (and divides by as many)
// and fails with by how much (the factor is --heal-max-slowdown, 50 by default); the second,
// told why, is as fast as the original and is swapped in.
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=model --heal-cache=none --model-script=%S/Inputs/slow.jsonl 2>&1 | FileCheck %s
// With the slow answer only, the run says why it was turned away, and by how much.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=model --heal-cache=none --heal-model-rounds=1 --model-script=%S/Inputs/slow.jsonl 2>&1 | FileCheck %s --check-prefix=WHY
// Without a limit, the slow answer is taken: it passes every check.
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=model --heal-cache=none --heal-max-slowdown=0 --model-script=%S/Inputs/slow.jsonl 2>&1 | FileCheck %s --check-prefix=ANY

// CHECK: error: out-of-bounds access
// CHECK: remark: self-heal: repaired 'next' (model strategy model-rewrite: the function @next as the model wrote it); verified: {{.*}} (2 candidates tried)
// CHECK-NEXT: {{^}}9{{$}}
// CHECK-NOT: error

// WHY: error: self-heal: no verified repair: no candidate survived verification (1 tried for next); the function @next as the model wrote it (model) still fails: {{(at least )?}}{{[0-9]+}}x slower than the original on the same calls ({{.*}} of the 3 calls of 'next' the program made before the failure{{.*}} of CPU time in the trial{{.*}}; limit 50x)
// WHY-NOT: remark: self-heal: repaired

// ANY: remark: self-heal: repaired 'next' {{.*}} (1 candidates tried)
// ANY-NEXT: {{^}}9{{$}}

// The element after `i`; the original reads past the end for the last one, which has none.
func.func @next(%in: memref<4xi32>, %i: index) -> i32 {
  %c1 = arith.constant 1 : index
  %j = arith.addi %i, %c1 : index
  %v = memref.load %in[%j] : memref<4xi32>
  return %v : i32
}

func.func @main() {
  %in = memref.alloca() : memref<4xi32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0 : i32
  scf.for %i = %c0 to %c4 step %c1 {
    %k = arith.index_cast %i : index to i32
    %one = arith.constant 1 : i32
    %v = arith.addi %k, %one : i32
    memref.store %v, %in[%i] : memref<4xi32>
  }
  %sum = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %zero) -> (i32) {
    %n = func.call @next(%in, %i) : (memref<4xi32>, index) -> i32
    %s = arith.addi %acc, %n : i32
    scf.yield %s : i32
  }
  %nine = arith.constant 9 : i32
  %ok = arith.cmpi eq, %sum, %nine : i32
  cf.assert %ok, "2 + 3 + 4 + nothing is 9"
  vector.print %sum : i32
  return
}
