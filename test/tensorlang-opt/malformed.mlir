// Malformed IR and unknown ops get located errors, not crashes.
// RUN: tensorlang-opt %s --split-input-file --verify-diagnostics

func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expected '{' to begin a region}}
  %0 = "tensorlang.relu"(%a) (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @f(%a: tensor<4xf32>) {
  // expected-error @+1 {{unregistered operation 'tensorlang.sigmoid' found in dialect ('tensorlang')}}
  %0 = "tensorlang.sigmoid"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// expected-error @+1 {{use of undeclared SSA value name}}
func.func @f() -> tensor<4xf32> { return %nothing : tensor<4xf32> }
