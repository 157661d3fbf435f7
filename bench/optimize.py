#!/usr/bin/env python3
"""--optimize benchmark: f32 matmul GFLOP/s, side by side in one run, medians over rounds.

  naive      tensorlang-run -O3 without --optimize (linalg.matmul lowered to loops)
  optimize   tensorlang-run -O3 --optimize --optimize-first: the variant it swaps in, in steady
             state (the program times its own calls after the search)
  live       (512 only) tensorlang-run -O3 --optimize with an empty cache, the search running
             while the program does: 20 calls, then 50 timed ones, as
             examples/optimize/matmul.mlir; the remark says when the swap came
  remembered (512 only) the same program again with the cache the live run left: the winner is
             checked against its remembered result and swapped in before the first call
  OpenBLAS   numpy's matmul on the same shapes, all cores (installed into target/bench-venv;
             OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for it, and its kernel reported)

The programs are examples/optimize/matmul.mlir with the size, the warm-up and the number of timed
calls changed; each checks sampled entries of C exactly.

The second kernel is examples/optimize/conv.mlir, a 3x3 convolution (NHWC 1x58x58x64 input, HWCF
3x3x64x128 filter): naive, --optimize in steady state, live (3 calls, then 10 timed), and
OpenBLAS through numpy computing it the same way (im2col: the windows copied into a 3136x576
matrix, then one matmul with the filter as 576x128), the copy included in its time.
Usage: python3 bench/optimize.py [--rounds N] [--sizes 512,1024] [--no-conv]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(REPO, "examples", "optimize", "matmul.mlir")
CONV = os.path.join(REPO, "examples", "optimize", "conv.mlir")
RUNNER = os.path.join(REPO, "target", "release", "tensorlang-run")
LIB = "/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so"
VENV = os.path.join(REPO, "target", "bench-venv")


def program(n, warm, runs):
    text = open(EXAMPLE).read()
    text = text.replace("512x512", f"{n}x{n}").replace("constant 512 : index", f"constant {n} : index")
    text = text.replace("%warm = arith.constant 20 : index", f"%warm = arith.constant {warm} : index")
    text = text.replace("%runs = arith.constant 50 : index", f"%runs = arith.constant {runs} : index")
    flops = 2.0 * n ** 3 * runs
    return text.replace("arith.constant 1.34217728e10 : f64", f"arith.constant {flops:e} : f64")


def run_program(text, flags, cache):
    """GFLOP/s the program reports, and when the swap came (ms after the start), if it did."""
    with tempfile.NamedTemporaryFile("w", suffix=".mlir", delete=False) as f:
        f.write(text)
    try:
        result = subprocess.run(
            [RUNNER, f.name, "-e", "main", "-entry-point-result=void", "-O3",
             f"-shared-libs={LIB}", *flags], capture_output=True, text=True,
            env={**os.environ, "NEUROJIT_CACHE_DIR": cache})
    finally:
        os.unlink(f.name)
    match = re.search(r"GFLOP/s: ([0-9.e+]+)", result.stdout)
    if result.returncode != 0 or not match or "checked" not in result.stdout:
        sys.exit(f"the program failed ({flags}):\n{result.stdout}\n{result.stderr}")
    swap = re.search(r"swapped in ([0-9]+) ms after the start", result.stderr)
    return float(match.group(1)), float(swap.group(1)) if swap else None


def numpy_python():
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", "numpy", "threadpoolctl"], check=True)
    return python


OPENBLAS = r"""
import sys, time, numpy as np, threadpoolctl
n, runs = int(sys.argv[1]), int(sys.argv[2])
a = np.random.rand(n, n).astype(np.float32); b = np.random.rand(n, n).astype(np.float32)
for _ in range(3): a @ b
t = time.perf_counter()
for _ in range(runs): a @ b
print(2.0 * n ** 3 * runs / (time.perf_counter() - t) / 1e9)
info = threadpoolctl.threadpool_info()[0]
print(info.get("architecture"), info.get("num_threads"), file=sys.stderr)
"""


OPENBLAS_CONV = r"""
import sys, time, numpy as np
from numpy.lib.stride_tricks import sliding_window_view
runs = int(sys.argv[1])
x = np.random.rand(1, 58, 58, 64).astype(np.float32)
w = np.random.rand(3, 3, 64, 128).astype(np.float32)
def conv():
    windows = sliding_window_view(x, (3, 3), axis=(1, 2))          # 1x56x56x64x3x3
    col = np.ascontiguousarray(windows.transpose(0, 1, 2, 4, 5, 3)).reshape(3136, 576)
    return col @ w.reshape(576, 128)
for _ in range(3): conv()
t = time.perf_counter()
for _ in range(runs): conv()
print(2.0 * 3136 * 128 * 576 * runs / (time.perf_counter() - t) / 1e9)
"""


def conv_program(warm, runs):
    text = open(CONV).read()
    text = text.replace("%warm = arith.constant 3 : index", f"%warm = arith.constant {warm} : index")
    text = text.replace("%runs = arith.constant 10 : index", f"%runs = arith.constant {runs} : index")
    flops = 2.0 * 3136 * 128 * 576 * runs
    return text.replace("arith.constant 4.62422016e9 : f64", f"arith.constant {flops:e} : f64")


def openblas_conv(python, runs):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    result = subprocess.run([python, "-c", OPENBLAS_CONV, str(runs)], capture_output=True,
                            text=True, env=env, check=True)
    return float(result.stdout)


def conv_rows(python, rounds):
    samples = {k: [] for k in ("naive", "optimize", "live", "live swap ms", "OpenBLAS")}
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as cache:
            samples["naive"].append(run_program(conv_program(0, 2), [], cache)[0])
        with tempfile.TemporaryDirectory() as cache:
            samples["optimize"].append(run_program(
                conv_program(0, 20), ["--optimize", "--optimize-first"], cache)[0])
        with tempfile.TemporaryDirectory() as cache:
            rate, swap = run_program(conv_program(3, 10), ["--optimize"], cache)
            samples["live"].append(rate)
            if swap is not None:
                samples["live swap ms"].append(swap)
        samples["OpenBLAS"].append(openblas_conv(python, 20))
    return {k: statistics.median(v) for k, v in samples.items() if v}


def openblas(python, n, runs):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    result = subprocess.run([python, "-c", OPENBLAS, str(n), str(runs)], capture_output=True,
                            text=True, env=env, check=True)
    return float(result.stdout), result.stderr.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="512,1024")
    parser.add_argument("--no-conv", action="store_true", help="leave out the convolution")
    args = parser.parse_args()
    if not os.path.exists(RUNNER):
        sys.exit(f"{RUNNER} not found: cargo build --release first")
    python = numpy_python()
    rows = []
    kernel = ""
    for n in (int(s) for s in args.sizes.split(",")):
        runs = max(5, 50 * 512 ** 3 // n ** 3)
        samples = {k: [] for k in
                   ("naive", "optimize", "live", "live swap ms", "remembered",
                    "remembered swap ms", "OpenBLAS")}
        for _ in range(args.rounds):
            with tempfile.TemporaryDirectory() as cache:
                samples["naive"].append(run_program(program(n, 0, 2), [], cache)[0])
            with tempfile.TemporaryDirectory() as cache:
                samples["optimize"].append(run_program(
                    program(n, 0, runs), ["--optimize", "--optimize-first"], cache)[0])
            if n == 512:
                with tempfile.TemporaryDirectory() as cache:
                    for kind in ("live", "remembered"):
                        rate, swap = run_program(program(n, 20, 50), ["--optimize"], cache)
                        samples[kind].append(rate)
                        if swap is not None:
                            samples[f"{kind} swap ms"].append(swap)
            rate, kernel = openblas(python, n, runs)
            samples["OpenBLAS"].append(rate)
        medians = {k: statistics.median(v) for k, v in samples.items() if v}
        rows.append((n, medians))
        print(f"{n}: " + ", ".join(f"{k} {v:.1f}" for k, v in medians.items()), flush=True)
    print(f"\nOpenBLAS kernel and threads: {kernel}; cores: {os.cpu_count()}")
    print("| n | naive GFLOP/s | --optimize (steady) | live (swap ms) | remembered (swap ms) "
          "| OpenBLAS | optimize / OpenBLAS | live / OpenBLAS |")
    print("|---|---|---|---|---|---|---|---|")
    cell = lambda m, k: (f"{m[k]:.1f} ({m.get(k + ' swap ms', float('nan')):.0f})"
                         if k in m else "-")
    for n, m in rows:
        live_ratio = f"{m['live'] / m['OpenBLAS']:.2f}" if "live" in m else "-"
        print(f"| {n} | {m['naive']:.2f} | {m['optimize']:.1f} | {cell(m, 'live')} | "
              f"{cell(m, 'remembered')} | {m['OpenBLAS']:.1f} | "
              f"{m['optimize'] / m['OpenBLAS']:.2f} | {live_ratio} |")
    if not args.no_conv:
        c = conv_rows(python, args.rounds)
        print("\n| conv 1x58x58x64 * 3x3x64x128 | naive GFLOP/s | --optimize (steady) | "
              "live (swap ms) | OpenBLAS (numpy im2col + matmul) | optimize / OpenBLAS | "
              "live / OpenBLAS |")
        print("|---|---|---|---|---|---|---|")
        print(f"| | {c['naive']:.2f} | {c['optimize']:.1f} | {cell(c, 'live')} | "
              f"{c['OpenBLAS']:.1f} | {c['optimize'] / c['OpenBLAS']:.2f} | "
              f"{c['live'] / c['OpenBLAS']:.2f} |")


if __name__ == "__main__":
    main()
