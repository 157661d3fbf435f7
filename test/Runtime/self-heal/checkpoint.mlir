// A failed call may have written to its buffers before it failed: @double writes three elements
// and then reads past the end. The runtime restores the buffer from the checkpoint it took
// before the call, so the repaired call doubles each element once, not twice.
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=symbolic --heal-cache=none 2>&1 | FileCheck %s

// CHECK: error: out-of-bounds access
// CHECK: note: self-heal: attempt 1 of 3: restored {{[1-9][0-9]*}} bytes the call changed (of 12 saved); repairing
// CHECK: remark: self-heal: repaired 'double' (symbolic strategy change-constant: use 3 instead of 4
// CHECK-NEXT: ( 2, 4, 6 )
func.func @double(%buf: memref<3xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %buf[%i] : memref<3xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %buf[%i] : memref<3xf32>
  }
  return
}

func.func @main() {
  %buf = memref.alloca() : memref<3xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %one = arith.constant 1.0 : f32
  %two = arith.constant 2.0 : f32
  %three = arith.constant 3.0 : f32
  memref.store %one, %buf[%c0] : memref<3xf32>
  memref.store %two, %buf[%c1] : memref<3xf32>
  memref.store %three, %buf[%c2] : memref<3xf32>
  func.call @double(%buf) : (memref<3xf32>) -> ()
  %a = memref.load %buf[%c0] : memref<3xf32>
  %b = memref.load %buf[%c1] : memref<3xf32>
  %c = memref.load %buf[%c2] : memref<3xf32>
  %sum = arith.addf %a, %b : f32
  %total = arith.addf %sum, %c : f32
  %twelve = arith.constant 12.0 : f32
  %ok = arith.cmpf oeq, %total, %twelve : f32
  cf.assert %ok, "every element was doubled once"
  %row = vector.from_elements %a, %b, %c : vector<3xf32>
  vector.print %row : vector<3xf32>
  return
}
