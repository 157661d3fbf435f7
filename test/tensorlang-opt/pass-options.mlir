// Our passes take options like upstream passes; an unknown one is a clear error.
// RUN: not tensorlang-opt %s --pass-pipeline="builtin.module(tensorlang-verify{bogus=1})" 2>&1 | FileCheck %s

// CHECK: no such option bogus
func.func @f() {
  return
}
