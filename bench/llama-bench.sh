#!/usr/bin/env bash
# Builds llama.cpp's own benchmark, `llama-bench`, from the llama.cpp source that tensorlang-model
# links (vendored in the llama-cpp-sys-2 crate), with the same compiler flags, and prints its path.
#
# The crate ships llama.cpp without its tools/ folder, so the benchmark's two source files come
# from the source distribution of llama-cpp-python on PyPI (its vendored llama.cpp is one release
# older; llama-bench uses only the public llama.h API). Built once under target/llama-bench/.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT="$PWD/target/llama-bench"
BIN="$OUT/build/bin/llama-bench"
SDIST_VERSION=0.3.36
# As .cargo/config.toml: this CPU's vector units, without the AMX kernels that crash.
FLAGS="-ffunction-sections -fdata-sections -fPIC -m64 -mno-amx-tile -mno-amx-int8 -mno-amx-bf16"

if [[ -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi

sys_manifest=$(cargo metadata --format-version 1 --locked 2>/dev/null | python3 -c '
import json, sys
packages = json.load(sys.stdin)["packages"]
print(next(p["manifest_path"] for p in packages if p["name"] == "llama-cpp-sys-2"))')
source="$(dirname "$sys_manifest")/llama.cpp"
[[ -f "$source/include/llama.h" ]] || { echo "llama-bench.sh: no llama.cpp source at $source" >&2; exit 1; }

rm -rf "$OUT/src" "$OUT/sdist"
mkdir -p "$OUT/sdist"
cp -r "$source" "$OUT/src"
echo "llama-bench.sh: fetching llama-bench's sources (llama-cpp-python $SDIST_VERSION from PyPI)" >&2
python3 -m pip download --quiet --no-deps --no-binary :all: --disable-pip-version-check \
  "llama-cpp-python==$SDIST_VERSION" -d "$OUT/sdist" >&2
tar -xzf "$OUT"/sdist/llama_cpp_python-*.tar.gz -C "$OUT/sdist" \
  --wildcards '*/vendor/llama.cpp/tools/llama-bench/*'
rm -rf "$OUT/src/tools"
mkdir -p "$OUT/src/tools"
cp -r "$OUT"/sdist/llama_cpp_python-*/vendor/llama.cpp/tools/llama-bench "$OUT/src/tools/"
printf 'llama_add_compile_flags()\nadd_subdirectory(llama-bench)\n' > "$OUT/src/tools/CMakeLists.txt"

echo "llama-bench.sh: building llama-bench (a few minutes)" >&2
cmake -S "$OUT/src" -B "$OUT/build" -DCMAKE_BUILD_TYPE=Release \
  -DGGML_NATIVE=ON -DGGML_OPENMP=OFF -DLLAMA_CURL=OFF -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF \
  -DLLAMA_BUILD_APP=OFF \
  -DCMAKE_C_FLAGS="$FLAGS" -DCMAKE_CXX_FLAGS="$FLAGS" >&2
cmake --build "$OUT/build" --target llama-bench -j "$(nproc)" >&2
echo "$BIN"
