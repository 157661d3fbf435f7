// A check tagged by tensorlang-instrument keeps its kind and message as they are; ids count up
// in program order.
// RUN: tensorlang-opt %s --tensorlang-lower-asserts | FileCheck %s

// CHECK: @__tensorlang_checks("tensorlang-checks 1\0A0\09div-by-zero\09{{.*}}tagged.mlir:[[@LINE+8]]:3\09division by zero in 'arith.divsi'\0A1\09bounds\09{{.*}}tagged.mlir:[[@LINE+10]]:3\09out-of-bounds access\0A\00")

// CHECK-LABEL: func.func @kernel
// CHECK: arith.constant 0 : i64
// CHECK: arith.divsi
// CHECK: arith.constant 1 : i64
// CHECK: memref.load
func.func @kernel(%m: memref<4xi32>, %i: index, %a: i32, %b: i32, %nz: i1, %in: i1) -> i32 {
  cf.assert %nz, "division by zero in 'arith.divsi'" {tensorlang.check = "div-by-zero"}
  %q = arith.divsi %a, %b : i32
  cf.assert %in, "out-of-bounds access" {tensorlang.check = "bounds"}
  %v = memref.load %m[%i] : memref<4xi32>
  %r = arith.addi %q, %v : i32
  return %r : i32
}
