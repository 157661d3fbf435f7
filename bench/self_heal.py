#!/usr/bin/env python3
"""Self-healing benchmark: time from a failed call to the call running again with the fix
(failure-to-resumed), by repair source, side by side in one run.

Programs: the self-healing tests in test/Runtime/self-heal that repair (out-of-bounds sum,
a buffer written before the failure, division by zero), the Lunar Lander, and every program of
the repair corpus (test/Repair/corpus). For each, with a fresh strategy cache:
  symbolic  --heal-sources=cache,symbolic on an empty cache (the symbolic strategies find it)
  cache     the same again: the cache has it now
  model     --heal-sources=symbolic,model --heal-model-first on an empty cache: the model (the
            embedded default unless --model/TENSORLANG_MODEL say otherwise) picks which candidate
            goes first;
            loading the model happens at the first failure and is counted
Every run's time is the `resumed_after_ms` tensorlang-run reports (--heal-report), measured in
the process from the trap to the retried call. Reported: median and range over --runs runs.
Usage: python3 bench/self_heal.py [--build release|debug] [--runs N] [--no-model]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB = "/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so"
PROGRAMS = [
    "test/Runtime/self-heal/symbolic.mlir",
    "test/Runtime/self-heal/checkpoint.mlir",
    "test/Runtime/self-heal/cache.mlir",
    "examples/lander/lander.mlir",
] + sorted(
    os.path.join("test/Repair/corpus", name)
    for name in os.listdir(os.path.join(REPO, "test/Repair/corpus"))
    if name.endswith(".mlir")
)


def heal(runner, program, sources, cache, workdir, extra=()):
    """One run: the report's first repair, or None."""
    report = os.path.join(workdir, "heal.json")
    if os.path.exists(report):
        os.remove(report)
    env = dict(os.environ, NEUROJIT_CACHE_DIR=os.path.join(workdir, "neurojit"))
    command = [
        runner, os.path.join(REPO, program), "-e", "main", "-entry-point-result=void",
        f"-shared-libs={LIB}", "--self-heal", f"--heal-sources={sources}",
        f"--heal-cache={cache}", f"--heal-report={report}", *extra,
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0 or not os.path.exists(report):
        return None
    with open(report) as f:
        attempts = json.load(f)
    # The first attempt that swapped a repair in (a callee's attempt may come first and fail).
    return next((a["repair"] for a in attempts if a.get("repair")), None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="release", choices=["release", "debug"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-model", action="store_true")
    args = parser.parse_args()
    runner = os.path.join(REPO, "target", args.build, "tensorlang-run")
    if not os.path.exists(runner):
        sys.exit(f"{runner} is missing: cargo build --{args.build} --bin tensorlang-run")
    sources = ["symbolic", "cache"] + ([] if args.no_model else ["model"])
    times = {source: [] for source in sources}
    print(f"{'program':42} {'source':9} {'strategy':24} {'cands':>5} {'median ms':>10} {'min':>8} {'max':>8}")
    for program in PROGRAMS:
        rows = {source: [] for source in sources}
        found = {}
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as workdir:
                cache = os.path.join(workdir, "cache.json")
                plan = [("symbolic", "cache,symbolic", cache), ("cache", "cache,symbolic", cache)]
                if not args.no_model:
                    plan.append(("model", "symbolic,model", "none"))
                for source, heal_sources, cache_path in plan:
                    extra = ("--heal-model-first",) if source == "model" else ()
                    repair = heal(runner, program, heal_sources, cache_path, workdir, extra)
                    if repair:
                        rows[source].append(repair["resumed_after_ms"])
                        found[source] = repair
        for source in sources:
            if not rows[source]:
                print(f"{program:42} {source:9} {'(no repair)':24}")
                continue
            repair = found[source]
            times[source].append(statistics.median(rows[source]))
            print(
                f"{program:42} {source:9} {repair['strategy'][:24]:24} {repair['candidates']:5} "
                f"{statistics.median(rows[source]):10.2f} {min(rows[source]):8.2f} {max(rows[source]):8.2f}"
            )
    print()
    for source in sources:
        if times[source]:
            print(f"{source:9} median over programs: {statistics.median(times[source]):8.2f} ms")


if __name__ == "__main__":
    main()
