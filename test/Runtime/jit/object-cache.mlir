// The second run of an unchanged program loads its object code from the cache directory instead
// of compiling it; a different optimization level is a different entry. Each object has its MAC
// beside it (`<key>.o.mac`), which is checked before the object is loaded.
// RUN: rm -rf %t && mkdir -p %t
// RUN: env TENSORLANG_LOG=tensorlang_run=info NO_COLOR=1 tensorlang-run %s --cache-dir=%t --entry-point-result=i32 2>&1 | FileCheck %s --check-prefix=FIRST
// RUN: env TENSORLANG_LOG=tensorlang_run=info NO_COLOR=1 tensorlang-run %s --cache-dir=%t --entry-point-result=i32 2>&1 | FileCheck %s --check-prefix=SECOND
// RUN: env TENSORLANG_LOG=tensorlang_run=info NO_COLOR=1 tensorlang-run %s --cache-dir=%t --entry-point-result=i32 -O3 2>&1 | FileCheck %s --check-prefix=FIRST
// RUN: ls %t/objects | grep '\.o$' | count 2
// RUN: ls %t/objects | grep '\.o\.mac$' | count 2

// FIRST: module loaded{{.*}}from_cache{{.*}}false
// FIRST: 42
// SECOND: module loaded{{.*}}from_cache{{.*}}true
// SECOND: 42
llvm.func @main() -> i32 {
  %0 = llvm.mlir.constant(42 : i32) : i32
  llvm.return %0 : i32
}
