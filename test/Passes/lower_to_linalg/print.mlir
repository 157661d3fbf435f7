// `tensorlang.print` calls the runner utilities' `printMemref*` on tensors (declaring it once) and uses `vector.print` for scalars.
// RUN: tensorlang-opt %s --convert-tensorlang-to-linalg | FileCheck %s

// CHECK: func.func private @printMemrefF32(memref<*xf32>) attributes {llvm.emit_c_interface}
// CHECK-NOT: func.func private @printMemrefF32
// CHECK-LABEL: func.func @print
// CHECK: %[[B:.*]] = bufferization.to_buffer %arg0 read_only : tensor<2x2xf32> to memref<2x2xf32>
// CHECK: %[[U:.*]] = memref.cast %[[B]] : memref<2x2xf32> to memref<*xf32>
// CHECK: call @printMemrefF32(%[[U]]) : (memref<*xf32>) -> ()
// CHECK: call @printMemrefF32
// CHECK: vector.print %arg2 : i32
func.func @print(%t: tensor<2x2xf32>, %u: tensor<3xf32>, %s: i32) {
  "tensorlang.print"(%t) : (tensor<2x2xf32>) -> ()
  "tensorlang.print"(%u) : (tensor<3xf32>) -> ()
  "tensorlang.print"(%s) : (i32) -> ()
  return
}
