// --failure-report records the failing call: the innermost call under way when the check
// failed (@inner, not @outer around it), with its arguments and the buffers they reach as the
// call began: @outer's write (5) is in it, @inner's own write before it failed (7) is not.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --failure-report=%t.json 2>&1 | FileCheck %s
// RUN: FileCheck %s --check-prefix=REPORT < %t.json

// CHECK: failure-arguments.mlir:[[@LINE+23]]:8: error: division by zero in 'arith.divsi'
// CHECK: note: in function 'inner' called as 'main'

// REPORT: "function": "inner",
// REPORT: "arguments": [
// REPORT-NEXT: {
// REPORT-NEXT: "type": "memref<3xi32>",
// REPORT-NEXT: "value": {
// REPORT-NEXT: "elements": [
// REPORT-NEXT: 1,
// REPORT-NEXT: 5,
// REPORT-NEXT: 3
// REPORT-NEXT: ],
// REPORT-NEXT: "shape": [
// REPORT-NEXT: 3
// REPORT: "type": "i32",
// REPORT-NEXT: "value": 0

func.func @inner(%buf: memref<3xi32>, %k: i32) -> i32 {
  %c2 = arith.constant 2 : index
  %seven = arith.constant 7 : i32
  memref.store %seven, %buf[%c2] : memref<3xi32>
  %ten = arith.constant 10 : i32
  %q = arith.divsi %ten, %k : i32
  return %q : i32
}

func.func @outer(%buf: memref<3xi32>, %k: i32) -> i32 {
  %c1 = arith.constant 1 : index
  %five = arith.constant 5 : i32
  memref.store %five, %buf[%c1] : memref<3xi32>
  %r = func.call @inner(%buf, %k) : (memref<3xi32>, i32) -> i32
  return %r : i32
}

func.func @main() {
  %buf = memref.alloca() : memref<3xi32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %one = arith.constant 1 : i32
  %two = arith.constant 2 : i32
  %three = arith.constant 3 : i32
  memref.store %one, %buf[%c0] : memref<3xi32>
  memref.store %two, %buf[%c1] : memref<3xi32>
  memref.store %three, %buf[%c2] : memref<3xi32>
  %zero = arith.constant 0 : i32
  %r = func.call @outer(%buf, %zero) : (memref<3xi32>, i32) -> i32
  return
}
