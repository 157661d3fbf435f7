#!/usr/bin/env python3
"""Runtime benchmarks of tensorlang-run, each side by side with its peer in one run (medians).

conformance  Wall time of the upstream runner conformance suite (../shared/conformance) under
             lit, with tensorlang-run (cold: an empty object cache each round; warm: the cache of
             the previous round) and with upstream mlir-runner, rounds alternating the order.
slots        A tight loop calling a small noinline function directly and through a hot-swap slot,
             both loops in one tensorlang-run process at -O3, alternating which goes first;
             for a trivial callee (one add: the worst case) and a 16-step dot product.

Compile-and-swap latency is `cargo bench -p tensorlang-jit --bench swap`.
Usage: python3 bench/runtime.py [--rounds N] [conformance] [slots]
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LLVM = os.environ.get("TENSORLANG_LLVM_PREFIX", "/usr/lib/llvm-22")
BUILD = os.path.join(REPO, "target", "release")
RUNNER = os.path.join(BUILD, "tensorlang-run")
SUITE = os.path.join(os.path.dirname(REPO), "shared", "conformance", "tests")
LIT = shutil.which("lit") or os.path.join(LLVM, "bin", "lit")
C_RUNNER_UTILS = os.path.join(LLVM, "lib", "libmlir_c_runner_utils.so")

CALLEES = {
    # One add: the call is all there is, so this is the indirection's worst case.
    "add": """
  %s = llvm.add %x, %y : i64
  llvm.return %s : i64""",
    # A 16-step multiply-accumulate loop: a small function that does some work.
    "dot16": """
  %zero = llvm.mlir.constant(0 : i64) : i64
  %one = llvm.mlir.constant(1 : i64) : i64
  %sixteen = llvm.mlir.constant(16 : i64) : i64
  llvm.br ^head(%zero, %x : i64, i64)
^head(%k: i64, %acc: i64):
  %more = llvm.icmp "slt" %k, %sixteen : i64
  llvm.cond_br %more, ^body, ^done
^body:
  %a = llvm.add %y, %k : i64
  %b = llvm.mul %a, %a : i64
  %c = llvm.xor %acc, %b : i64
  %next = llvm.add %k, %one : i64
  llvm.br ^head(%next, %c : i64, i64)
^done:
  llvm.return %acc : i64""",
}

PROGRAM = """
llvm.func @rtclock() -> f64
llvm.func @printF64(f64)
llvm.func @printI64(i64)
llvm.func @printNewline()
llvm.func @f_direct(%x: i64, %y: i64) -> i64 attributes {no_inline} {BODY
}
llvm.func @f_slot(%x: i64, %y: i64) -> i64 attributes {no_inline} {BODY
}
LOOPS
llvm.func @main() {
  %n = llvm.mlir.constant(CALLS : i64) : i64
ROUNDS
  llvm.return
}
"""

LOOP = """
llvm.func @loop_KIND(%n: i64) -> i64 {
  %zero = llvm.mlir.constant(0 : i64) : i64
  %one = llvm.mlir.constant(1 : i64) : i64
  llvm.br ^head(%zero, %zero : i64, i64)
^head(%i: i64, %acc: i64):
  %more = llvm.icmp "slt" %i, %n : i64
  llvm.cond_br %more, ^body, ^done
^body:
  %next = llvm.call @f_KIND(%acc, %i) : (i64, i64) -> i64
  %j = llvm.add %i, %one : i64
  llvm.br ^head(%j, %next : i64, i64)
^done:
  llvm.return %acc : i64
}
llvm.func @time_KIND(%n: i64) {
  %code = llvm.mlir.constant(CODE : i64) : i64
  %start = llvm.call @rtclock() : () -> f64
  %sum = llvm.call @loop_KIND(%n) : (i64) -> i64
  %end = llvm.call @rtclock() : () -> f64
  %elapsed = llvm.fsub %end, %start : f64
  llvm.call @printI64(%code) : (i64) -> ()
  llvm.call @printNewline() : () -> ()
  llvm.call @printF64(%elapsed) : (f64) -> ()
  llvm.call @printNewline() : () -> ()
  llvm.call @printI64(%sum) : (i64) -> ()
  llvm.call @printNewline() : () -> ()
  llvm.return
}
"""


def slot_program(callee, rounds, calls):
    loops = "".join(LOOP.replace("KIND", kind).replace("CODE", str(code))
                    for code, kind in enumerate(["direct", "slot"]))
    order = []
    for r in range(rounds):
        pair = ["direct", "slot"] if r % 2 == 0 else ["slot", "direct"]
        order += [f"  llvm.call @time_{kind}(%n) : (i64) -> ()" for kind in pair]
    return (PROGRAM.replace("BODY", CALLEES[callee]).replace("LOOPS", loops)
            .replace("CALLS", str(calls)).replace("ROUNDS", "\n".join(order)))


def bench_slots(rounds):
    print("slot indirection (tensorlang-run -O3, median seconds per loop):")
    for callee, calls in [("add", 100_000_000), ("dot16", 20_000_000)]:
        with tempfile.NamedTemporaryFile("w", suffix=".mlir", delete=False) as source:
            source.write(slot_program(callee, rounds, calls))
        out = subprocess.run(
            [RUNNER, source.name, "-e", "main", "-entry-point-result=void", "-O3", "--no-cache",
             "--replaceable=f_slot", "-shared-libs=" + C_RUNNER_UTILS],
            check=True, capture_output=True, text=True).stdout.split()
        os.unlink(source.name)
        times = {0: [], 1: []}
        for code, seconds in zip(out[0::3], out[1::3]):
            times[int(code)].append(float(seconds))
        direct, slot = statistics.median(times[0]), statistics.median(times[1])
        print(f"  {callee:6} {calls:>11,} calls  direct {direct:.4f}  slot {slot:.4f}  "
              f"per call +{(slot - direct) / calls * 1e9:.2f} ns  ({(slot / direct - 1) * 100:+.1f}%)")


def run_suite(runner, cache):
    env = dict(os.environ, PEER_EXEC_ROOT=tempfile.mkdtemp(prefix="conformance-"),
               NEUROJIT_CACHE_DIR=cache)
    if runner:
        env["PEER_MLIR_RUNNER"] = runner
    start = time.perf_counter()
    result = subprocess.run([LIT, "-q", SUITE], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    shutil.rmtree(env["PEER_EXEC_ROOT"], ignore_errors=True)
    if result.returncode != 0:
        sys.exit(f"the conformance suite failed with {runner or 'mlir-runner'}:\n{result.stdout}")
    return elapsed


def bench_conformance(rounds):
    if not os.path.isdir(SUITE):
        print(f"conformance: {SUITE} not found, skipped")
        return
    warm_cache = tempfile.mkdtemp(prefix="neurojit-warm-")
    times = {"mlir-runner": [], "tensorlang-run cold": [], "tensorlang-run warm": []}
    run_suite(RUNNER, warm_cache)  # fills the warm cache
    for r in range(rounds):
        variants = list(times)
        for name in variants[r % 3:] + variants[:r % 3]:
            if name == "mlir-runner":
                times[name].append(run_suite(None, tempfile.mkdtemp()))
            elif name.endswith("cold"):
                cold = tempfile.mkdtemp(prefix="neurojit-cold-")
                times[name].append(run_suite(RUNNER, cold))
                shutil.rmtree(cold)
            else:
                times[name].append(run_suite(RUNNER, warm_cache))
    shutil.rmtree(warm_cache)
    base = statistics.median(times["mlir-runner"])
    print(f"conformance suite wall time (28 files, lit, median of {rounds}):")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:20} {median:6.2f} s   ratio {median / base:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("which", nargs="*", default=["conformance", "slots"])
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "tensorlang-run"],
                   cwd=REPO, check=True)
    if "conformance" in args.which:
        bench_conformance(args.rounds)
    if "slots" in args.which:
        bench_slots(args.rounds)


if __name__ == "__main__":
    main()
