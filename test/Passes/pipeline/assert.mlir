// A failing tensorlang.assert stops the program (lowered to cf.assert, which aborts, until the
// instrumentation issue routes failures to the runtime); a holding one lets it go on.
// RUN: tensorlang-opt %s --tensorlang-to-llvm | not --crash mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils

func.func @main() {
  %speed = arith.constant 9.0 : f32
  %limit = arith.constant 2.0 : f32
  %true = arith.constant true
  "tensorlang.assert"(%true) {message = "always holds"} : (i1) -> ()
  %ok = arith.cmpf olt, %speed, %limit : f32
  "tensorlang.assert"(%ok) {message = "landing speed within limits"} : (i1) -> ()
  return
}
