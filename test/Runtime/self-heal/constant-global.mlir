// A failing function reads a constant global through a view: the checkpoint saves the view and
// writes back only bytes the call changed (none here), so the read-only global is never written,
// and the repaired call runs on the same data.
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=symbolic --heal-cache=none 2>&1 | FileCheck %s

// CHECK-LABEL: error: out-of-bounds access
// CHECK-NEXT: note: in function 'sum' called as 'sum'
// CHECK-NEXT: note: self-heal: attempt 1 of 3: restored 0 bytes the call changed (of 16 saved); repairing
// CHECK-NEXT: remark: self-heal: repaired 'sum'
// CHECK-NEXT: {{^}}14{{$}}
// CHECK-NOT: error
memref.global "private" constant @data : memref<5xi32> = dense<[1, 2, 3, 4, 5]>

func.func @sum(%a: memref<?xi32, strided<[1], offset: ?>>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xi32, strided<[1], offset: ?>>
  %end = arith.addi %n, %c1 : index
  %zero = arith.constant 0 : i32
  %s = scf.for %i = %c0 to %end step %c1 iter_args(%acc = %zero) -> (i32) {
    %v = memref.load %a[%i] : memref<?xi32, strided<[1], offset: ?>>
    %x = arith.addi %acc, %v : i32
    scf.yield %x : i32
  }
  return %s : i32
}

func.func @main() {
  %g = memref.get_global @data : memref<5xi32>
  %tail = memref.subview %g[1] [4] [1] : memref<5xi32> to memref<4xi32, strided<[1], offset: 1>>
  %view = memref.cast %tail : memref<4xi32, strided<[1], offset: 1>> to memref<?xi32, strided<[1], offset: ?>>
  %s = func.call @sum(%view) : (memref<?xi32, strided<[1], offset: ?>>) -> i32
  %c14 = arith.constant 14 : i32
  %ok = arith.cmpi eq, %s, %c14 : i32
  cf.assert %ok, "2 + 3 + 4 + 5 is 14"
  vector.print %s : i32
  return
}
