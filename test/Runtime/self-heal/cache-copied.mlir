// A cache folder copied from another installation is not authentic here, even with the key that
// older versions kept beside the cache (`cache.json.key`) copied along: the key that vouches for
// entries and objects is the installation's own (TENSORLANG_KEY_FILE here; by default
// ~/.config/tensorlang/key), outside every cache folder. 1. Another installation (its own key)
// repairs a division by zero and caches the repair; its key is put in the folder the old way.
// 2. The folder is copied here: its objects are refused, and the cached repair is verified in full
// in a trial before it runs, then signed with this installation's key, so 3. the next run takes
// the fast path.
// RUN: rm -rf %t && mkdir -p %t/keys
// RUN: env NEUROJIT_CACHE_DIR=%t/theirs TENSORLANG_KEY_FILE=%t/keys/theirs tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic 2>&1 | FileCheck %s --check-prefix=THEIRS
// RUN: cp %t/keys/theirs %t/theirs/cache.json.key
// RUN: cp -r %t/theirs %t/copied
// RUN: env NEUROJIT_CACHE_DIR=%t/copied TENSORLANG_KEY_FILE=%t/keys/mine tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic 2>&1 | FileCheck %s --check-prefix=COPIED
// RUN: env NEUROJIT_CACHE_DIR=%t/copied TENSORLANG_KEY_FILE=%t/keys/mine tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic 2>&1 | FileCheck %s --check-prefix=SIGNED

// THEIRS: remark: self-heal: repaired 'safe_div' (symbolic strategy guard-division
// THEIRS-NEXT: {{^}}5{{$}}

// COPIED: WARN {{.*}}the cached object {{.*}}.o is not authentic
// COPIED: remark: self-heal: repaired 'safe_div' (cache strategy guard-division: the cached repair (found by symbolic)); verified: in a forked copy of the running program
// COPIED-NEXT: {{^}}5{{$}}

// SIGNED-NOT: WARN
// SIGNED: remark: self-heal: repaired 'safe_div' (cache strategy guard-division: the cached repair (found by symbolic)); verified: a cached repair, verified in full when it was recorded
// SIGNED-NEXT: {{^}}5{{$}}
// SIGNED-NOT: WARN
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
