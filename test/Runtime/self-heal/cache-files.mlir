// What lies in a cache folder can neither hang a self-healing run, nor redirect its writes, nor
// flood it: every cache file is opened as a regular file only (no symlink followed, no FIFO waited
// on) and read up to a limit. Each case below warns once, runs without that part of the cache, and
// prints what it should; `timeout` makes a hang a failure.
// RUN: rm -rf %t && mkdir -p %t/fifo %t/link %t/big %t/none
// A FIFO named cache.json.
// RUN: mkfifo %t/fifo/cache.json
// RUN: env NEUROJIT_CACHE_DIR=%t/fifo TENSORLANG_KEY_FILE=%t/key timeout 120 tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic 2>&1 | FileCheck %s --check-prefixes=FIFO,HEALED
// A FIFO as the installation key: nothing is trusted or signed.
// RUN: mkfifo %t/fifo-key
// RUN: env NEUROJIT_CACHE_DIR=%t/fifo-key-cache TENSORLANG_KEY_FILE=%t/fifo-key timeout 120 tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic 2>&1 | FileCheck %s --check-prefixes=FIFO-KEY,HEALED
// A FIFO as the cache folder itself.
// RUN: mkfifo %t/fifo-folder
// RUN: env NEUROJIT_CACHE_DIR=%t/fifo-folder TENSORLANG_KEY_FILE=%t/key timeout 120 tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic 2>&1 | FileCheck %s --check-prefixes=FIFO-FOLDER,HEALED
// repairs.jsonl a symlink: its target gets nothing.
// RUN: touch %t/target && ln -s %t/target %t/link/repairs.jsonl
// RUN: env NEUROJIT_CACHE_DIR=%t/link TENSORLANG_KEY_FILE=%t/key timeout 120 tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic 2>&1 | FileCheck %s --check-prefix=LINK
// RUN: cat %t/target | count 0
// A key group and others may read: refused, so the entry just cached runs only after a trial.
// RUN: chmod 644 %t/key
// RUN: env NEUROJIT_CACHE_DIR=%t/link TENSORLANG_KEY_FILE=%t/key timeout 120 tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic 2>&1 | FileCheck %s --check-prefixes=OPEN-KEY
// RUN: chmod 600 %t/key
// A cache file over the limit (64 MiB; sparse, so the test writes nothing): left as it is.
// RUN: truncate -s 65M %t/big/cache.json
// RUN: env NEUROJIT_CACHE_DIR=%t/big TENSORLANG_KEY_FILE=%t/key timeout 120 tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic 2>&1 | FileCheck %s --check-prefixes=BIG,HEALED
// RUN: wc -c < %t/big/cache.json | FileCheck %s --check-prefix=SIZE
// --heal-cache=none writes nothing to the caches: no strategy cache, no objects (none of the
// repair's least of all), no key.
// RUN: env NEUROJIT_CACHE_DIR=%t/none TENSORLANG_KEY_FILE=%t/none-key timeout 120 tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic --heal-cache=none 2>&1 | FileCheck %s --check-prefix=HEALED
// RUN: find %t/none | count 1
// RUN: not ls %t/none-key

// FIFO: WARN {{.*}}cache.json is a FIFO, not a regular file{{.*}}; repairing without the cache
// FIFO-KEY: WARN {{.*}}fifo-key is a FIFO, not a regular file{{.*}}compiled code is neither loaded from nor stored in
// FIFO-KEY: WARN {{.*}}the installation key {{.*}}fifo-key cannot be used {{.*}}every cached repair is verified in full before it runs, and none is signed
// FIFO-FOLDER: WARN {{.*}}fifo-folder is a FIFO, not a directory
// LINK: remark: self-heal: repaired 'safe_div' (symbolic strategy guard-division
// The warning comes from the worker, which logs while the program resumes: in either order.
// LINK-DAG: {{^}}5{{$}}
// LINK-DAG: WARN {{.*}}the repair is cached, but its training example was not logged: {{.*}}repairs.jsonl is a symbolic link, not a regular file
// BIG: WARN {{.*}}cache.json holds more than 67108864 bytes; repairing without the cache
// SIZE: 68157440

// HEALED: remark: self-heal: repaired 'safe_div' (symbolic strategy guard-division
// HEALED-NEXT: {{^}}5{{$}}

// OPEN-KEY: WARN {{.*}}refusing the key {{.*}}its permissions 0644 let group or others at it
// OPEN-KEY: remark: self-heal: repaired 'safe_div' (cache strategy guard-division: the cached repair (found by symbolic)); verified: in a forked copy of the running program
// OPEN-KEY-NEXT: {{^}}5{{$}}
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
