// A matmul on tensors in plain upstream MLIR (a function of tensors that returns its product):
// after bufferization its linalg.matmul writes a buffer, is outlined into a function of its own
// and gets a faster variant. The printed result is the same.
// RUN: rm -rf %t.cache && env NEUROJIT_CACHE_DIR=%t.cache tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%mlir_runner_utils --optimize --optimize-first 2>&1 | FileCheck %s

// CHECK: remark: optimize: 'outlined_matmul0' (128x96x64): {{.*}} with variant t{{[0-9]+}}-c
// 64 * 2 * 0.5 = 64.
// CHECK: {{\[\[}}64, 64, 64]]

func.func private @printMemrefF32(tensor<*xf32>)

func.func @mm(%a: tensor<128x64xf32>, %b: tensor<64x96xf32>) -> tensor<128x96xf32> {
  %e = tensor.empty() : tensor<128x96xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<128x96xf32>) -> tensor<128x96xf32>
  %r = linalg.matmul ins(%a, %b : tensor<128x64xf32>, tensor<64x96xf32>) outs(%f : tensor<128x96xf32>) -> tensor<128x96xf32>
  return %r : tensor<128x96xf32>
}

func.func @main() {
  %a = arith.constant dense<2.0> : tensor<128x64xf32>
  %b = arith.constant dense<0.5> : tensor<64x96xf32>
  %r = func.call @mm(%a, %b) : (tensor<128x64xf32>, tensor<64x96xf32>) -> tensor<128x96xf32>
  %s = tensor.extract_slice %r[0, 0] [1, 3] [1, 1] : tensor<128x96xf32> to tensor<1x3xf32>
  %u = tensor.cast %s : tensor<1x3xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
