// A repaired function keeps its bounds checks in the live process: @get is repaired while
// @main runs, and when @later then calls the swapped-in version out of range, that is a located
// failure, never a wild read (the scripted model has no second answer, so it goes on unrepaired).
// RUN: not tensorlang-run %s -e main -entry-point-result=void --then=later -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=model --model-script=%S/Inputs/get.jsonl --heal-cache=none 2>&1 | FileCheck %s

// CHECK: checks-kept.mlir:[[@LINE+11]]:8: error: out-of-bounds access
// CHECK-NEXT: note: in function 'get' called as 'get'
// CHECK: remark: self-heal: repaired 'get' (model strategy model-rewrite
// CHECK-NEXT: {{^}}4{{$}}
// CHECK-NEXT: error: out-of-bounds access
// CHECK-NEXT: note: in function 'get' called as 'get'
// CHECK: error: out-of-bounds access
// CHECK-NEXT: note: in function 'get' called as 'later'
func.func @get(%m: memref<4xi32>, %i: index) -> i32 {
  %one = arith.constant 1 : index
  %j = arith.addi %i, %one : index
  %v = memref.load %m[%j] : memref<4xi32>
  return %v : i32
}

memref.global "private" constant @data : memref<4xi32> = dense<[1, 2, 3, 4]>

func.func @main() {
  %m = memref.get_global @data : memref<4xi32>
  %c3 = arith.constant 3 : index
  %v = func.call @get(%m, %c3) : (memref<4xi32>, index) -> i32
  %four = arith.constant 4 : i32
  %ok = arith.cmpi eq, %v, %four : i32
  cf.assert %ok, "the last element is 4"
  vector.print %v : i32
  return
}

func.func @later() {
  %m = memref.get_global @data : memref<4xi32>
  %c9 = arith.constant 9 : index
  %v = func.call @get(%m, %c9) : (memref<4xi32>, index) -> i32
  return
}
