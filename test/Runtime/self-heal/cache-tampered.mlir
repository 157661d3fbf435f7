// The strategy cache is not a way in: entries are signed with this installation's key.
// 1. A symbolic repair is recorded and signed; 2. the next run takes it straight from the cache.
// 3. An edited entry is no longer authentic: it is verified in full like any candidate (a trial),
// and signed again, so 4. the run after takes the fast path again. 5. An entry edited into hostile
// code (a vector store past the end of the buffer) is turned away by admission (shown with the
// cache as the only source); with the symbolic strategies too, the program runs
// with the symbolic repair, prints what it should and never crashes.
// RUN: rm -rf %t && mkdir -p %t
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic --heal-cache=%t/cache.json 2>&1 | FileCheck %s --check-prefix=SYMBOLIC
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic --heal-cache=%t/cache.json 2>&1 | FileCheck %s --check-prefix=AUTHENTIC
// RUN: sed -i 's/"verification": "/"verification": "edited: /' %t/cache.json
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic --heal-cache=%t/cache.json 2>&1 | FileCheck %s --check-prefix=EDITED
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic --heal-cache=%t/cache.json 2>&1 | FileCheck %s --check-prefix=AUTHENTIC
// RUN: sed -i 's|  return %0 : i32|  %h_v = vector.broadcast %c0_i32 : i32 to vector<4xi32>\\n  vector.store %h_v, %arg0[%c5] : memref<4xi32>, vector<4xi32>\\n  return %0 : i32|' %t/cache.json
// RUN: grep -c vector.store %t/cache.json | FileCheck %s --check-prefix=TAMPERED
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache --heal-cache=%t/cache.json 2>&1 | FileCheck %s --check-prefix=REFUSED
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic --heal-cache=%t/cache.json 2>&1 | FileCheck %s --check-prefix=HOSTILE

// SYMBOLIC-LABEL: error: out-of-bounds access
// SYMBOLIC: remark: self-heal: repaired 'sum4' (symbolic strategy change-constant
// SYMBOLIC-NEXT: {{^}}6{{$}}

// AUTHENTIC-LABEL: error: out-of-bounds access
// AUTHENTIC: remark: self-heal: repaired 'sum4' (cache strategy change-constant: the cached repair (found by symbolic)); verified: a cached repair, verified in full when it was recorded
// AUTHENTIC-NEXT: {{^}}6{{$}}

// EDITED-LABEL: error: out-of-bounds access
// EDITED: remark: self-heal: repaired 'sum4' (cache strategy change-constant: the cached repair (found by symbolic)); verified: in a forked copy of the running program
// EDITED-NEXT: {{^}}6{{$}}

// TAMPERED: {{^}}1{{$}}

// REFUSED: error: self-heal: no verified repair: no candidate survived verification (1 tried for sum4); the cached repair (found by symbolic) (cache) uses 'vector.store', which repairs may not use (at
// REFUSED-NOT: remark: self-heal: repaired

// HOSTILE-LABEL: error: out-of-bounds access
// HOSTILE: remark: self-heal: repaired 'sum4' (symbolic strategy change-constant
// HOSTILE-NEXT: {{^}}6{{$}}
// HOSTILE-NOT: error
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
