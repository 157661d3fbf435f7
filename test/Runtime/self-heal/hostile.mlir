// Hostile answers from a model (scripted here): each is turned away by admission before it is
// ever compiled, with its reason, and the reason goes back to the model with the next question.
// Effects: a hard-coded answer, extra output, a write to an input, a new callee, an ignored input.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=model --heal-cache=none --heal-model-rounds=5 --model-script=%S/Inputs/hostile-effects.jsonl 2>&1 | FileCheck %s --check-prefix=EFFECTS
// Memory: unchecked vector accesses past the end and a top-level LLVM function; then a correct
// answer, verified and swapped in.
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=model --heal-cache=none --heal-model-rounds=4 --model-script=%S/Inputs/hostile-memory.jsonl 2>&1 | FileCheck %s --check-prefix=MEMORY
// Valid IR that crashes MLIR's folder when compiled: the crash happens in a child process, the
// candidate is turned away and the program goes on (to its own failure, unrepaired).
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=model --heal-cache=none --heal-model-rounds=1 --model-script=%S/Inputs/hostile-crash.jsonl 2>&1 | FileCheck %s --check-prefix=CRASH

// CRASH-LABEL: error: self-heal: no verified repair: no candidate survived verification (1 tried for scale)
// CRASH-SAME: does not compile: crashed MLIR or LLVM (signal 11) in a child process; the program is unharmed
// CRASH-NEXT: error: out-of-bounds access
// CRASH-NEXT: note: in function 'scale' called as 'main'
// Right values, then allocations without end: the trial child's address space is capped, an
// allocation fails, and the write through the null pointer it got is outside what the contained
// candidate may write: a located failure in the child, and the candidate is turned away.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=model --heal-cache=none --heal-model-rounds=1 --model-script=%S/Inputs/hostile-alloc.jsonl 2>&1 | FileCheck %s --check-prefix=ALLOC

// ALLOC-LABEL: error: self-heal: no verified repair: no candidate survived verification (1 tried for scale)
// ALLOC-SAME: (model) still fails: {{.*}}hostile.mlir:17:7: error: a write outside the memory this call may write (contained code)
// ALLOC-NOT: remark: self-heal: repaired

// EFFECTS-LABEL: error: self-heal: no verified repair: no candidate survived verification (5 tried for scale)
// EFFECTS-SAME: holds the literal 2 : i32, a value the entry point's checks compare against, which the original does not: a hard-coded answer
// EFFECTS-SAME: prints with 'vector.print', which the original never does
// EFFECTS-SAME: writes argument #0 of @scale, which the original never writes
// EFFECTS-SAME: calls @twice, which the original never calls
// EFFECTS-SAME: never reads argument #0 of @scale, which the original reads
// EFFECTS-NOT: remark: self-heal: repaired

// MEMORY-LABEL: error: out-of-bounds access
// MEMORY: remark: self-heal: repaired 'scale' (model strategy model-rewrite: the function @scale as the model wrote it); verified: in a forked copy of the running program, the failed call and the rest of the run passed every check, and so did a run of the entry point from the start (4 candidates tried)
// MEMORY-NEXT: {{^}}2{{$}}
// MEMORY-NEXT: {{^}}8{{$}}
// MEMORY-NOT: error
func.func @twice(%x: i32) -> i32 {
  %r = arith.addi %x, %x : i32
  return %r : i32
}

func.func @scale(%in: memref<4xi32>, %out: memref<4xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %j = arith.addi %i, %c1 : index
    %v = memref.load %in[%j] : memref<4xi32>
    %d = arith.addi %v, %v : i32
    memref.store %d, %out[%i] : memref<4xi32>
  }
  return
}

func.func @main() {
  %in = memref.alloca() : memref<4xi32>
  %out = memref.alloca() : memref<4xi32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %k = arith.index_cast %i : index to i32
    %one = arith.constant 1 : i32
    %v = arith.addi %k, %one : i32
    memref.store %v, %in[%i] : memref<4xi32>
  }
  func.call @scale(%in, %out) : (memref<4xi32>, memref<4xi32>) -> ()
  %first = memref.load %out[%c0] : memref<4xi32>
  %last = memref.load %out[%c3] : memref<4xi32>
  %two = arith.constant 2 : i32
  %eight = arith.constant 8 : i32
  %t = func.call @twice(%first) : (i32) -> i32
  %ok1 = arith.cmpi eq, %first, %two : i32
  cf.assert %ok1, "scale(1) is 2"
  %ok2 = arith.cmpi eq, %last, %eight : i32
  cf.assert %ok2, "scale(4) is 8"
  vector.print %first : i32
  vector.print %last : i32
  return
}
