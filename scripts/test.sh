#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, then formatting and lints, `cargo test`,
# the lit suite (`lit test/`), the lander demo and the conformance suite.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cargo build --all-targets
cargo fmt --all --check
cargo clippy --all-targets -- -D warnings
cargo test
"$(command -v lit || echo /usr/lib/llvm-22/bin/lit)" -sv test/

# The main job, end to end with the embedded model: the lander must land.
./scripts/run_lander.sh

# Upstream MLIR's integration tests with tensorlang-run and tensorlang-opt in place of mlir-runner
# and mlir-opt, where the suite is present beside the repository (it is not copied into it).
conformance="$(cd .. && pwd)/shared/conformance/tests"
if [ -d "$conformance" ]; then
  PEER_MLIR_RUNNER="$PWD/target/debug/tensorlang-run" \
    PEER_MLIR_OPT="$PWD/target/debug/tensorlang-opt" \
    PEER_EXEC_ROOT="$PWD/target/conformance" \
    NEUROJIT_CACHE_DIR="$PWD/target/conformance/neurojit" \
    "$(command -v lit || echo /usr/lib/llvm-22/bin/lit)" -sv "$conformance"
else
  echo "conformance suite not found at $conformance: skipped"
fi
