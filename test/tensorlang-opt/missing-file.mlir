// A missing input file is an error naming it, with exit code 1.
// RUN: not tensorlang-opt %t.does-not-exist.mlir 2>&1 | FileCheck %s

// CHECK: cannot open input file '{{.*}}does-not-exist.mlir': No such file or directory
