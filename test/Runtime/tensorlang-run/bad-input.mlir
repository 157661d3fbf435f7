// A missing shared library, a missing file and IR that does not lower are clear errors, exit 1.
// RUN: not tensorlang-run %s -e main -entry-point-result=void -shared-libs=%t/libnothere.so 2>&1 | FileCheck %s --check-prefix=LIBRARY
// RUN: not tensorlang-run %t/nothere.mlir 2>&1 | FileCheck %s --check-prefix=FILE
// RUN: not tensorlang-run %S/Inputs/does-not-lower.mlir 2>&1 | FileCheck %s --check-prefix=LOWER
// RUN: not tensorlang-run %S/Inputs/does-not-parse.mlir 2>&1 | FileCheck %s --check-prefix=PARSE

// LIBRARY: Error: cannot load shared library '{{.*}}libnothere.so': no such file
// FILE: Error: cannot open input file '{{.*}}nothere.mlir'
// LOWER: does-not-lower.mlir:4:8: error: 'complex.create' was not lowered to the LLVM dialect (tensorlang-to-llvm has no lowering for it)
// LOWER: Error: could not lower the input IR to the LLVM dialect
// PARSE: does-not-parse.mlir:3:10: error: use of undeclared SSA value name
// PARSE: Error: could not parse the input IR
func.func @main() {
  return
}
