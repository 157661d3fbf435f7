// The square root of a negative number is NaN: stopped where it is produced, not where it is used.
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils,%tensorlang_checks 2>&1 | FileCheck %s

// CHECK: 3
// CHECK-NEXT: {{.*}}check-nan.mlir:[[@LINE+3]]:8: error: non-finite result (NaN or Inf) of 'math.sqrt'
// CHECK-EMPTY:
func.func @root(%x: f32) -> f32 {
  %r = math.sqrt %x : f32
  return %r : f32
}

func.func @main() {
  %c9 = arith.constant 9.0 : f32
  %m1 = arith.constant -1.0 : f32
  %ok = call @root(%c9) : (f32) -> f32
  vector.print %ok : f32
  %bad = call @root(%m1) : (f32) -> f32
  vector.print %bad : f32
  return
}
