#!/usr/bin/env bash
# Installs what building and testing TensorLang needs on a fresh Debian 12 machine:
# LLVM/MLIR 22 (from Debian), cmake and a C++ compiler. Idempotent: a second run only checks.
set -euo pipefail

LLVM_PREFIX=/usr/lib/llvm-22
# libpolly-22-dev: llvm-config lists libPolly.a among the static libraries, and tblgen (used by
# melior's macros at build time) links them.
PACKAGES=(llvm-22-dev libmlir-22-dev mlir-22-tools libclang-22-dev libpolly-22-dev zlib1g-dev libzstd-dev
          cmake g++ python3)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

for tool in mlir-opt mlir-runner FileCheck lit not; do
  [[ -x "$LLVM_PREFIX/bin/$tool" ]] || { echo "setup: $LLVM_PREFIX/bin/$tool is missing" >&2; exit 1; }
done
# `lit test/` is how the suite runs; Debian installs lit only under the LLVM prefix.
if ! command -v lit >/dev/null 2>&1; then
  ln -sf "$LLVM_PREFIX/bin/lit" /usr/local/bin/lit 2>/dev/null \
    || echo "setup: add $LLVM_PREFIX/bin to PATH to get lit" >&2
fi

echo "setup: LLVM/MLIR $("$LLVM_PREFIX/bin/llvm-config" --version) ready in $LLVM_PREFIX"
