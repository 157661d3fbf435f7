// -entry-point-result picks how the entry is called and its result printed, like mlir-runner.
// RUN: tensorlang-run %s -e answer_i32 -entry-point-result=i32 | FileCheck %s --check-prefix=I32
// RUN: tensorlang-run %s -e answer_i64 --entry-point-result=i64 -O3 | FileCheck %s --check-prefix=I64
// RUN: tensorlang-run %s -e answer_f32 -O0 | FileCheck %s --check-prefix=F32

// I32: {{^}}-7{{$}}
func.func @answer_i32() -> i32 {
  %0 = arith.constant -7 : i32
  return %0 : i32
}

// I64: {{^}}8589934592{{$}}
func.func @answer_i64() -> i64 {
  %0 = arith.constant 8589934592 : i64
  return %0 : i64
}

// F32: {{^}}-1.250000e-01{{$}}
func.func @answer_f32() -> f32 {
  %0 = arith.constant -0.125 : f32
  return %0 : f32
}
