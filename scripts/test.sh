#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, then formatting and lints, `cargo test`,
# and the lit suite (`lit test/`).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cargo build --all-targets
cargo fmt --all --check
cargo clippy --all-targets -- -D warnings
cargo test
"$(command -v lit || echo /usr/lib/llvm-22/bin/lit)" -sv test/
