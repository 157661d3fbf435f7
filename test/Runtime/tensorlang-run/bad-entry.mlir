// An unknown entry point or a wrong result type is a clear error, exit code 1.
// RUN: not tensorlang-run %s -e missing -entry-point-result=void 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not tensorlang-run %s -e main -entry-point-result=i64 2>&1 | FileCheck %s --check-prefix=RESULT
// RUN: not tensorlang-run %s -e takes_argument -entry-point-result=void 2>&1 | FileCheck %s --check-prefix=ARGS
// RUN: not tensorlang-run %s -entry-point-result=f64 2>&1 | FileCheck %s --check-prefix=FLAG

// MISSING: Error: entry point not found
// RESULT: Error: only single i64 function result supported
// ARGS: Error: JIT can't invoke a main function expecting arguments
// FLAG: error: invalid value 'f64' for '--entry-point-result <ENTRY_POINT_RESULT>': 'f64' is not one of void, i32, i64, f32
func.func @main() -> i32 {
  %0 = arith.constant 0 : i32
  return %0 : i32
}

func.func @takes_argument(%x: i32) {
  return
}
