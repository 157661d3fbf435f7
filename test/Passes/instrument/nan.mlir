// Results of the chosen float ops must be finite: |x| < inf is false for NaN and for +-Inf.
// RUN: tensorlang-opt %s --tensorlang-instrument | FileCheck %s

// CHECK-LABEL: func.func @divide
// CHECK: %[[Q:.*]] = arith.divf %arg0, %arg1 : f32
// CHECK-NEXT: %[[ABS:.*]] = math.absf %[[Q]] : f32
// CHECK-NEXT: %[[FINITE:.*]] = arith.cmpf olt, %[[ABS]], %{{.*}} : f32
// CHECK-NEXT: cf.assert %[[FINITE]], "non-finite result (NaN or Inf) of 'arith.divf'" {tensorlang.check = "nan"}
func.func @divide(%a: f32, %b: f32) -> f32 {
  %q = arith.divf %a, %b : f32
  return %q : f32
}

// CHECK-LABEL: func.func @math
// CHECK: math.sqrt
// CHECK: cf.assert {{.*}}, "non-finite result (NaN or Inf) of 'math.sqrt'" {tensorlang.check = "nan"}
// CHECK: math.log
// CHECK: cf.assert {{.*}}, "non-finite result (NaN or Inf) of 'math.log'" {tensorlang.check = "nan"}
// CHECK: math.powf
// CHECK: cf.assert {{.*}}, "non-finite result (NaN or Inf) of 'math.powf'" {tensorlang.check = "nan"}
func.func @math(%x: f64) -> f64 {
  %s = math.sqrt %x : f64
  %l = math.log %s : f64
  %p = math.powf %l, %x : f64
  return %p : f64
}

// CHECK-LABEL: func.func @not_chosen
// CHECK-NOT: cf.assert
// CHECK: return
func.func @not_chosen(%a: f32, %b: f32) -> f32 {
  %s = arith.addf %a, %b : f32
  %m = arith.mulf %s, %b : f32
  return %m : f32
}

// CHECK-LABEL: func.func @vectors_are_left_alone
// CHECK-NOT: cf.assert
// CHECK: return
func.func @vectors_are_left_alone(%a: vector<4xf32>, %b: vector<4xf32>) -> vector<4xf32> {
  %q = arith.divf %a, %b : vector<4xf32>
  return %q : vector<4xf32>
}
