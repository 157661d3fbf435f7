// A second run of the same program takes the repair from the strategy cache: one candidate, no
// search. The cache file starts empty.
// RUN: rm -f %t.cache.json
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic --heal-cache=%t.cache.json 2>&1 | FileCheck %s --check-prefix=FIRST
// RUN: tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=cache,symbolic --heal-cache=%t.cache.json --heal-report=%t.json 2>&1 | FileCheck %s --check-prefix=SECOND
// RUN: FileCheck %s --check-prefix=REPORT < %t.json

// FIRST: remark: self-heal: repaired 'safe_div' (symbolic strategy guard-division
// FIRST-NEXT: {{^}}5{{$}}
// SECOND: error: division by zero
// SECOND: remark: self-heal: repaired 'safe_div' (cache strategy guard-division: the cached repair (found by symbolic)); verified: a cached repair, verified in full when it was recorded, run again on the failing call (1 candidates tried)
// SECOND-NEXT: {{^}}5{{$}}
// REPORT: "call": "safe_div"
// REPORT: "kind": "div-by-zero"
// REPORT: "source": "cache"
// REPORT: "resumed_after_ms":
func.func @safe_div(%a: i32, %b: i32) -> i32 {
  %q = arith.divsi %a, %b : i32
  return %q : i32
}

func.func @main() {
  %ten = arith.constant 10 : i32
  %two = arith.constant 2 : i32
  %zero = arith.constant 0 : i32
  %x = func.call @safe_div(%ten, %zero) : (i32, i32) -> i32
  %y = func.call @safe_div(%ten, %two) : (i32, i32) -> i32
  vector.print %y : i32
  return
}
