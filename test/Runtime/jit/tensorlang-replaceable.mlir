// TensorLang functions are replaceable without an attribute; --replaceable adds others.
// RUN: tensorlang-run %s -e main -entry-point-result=void --replaceable=scale --swap=relu=%S/Inputs/relu-v2.mlir --swap=scale=%S/Inputs/scale-v2.mlir --swap-after=1ms -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | FileCheck %s

// CHECK: {{^}}tensor<2xf32> ( 0, 2 ){{$}}
// CHECK-NEXT: swapped
func.func @relu(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = "tensorlang.relu"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

func.func @scale() -> f32 {
  %one = arith.constant 1.0 : f32
  return %one : f32
}

func.func @main() {
  %x = "tensorlang.constant"() {value = dense<[-1.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %y = call @relu(%x) : (tensor<2xf32>) -> tensor<2xf32>
  "tensorlang.print"(%y) : (tensor<2xf32>) -> ()
  // Wait until the new @scale answers, then say so.
  %two = arith.constant 2.0 : f32
  scf.while : () -> () {
    %s = func.call @scale() : () -> f32
    %old = arith.cmpf one, %s, %two : f32
    scf.condition(%old)
  } do {
    scf.yield
  }
  vector.print str "swapped\n"
  return
}
