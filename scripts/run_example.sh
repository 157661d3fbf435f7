#!/usr/bin/env bash
# The main job until the lander demo lands: installs what is missing, builds, and runs a TensorLang
# program with tensorlang-run (lowered, compiled and run in one process, under the crash guard).
#   scripts/run_example.sh [FILE.mlir]    (default: examples/mlp.mlir)
set -euo pipefail
cd "$(dirname "$0")/.."

LLVM_PREFIX=/usr/lib/llvm-22
example=${1:-examples/mlp.mlir}

./scripts/setup.sh
cargo build --quiet

echo "== tensorlang-run $example"
./target/debug/tensorlang-run "$example" -e main -entry-point-result=void -O2 \
  -shared-libs="$LLVM_PREFIX/lib/libmlir_runner_utils.so,$LLVM_PREFIX/lib/libmlir_c_runner_utils.so"
