#!/usr/bin/env python3
"""What routing calls costs: a tiny matmul function that --optimize profiles but can never replace
(7x5x3: no tile of the sweep divides it), called millions of times, plain, profiled (--optimize),
recorded (--failure-report, which routes every call through the argument recorder: a copy of its
buffers per call), healed (--self-heal: every call through the self-healing runtime, which
saves a checkpoint and runs it under a guard of its own) and healed nested (the same calls made
from inside another healed function's call, so each is a guarded call two deep), side by side in
one run; medians over rounds. The program times its own loop. It runs the release build of
tensorlang-run (`cargo build --release --bin tensorlang-run`), or the one --runner names.

Usage: python3 bench/profile_overhead.py [--rounds N] [--calls N] [--runner PATH]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNNER = os.path.join(REPO, "target", "release", "tensorlang-run")
LIB = "/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so"

PROGRAM = """
func.func private @rtclock() -> f64
func.func private @printF64(f64)
func.func private @printNewline()

func.func @tiny(%a: memref<7x3xf32>, %b: memref<3x5xf32>, %c: memref<7x5xf32>) {
  linalg.matmul ins(%a, %b : memref<7x3xf32>, memref<3x5xf32>) outs(%c : memref<7x5xf32>)
  return
}

func.func @outer(%a: memref<7x3xf32>, %b: memref<3x5xf32>, %c: memref<7x5xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant CALLS : index
  scf.for %i = %c0 to %n step %c1 {
    func.call @tiny(%a, %b, %c) : (memref<7x3xf32>, memref<3x5xf32>, memref<7x5xf32>) -> ()
  }
  return
}

func.func @main() {
  %a = memref.alloc() : memref<7x3xf32>
  %b = memref.alloc() : memref<3x5xf32>
  %c = memref.alloc() : memref<7x5xf32>
  %one = arith.constant 1.0 : f32
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%one : f32) outs(%a : memref<7x3xf32>)
  linalg.fill ins(%one : f32) outs(%b : memref<3x5xf32>)
  linalg.fill ins(%zero : f32) outs(%c : memref<7x5xf32>)
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant CALLS : index
  %t0 = func.call @rtclock() : () -> f64
  LOOP
  %t1 = func.call @rtclock() : () -> f64
  %dt = arith.subf %t1, %t0 : f64
  %nf = arith.constant CALLS.0 : f64
  %e9 = arith.constant 1.0e9 : f64
  %ns = arith.mulf %dt, %e9 : f64
  %per = arith.divf %ns, %nf : f64
  func.call @printF64(%per) : (f64) -> ()
  func.call @printNewline() : () -> ()
  return
}
"""

# The loop in @main: the calls of @tiny made there, or from inside one call of @outer.
FLAT = """scf.for %i = %c0 to %n step %c1 {
    func.call @tiny(%a, %b, %c) : (memref<7x3xf32>, memref<3x5xf32>, memref<7x5xf32>) -> ()
  }"""
NESTED = """func.call @outer(%a, %b, %c) : (memref<7x3xf32>, memref<3x5xf32>, memref<7x5xf32>) -> ()"""


def run(runner, calls, flags, loop=FLAT):
    with tempfile.NamedTemporaryFile("w", suffix=".mlir", delete=False) as f:
        f.write(PROGRAM.replace("LOOP", loop).replace("CALLS", str(calls)))
    try:
        result = subprocess.run(
            [runner, f.name, "-e", "main", "-entry-point-result=void", "-O3",
             f"-shared-libs={LIB}", *flags], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    match = re.search(r"^([0-9.e+]+)$", result.stdout, re.M)
    if result.returncode != 0 or not match:
        sys.exit(f"the program failed ({flags}):\n{result.stdout}\n{result.stderr}")
    return float(match.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=5_000_000)
    parser.add_argument("--runner", default=RUNNER, help="the tensorlang-run to measure")
    args = parser.parse_args()
    plain, profiled, recorded, healed, nested = [], [], [], [], []
    heal = ["--self-heal", "--heal-cache=none"]
    with tempfile.TemporaryDirectory() as scratch:
        report = f"--failure-report={os.path.join(scratch, 'report.json')}"
        for _ in range(args.rounds):
            plain.append(run(args.runner, args.calls, []))
            profiled.append(run(args.runner, args.calls, ["--optimize"]))
            recorded.append(run(args.runner, args.calls, [report]))
            healed.append(run(args.runner, args.calls, heal))
            nested.append(run(args.runner, args.calls, heal, NESTED))
    p = statistics.median(plain)
    print(f"ns per call of a 7x5x3 matmul, median of {args.rounds}: plain {p:.2f}")
    for name, times in [("profiled (--optimize)", profiled),
                        ("recorded (--failure-report)", recorded),
                        ("healed (--self-heal)", healed),
                        ("healed nested (--self-heal, inside a healed call)", nested)]:
        q = statistics.median(times)
        print(f"  {name}: {q:.2f}, overhead {q - p:.2f} ns ({q / p:.2f}x)")


if __name__ == "__main__":
    main()
