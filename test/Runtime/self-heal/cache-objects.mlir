// The object cache is not a way in: an object is loaded only when its MAC, under the installation
// key (outside the cache folder), checks. 1. A division by zero is repaired, and the program's
// object and the repair's are cached with their MACs. 2. Another program (it prints 99) is run
// with the same key into another folder, and its object and MAC are copied over both of ours: a
// valid object with a valid MAC, under the wrong name. 3. The next run loads neither, warns about
// each, compiles them again and prints what it should; the repair still comes from the cache.
// 4. The run after loads the rebuilt objects without a word.
// RUN: rm -rf %t && mkdir -p %t
// RUN: env NEUROJIT_CACHE_DIR=%t/a TENSORLANG_KEY_FILE=%t/key tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic 2>&1 | FileCheck %s --check-prefix=FIRST
// RUN: ls %t/a/objects | grep '\.o$' | count 2
// RUN: ls %t/a/objects | grep '\.o\.mac$' | count 2
// RUN: env NEUROJIT_CACHE_DIR=%t/b TENSORLANG_KEY_FILE=%t/key tensorlang-run %S/Inputs/cache-foreign.mlir -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils | FileCheck %s --check-prefix=FOREIGN
// RUN: sh -c 'for f in %t/a/objects/*.o; do cp %t/b/objects/*.o "$f" && cp %t/b/objects/*.o.mac "$f.mac"; done'
// RUN: env NEUROJIT_CACHE_DIR=%t/a TENSORLANG_KEY_FILE=%t/key tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic 2>&1 | FileCheck %s --check-prefix=REFUSED
// RUN: env NEUROJIT_CACHE_DIR=%t/a TENSORLANG_KEY_FILE=%t/key tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic 2>&1 | FileCheck %s --check-prefix=REBUILT

// FIRST: remark: self-heal: repaired 'safe_div' (symbolic strategy guard-division
// FIRST-NEXT: {{^}}5{{$}}

// FOREIGN: {{^}}99{{$}}

// REFUSED-NOT: {{^}}99{{$}}
// REFUSED: WARN {{.*}}the cached object {{.*}}.o is not authentic {{.*}}not loaded, compiling it again
// REFUSED: error: division by zero
// REFUSED: WARN {{.*}}the cached object {{.*}}.o is not authentic {{.*}}not loaded, compiling it again
// REFUSED: remark: self-heal: repaired 'safe_div' (cache strategy guard-division: the cached repair (found by symbolic)); verified: a cached repair, verified in full when it was recorded
// REFUSED-NEXT: {{^}}5{{$}}
// REFUSED-NOT: {{^}}99{{$}}

// REBUILT-NOT: WARN
// REBUILT: remark: self-heal: repaired 'safe_div' (cache strategy guard-division
// REBUILT-NEXT: {{^}}5{{$}}
// REBUILT-NOT: WARN
func.func @safe_div(%a: i32, %b: i32) -> i32 {
  %q = arith.divsi %a, %b : i32
  return %q : i32
}

func.func @main() {
  %ten = arith.constant 10 : i32
  %two = arith.constant 2 : i32
  %zero = arith.constant 0 : i32
  %x = func.call @safe_div(%ten, %zero) : (i32, i32) -> i32
  %y = func.call @safe_div(%ten, %two) : (i32, i32) -> i32
  vector.print %y : i32
  return
}
