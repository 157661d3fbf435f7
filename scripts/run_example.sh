#!/usr/bin/env bash
# The main job until the JIT runner lands: installs what is missing, builds, lowers a TensorLang
# program with tensorlang-opt and runs it with upstream mlir-runner.
#   scripts/run_example.sh [FILE.mlir]    (default: examples/mlp.mlir)
set -euo pipefail
cd "$(dirname "$0")/.."

LLVM_PREFIX=/usr/lib/llvm-22
example=${1:-examples/mlp.mlir}

./scripts/setup.sh
cargo build --quiet

echo "== $example: tensorlang-opt --tensorlang-to-llvm | mlir-runner"
./target/debug/tensorlang-opt "$example" --tensorlang-to-llvm \
  | "$LLVM_PREFIX/bin/mlir-runner" -e main -entry-point-result=void \
      -shared-libs="$LLVM_PREFIX/lib/libmlir_runner_utils.so,$LLVM_PREFIX/lib/libmlir_c_runner_utils.so,target/debug/libtensorlang_checks.so"
