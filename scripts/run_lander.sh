#!/usr/bin/env bash
# The main job: the Lunar Lander demo. Installs what is missing, builds tensorlang-run, and flies
# examples/lander/lander.mlir: the shipped controller crashes the lander, the runtime catches the
# failure with its location, repairs the controller (strategy cache, symbolic strategies, the
# embedded model choosing), verifies the fix in a forked copy of the running program, swaps it
# in and the lander lands. Prints a readable log and writes target/lander/flight.svg.
#
#   scripts/run_lander.sh [--seed N] [--model FILE.gguf | --model-url URL] [--keep-cache]
#
# --seed N       initial altitude and velocity drawn from N (same seed, same flight; default 1)
# --keep-cache   keep the strategy cache of earlier runs: the repair then comes from it at once
set -euo pipefail
cd "$(dirname "$0")/.."

LLVM_PREFIX=/usr/lib/llvm-22
seed=1
keep_cache=0
model_flags=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed=$2; shift 2 ;;
    --seed=*) seed=${1#*=}; shift ;;
    --model|--model-url) model_flags+=("$1=$2"); shift 2 ;;
    --model=*|--model-url=*) model_flags+=("$1"); shift ;;
    --keep-cache) keep_cache=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "run_lander.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$seed" in ''|*[!0-9]*) echo "run_lander.sh: --seed takes a whole number" >&2; exit 2 ;; esac

./scripts/setup.sh
cargo build --quiet --release --bin tensorlang-run

out=target/lander
mkdir -p "$out"
export NEUROJIT_CACHE_DIR="$PWD/$out/neurojit"
if [ "$keep_cache" = 0 ]; then rm -rf "$NEUROJIT_CACHE_DIR"; fi

# The seed moves the start: altitude 90..110 m, velocity -9..-7 m/s.
altitude=$(( 90 + (seed * 7919) % 21 ))
velocity_tenths=$(( 70 + (seed * 104729) % 21 ))
program="$out/lander-seed-$seed.mlir"
sed -e "s/%initial_altitude = arith.constant 100.0 : f32/%initial_altitude = arith.constant $altitude.0 : f32/" \
    -e "s/%initial_velocity = arith.constant -8.0 : f32/%initial_velocity = arith.constant -$((velocity_tenths / 10)).$((velocity_tenths % 10)) : f32/" \
    examples/lander/lander.mlir > "$program"

echo "== Lunar Lander, seed $seed: from $altitude m at -$((velocity_tenths / 10)).$((velocity_tenths % 10)) m/s"
status=0
./target/release/tensorlang-run "$program" -e main -entry-point-result=void \
  -shared-libs="$LLVM_PREFIX/lib/libmlir_c_runner_utils.so" \
  --self-heal --heal-output=live --heal-report="$out/heal.json" ${model_flags[@]+"${model_flags[@]}"} \
  > "$out/flight.txt" 2>&1 || status=$?
python3 examples/lander/report.py "$out/flight.txt" "$out/heal.json" "$out/flight.svg" || status=1
exit "$status"
