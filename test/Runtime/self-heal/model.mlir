// The model writes the repair (a scripted model here): its first function still divides by
// zero and is turned down by the trial run, the second, told why, passes and is swapped in.
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=model --heal-cache=none --model-script=%S/Inputs/ratio.jsonl --heal-report=%t.json 2>&1 | FileCheck %s
// RUN: FileCheck %s --check-prefix=REPORT < %t.json

// CHECK: error: division by zero in 'arith.divsi'
// CHECK: remark: self-heal: repaired 'ratio' (model strategy model-rewrite: the function @ratio as the model wrote it); verified: in a forked copy of the running program, the failed call and the rest of the run passed every check, and so did a run of the entry point from the start (2 candidates tried)
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}3{{$}}
// REPORT: "source": "model"
// REPORT: "candidates": 2
func.func @ratio(%a: i32, %b: i32) -> i32 {
  %q = arith.divsi %a, %b : i32
  return %q : i32
}

func.func @main() {
  %seven = arith.constant 7 : i32
  %two = arith.constant 2 : i32
  %zero = arith.constant 0 : i32
  %x = func.call @ratio(%seven, %zero) : (i32, i32) -> i32
  vector.print %x : i32
  %y = func.call @ratio(%seven, %two) : (i32, i32) -> i32
  vector.print %y : i32
  return
}
