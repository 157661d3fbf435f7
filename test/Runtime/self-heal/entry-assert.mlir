// The failed check is the driver's own cf.assert in the entry point, on what @sum returned.
// The suspects are the functions it calls; each candidate runs the entry again from the start in
// a forked trial. After the swap the entry runs again, with the mutable global @runs put back as
// it was, and the output the failed run held back (its wrong "13") dropped: stdout is exactly
// what the fixed program prints.
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=symbolic --heal-cache=none 2>%t.err | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --input-file=%t.err
// A second run takes the repair from the strategy cache the first recorded: the same output.
// RUN: rm -f %t.cache.json
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic --heal-cache=%t.cache.json 2>/dev/null | FileCheck %s --check-prefix=OUT
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic --heal-cache=%t.cache.json 2>%t.cached.err | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --check-prefix=CACHED --input-file=%t.cached.err
// CACHED: remark: self-heal: repaired 'sum' (cache strategy

// OUT: {{^}}run 1{{$}}
// OUT-NEXT: {{^}}15{{$}}
// OUT-NEXT: {{^}}done{{$}}
// OUT-NOT: {{.}}

// CHECK: entry-assert.mlir:[[@LINE+36]]:3: error: assertion failed: 1 + 2 + 3 + 4 + 5 is 15
// CHECK-NEXT: note: in function 'main' called as 'main'
// CHECK-NEXT: note: self-heal: attempt 1 of 3: the failed check is in the entry point; repairing what it depends on, then running 'main' again from the start (0 bytes of output shown already are not shown again)
// CHECK-NEXT: remark: self-heal: repaired 'sum' (symbolic strategy {{.*}}); verified: in a forked copy of the running program, the entry point run again from the start passed every check and printed what had been shown ({{[0-9]+}} candidates tried); swapped in, 'main' resumed {{.*}} ms after the failure
// CHECK-NOT: error
memref.global "private" constant @data : memref<5xi32> = dense<[1, 2, 3, 4, 5]>
memref.global "private" @runs : memref<i32> = dense<0>

func.func @sum(%a: memref<?xi32>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xi32>
  %last = arith.subi %n, %c1 : index
  %zero = arith.constant 0 : i32
  %s = scf.for %i = %c0 to %last step %c1 iter_args(%acc = %zero) -> (i32) {
    %v = memref.load %a[%i] : memref<?xi32>
    %x = arith.addi %acc, %v : i32
    scf.yield %x : i32
  }
  return %s : i32
}

func.func @main() {
  %runs = memref.get_global @runs : memref<i32>
  %k = memref.load %runs[] : memref<i32>
  %one = arith.constant 1 : i32
  %k1 = arith.addi %k, %one : i32
  memref.store %k1, %runs[] : memref<i32>
  vector.print str "run "
  vector.print %k1 : i32
  %g = memref.get_global @data : memref<5xi32>
  %v = memref.cast %g : memref<5xi32> to memref<?xi32>
  %s = func.call @sum(%v) : (memref<?xi32>) -> i32
  vector.print %s : i32
  %c15 = arith.constant 15 : i32
  %ok = arith.cmpi eq, %s, %c15 : i32
  cf.assert %ok, "1 + 2 + 3 + 4 + 5 is 15"
  vector.print str "done\n"
  return
}
