// A check whose condition folds to false fails whenever it runs: the pass warns at its location.
// RUN: tensorlang-opt %s --tensorlang-instrument --verify-diagnostics -o /dev/null

func.func @divide_by_zero(%a: i32) -> i32 {
  %zero = arith.constant 0 : i32
  // expected-warning @+1 {{this check always fails: division by zero in 'arith.divsi'}}
  %q = arith.divsi %a, %zero : i32
  return %q : i32
}

func.func @past_the_end(%m: memref<4xf32>) -> f32 {
  %c4 = arith.constant 4 : index
  // expected-warning @+1 {{this check always fails: out-of-bounds access}}
  %v = memref.load %m[%c4] : memref<4xf32>
  return %v : f32
}

func.func @user_assert() {
  %false = arith.constant false
  // expected-warning @+1 {{this check always fails: never true}}
  cf.assert %false, "never true"
  return
}
