// A module without asserts gets no table and no declaration.
// RUN: tensorlang-opt %s --tensorlang-lower-asserts | FileCheck %s

// CHECK-NOT: __tensorlang
// CHECK-LABEL: func.func @f
func.func @f() {
  return
}
