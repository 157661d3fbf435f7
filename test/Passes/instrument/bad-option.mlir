// A flag option that is not true or false is a located error, not a silent default.
// RUN: not tensorlang-opt %s --tensorlang-instrument="bounds=maybe" 2>&1 | FileCheck %s

// CHECK: error: option 'bounds' expects true or false, got 'maybe'
func.func @f() {
  return
}
