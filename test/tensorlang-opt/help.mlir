// --help lists our passes and pipeline beside upstream's.
// RUN: tensorlang-opt --help | FileCheck %s

// CHECK: OVERVIEW: TensorLang optimizer driver
// CHECK-DAG: --convert-linalg-to-loops
// CHECK-DAG: --convert-tensorlang-to-linalg
// CHECK-DAG: --tensorlang-to-llvm
// CHECK-DAG: --tensorlang-verify
