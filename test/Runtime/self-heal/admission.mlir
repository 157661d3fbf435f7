// Hostile answers from a model (scripted here) to the running mean of a strided view, whose spec
// is the driver's cf.asserts: each would pass or do harm if compiled, and each is turned away by
// admission before it is, with its located reason, which goes back to the model with the next
// question (each answer `expect`s the reason of the one before).
// Effects through memrefs yielded out of scf.if and scf.index_switch, and a block argument:
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=model --heal-cache=none --heal-model-rounds=3 --model-script=%S/Inputs/hostile-admission-effects.jsonl 2>&1 | FileCheck %s --check-prefix=EFFECTS
// Promises to the compiler: a function attribute, an argument attribute, fast math:
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=model --heal-cache=none --heal-model-rounds=3 --model-script=%S/Inputs/hostile-admission-promises.jsonl 2>&1 | FileCheck %s --check-prefix=PROMISES
// Hard-coding without literals: a vector of the expected values, a table, a resource blob, a
// switch and a range test on the input:
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=model --heal-cache=none --heal-model-rounds=5 --model-script=%S/Inputs/hostile-admission-hard-coding.jsonl 2>&1 | FileCheck %s --check-prefix=HARD
// Too costly to build (a 60-byte gigabyte splat, 65 KiB of text), a read of fresh heap memory:
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=model --heal-cache=none --heal-model-rounds=3 --model-script=%S/Inputs/hostile-admission-cost.jsonl 2>&1 | FileCheck %s --check-prefix=COST
// Then a correct answer, taken.
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=model --heal-cache=none --heal-model-rounds=4 --model-script=%S/Inputs/hostile-admission-cost.jsonl 2>&1 | FileCheck %s --check-prefix=FIXED

// EFFECTS-LABEL: error: self-heal: no verified repair: no candidate survived verification (3 tried for mean)
// EFFECTS-SAME: (model) writes argument #0 of @mean, which the original never writes (at candidate.mlir:23:3)
// EFFECTS-SAME: (model) writes argument #0 of @mean, which the original never writes (at candidate.mlir:22:3)
// EFFECTS-SAME: (model) writes argument #0 of @mean, which the original never writes (at candidate.mlir:19:8)
// EFFECTS-NOT: remark: self-heal: repaired

// PROMISES-LABEL: error: self-heal: no verified repair: no candidate survived verification (3 tried for mean)
// PROMISES-SAME: (model) adds the function attribute `passthrough = ["noreturn"]`: a repair keeps the original's function attributes as they are (they promise the compiler things no check verifies) (at candidate.mlir:1:1)
// PROMISES-SAME: (model) adds the function attribute `arg_attrs = [{}, {llvm.noalias}]`: {{.*}} (at candidate.mlir:1:1)
// PROMISES-SAME: (model) carries `fastmath = #arith.fastmath<fast>`, which no op of the original carries: a promise to the compiler that no check verifies (at candidate.mlir:12:10)
// PROMISES-NOT: remark: self-heal: repaired

// HARD-LABEL: error: self-heal: no verified repair: no candidate survived verification (5 tried for mean)
// HARD-SAME: (model) holds the literal 2.000000e+00 : f32, a value the entry point's checks compare against, which the original does not: a hard-coded answer (at candidate.mlir:5:12)
// HARD-SAME: (model) holds constant tables of 17 elements the original does not hold, more than a candidate written whole may (16 in all): a table is how answers are hard-coded (at candidate.mlir:5:12)
// HARD-SAME: (model) brings a resource blob (a `{-# ... #-}` section): a constant table whose contents no rule reads, which a candidate written whole may not hold (at candidate.mlir:19:1)
// HARD-SAME: (model) switches on a value being 3 : index, which the original never tests: a function that special-cases the inputs it is checked on is hard-coding its answers (at candidate.mlir:5:8)
// HARD-SAME: (model) compares a value with 7.500000e+00 : f32, which the original never compares with: a function that special-cases the inputs it is checked on is hard-coding its answers (at candidate.mlir:7:12)
// HARD-NOT: remark: self-heal: repaired

// COST-LABEL: error: self-heal: no verified repair: no candidate survived verification (3 tried for mean)
// COST-SAME: (model) uses tensor<134217728xi64>, of 134217728 elements, more than a candidate may (1048576: 4 times the largest shape of the program, and at least 1 Mi); it would cost more to build than a repair is worth (at candidate.mlir:5:11)
// COST-SAME: (model) is 67076 bytes long, more than a candidate may be (65536 bytes)
// COST-SAME: (model) reads a buffer it allocated with nothing written into it before ('memref.load'): what it reads is whatever the heap held (at candidate.mlir:6:11)
// COST-NOT: remark: self-heal: repaired

// FIXED: error: assertion failed: the mean of 2 is 2
// FIXED: remark: self-heal: repaired 'mean' (model strategy model-rewrite: the function @mean as the model wrote it); verified: {{.*}} (4 candidates tried)
// FIXED-NOT: error
memref.global "private" constant @data : memref<6xf32> = dense<[2.0, 4.0, 6.0, 8.0, 10.0, 12.0]>

// The mean of the first i + 1 inputs, for each i; it divides by the count of all of them.
func.func @mean(%in: memref<?xf32, strided<[?], offset: ?>>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %in, %c0 : memref<?xf32, strided<[?], offset: ?>>
  %zero = arith.constant 0.0 : f32
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f32) {
    %v = memref.load %in[%i] : memref<?xf32, strided<[?], offset: ?>>
    %a = arith.addf %acc, %v : f32
    %k = arith.index_cast %n : index to i32
    %kf = arith.sitofp %k : i32 to f32
    %m = arith.divf %a, %kf : f32
    memref.store %m, %out[%i] : memref<?xf32>
    scf.yield %a : f32
  }
  return
}

// Every other element of the data: 2, 6, 10, whose running means are 2, 4, 6.
func.func @main() {
  %g = memref.get_global @data : memref<6xf32>
  %view = memref.subview %g[0] [3] [2] : memref<6xf32> to memref<3xf32, strided<[2]>>
  %in = memref.cast %view : memref<3xf32, strided<[2]>> to memref<?xf32, strided<[?], offset: ?>>
  %buffer = memref.alloca() : memref<3xf32>
  %out = memref.cast %buffer : memref<3xf32> to memref<?xf32>
  func.call @mean(%in, %out) : (memref<?xf32, strided<[?], offset: ?>>, memref<?xf32>) -> ()
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %m0 = memref.load %buffer[%c0] : memref<3xf32>
  %m1 = memref.load %buffer[%c1] : memref<3xf32>
  %m2 = memref.load %buffer[%c2] : memref<3xf32>
  %two = arith.constant 2.0 : f32
  %four = arith.constant 4.0 : f32
  %six = arith.constant 6.0 : f32
  %ok0 = arith.cmpf oeq, %m0, %two : f32
  cf.assert %ok0, "the mean of 2 is 2"
  %ok1 = arith.cmpf oeq, %m1, %four : f32
  cf.assert %ok1, "the mean of 2, 6 is 4"
  %ok2 = arith.cmpf oeq, %m2, %six : f32
  cf.assert %ok2, "the mean of 2, 6, 10 is 6"
  return
}
