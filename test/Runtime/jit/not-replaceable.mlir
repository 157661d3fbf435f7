// Only replaceable functions can be swapped: others are called directly, without a slot.
// RUN: not tensorlang-run %s -e main -entry-point-result=void --swap=helper=%S/Inputs/step-v2.mlir --swap-after=1ms 2>&1 | FileCheck %s

// CHECK: Error: cannot replace 'helper' from '{{.*}}step-v2.mlir': function 'helper' is not replaceable (it has no hot-swap slot)
func.func @helper() {
  return
}

func.func @main() {
  call @helper() : () -> ()
  return
}
