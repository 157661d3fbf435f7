// On plain upstream IR, tensorlang-opt behaves like mlir-opt.
// RUN: tensorlang-opt %s --canonicalize --cse | FileCheck %s

// CHECK-LABEL: func.func @fold
// CHECK-NEXT: %[[C:.*]] = arith.constant 7 : i32
// CHECK-NEXT: return %[[C]] : i32
func.func @fold() -> i32 {
  %a = arith.constant 3 : i32
  %b = arith.constant 4 : i32
  %c = arith.addi %a, %b : i32
  return %c : i32
}
