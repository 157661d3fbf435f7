// Contractions are found on buffers, whatever they were written as: a TensorLang
// tensorlang.matmul, lowered to linalg and bufferized, is outlined into a function of its own,
// and a faster variant is swapped in behind its slot. The printed result is the same.
// RUN: rm -rf %t.cache && env NEUROJIT_CACHE_DIR=%t.cache tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --optimize --optimize-first 2>&1 | FileCheck %s

// CHECK: remark: optimize: 'outlined_matmul0' (64x32x16): {{.*}} with variant t{{[0-9]+}}-c{{.*}}; checked against the original on synthetic inputs
// 16 * 2 * 1.5 = 48 in every row.
// CHECK: tensor<64xf32> ( 48, 48, 48, {{(48, )+}}48 )

func.func @layer(%x: tensor<64x16xf32>, %w: tensor<16x32xf32>) -> tensor<64x32xf32> {
  %h = "tensorlang.matmul"(%x, %w) : (tensor<64x16xf32>, tensor<16x32xf32>) -> tensor<64x32xf32>
  return %h : tensor<64x32xf32>
}

func.func @main() {
  %x = "tensorlang.constant"() {value = dense<2.0> : tensor<64x16xf32>} : () -> tensor<64x16xf32>
  %w = "tensorlang.constant"() {value = dense<1.5> : tensor<16x32xf32>} : () -> tensor<16x32xf32>
  %h = func.call @layer(%x, %w) : (tensor<64x16xf32>, tensor<16x32xf32>) -> tensor<64x32xf32>
  %m = "tensorlang.reduce"(%h) {kind = "max", axis = 1 : i64} : (tensor<64x32xf32>) -> tensor<64xf32>
  "tensorlang.print"(%m) : (tensor<64xf32>) -> ()
  return
}
