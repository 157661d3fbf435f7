// A symbol @__tensorlang_checks that is not a check table is reported, not overwritten.
// RUN: tensorlang-opt %s --tensorlang-lower-asserts --verify-diagnostics

// expected-error @+1 {{cannot extend the check table @__tensorlang_checks: not a check table}}
llvm.mlir.global internal constant @__tensorlang_checks("something else\00") {addr_space = 0 : i32}

func.func @f(%ok: i1) {
  cf.assert %ok, "new"
  return
}
