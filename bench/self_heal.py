#!/usr/bin/env python3
"""Self-healing benchmark: time from a failed call to the call running again with the fix
(failure-to-resumed), by repair source, side by side in one run.

Programs (--set): `corpus`, the self-healing tests in test/Runtime/self-heal that repair
(out-of-bounds sum, a buffer written before the failure, division by zero), the Lunar Lander, and
every program of the repair corpus (test/Repair/corpus); `users`, bench/programs/self-heal: classic
algorithms with one-line bugs in the shapes users write, not written for the strategies.
For each, with a fresh strategy cache:
  symbolic  --heal-sources=cache,symbolic on an empty cache (the symbolic strategies find it)
  cache     the same again: the cache has it now
  model     --heal-sources=symbolic,model --heal-model-first on an empty cache: the model (the
            embedded default unless --model/TENSORLANG_MODEL say otherwise) picks which candidate
            goes first;
            loading the model happens at the first failure and is counted
Every run's time is the `resumed_after_ms` tensorlang-run reports (--heal-report), measured in
the process from the trap to the retried call, and where it went (`phases`: localize, propose,
admit, build, trial, prove). Reported: median and range over --runs runs.
With --baseline, another build's tensorlang-run (say a checkout of an earlier commit) runs in turn
with this one on every program, and the medians are compared.
Usage: python3 bench/self_heal.py [--build release|debug] [--runs N] [--no-model]
                                  [--set corpus|users|all] [--baseline RUN]
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
# The phases of a search, as `--heal-report` gives them (`phases.<name>_ms`).
PHASES = ["localize", "propose", "admit", "build", "trial", "prove"]
CORPUS = [
    "test/Runtime/self-heal/symbolic.mlir",
    "test/Runtime/self-heal/checkpoint.mlir",
    "test/Runtime/self-heal/cache.mlir",
    "examples/lander/lander.mlir",
] + sorted(
    os.path.join("test/Repair/corpus", name)
    for name in os.listdir(os.path.join(REPO, "test/Repair/corpus"))
    if name.endswith(".mlir")
)
# Programs in the shapes users write, not written for the strategies (test drivers asserting in
# @main, views of constant globals, several functions, loops over dynamic sizes).
USERS = sorted(
    os.path.join("bench/programs/self-heal", name)
    for name in os.listdir(os.path.join(REPO, "bench/programs/self-heal"))
    if name.endswith(".mlir")
)
SETS = {"corpus": CORPUS, "users": USERS}


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


def bench_program(runners, program, sources, args):
    """Every run of `program`, runners taking turns: {runner: {source: [repair, ...]}}."""
    found = {name: {source: [] for source in sources} for name, _ in runners}
    for _ in range(args.runs):
        for name, runner in runners:
            with tempfile.TemporaryDirectory() as workdir:
                cache = os.path.join(workdir, "cache.json")
                plan = [("symbolic", "cache,symbolic", cache), ("cache", "cache,symbolic", cache)]
                if not args.no_model:
                    plan.append(("model", "symbolic,model", "none"))
                for source, heal_sources, cache_path in plan:
                    extra = ("--heal-model-first",) if source == "model" else ()
                    repair = heal(runner, program, heal_sources, cache_path, workdir, extra)
                    if repair:
                        found[name][source].append(repair)
    return found


def phase(repair, name):
    """A phase's milliseconds in `repair` (0 for a build whose report has no phases)."""
    return repair.get("phases", {}).get(f"{name}_ms", 0.0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="release", choices=["release", "debug"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument(
        "--set",
        choices=["corpus", "users", "all"],
        default="all",
        help="the programs: the self-healing tests and repair corpus, the users' set, or both",
    )
    parser.add_argument(
        "--baseline",
        help="another build's tensorlang-run, run in turn with this one on every program",
    )
    args = parser.parse_args()
    runner = os.path.join(REPO, "target", args.build, "tensorlang-run")
    if not os.path.exists(runner):
        sys.exit(f"{runner} is missing: cargo build --{args.build} --bin tensorlang-run")
    runners = [("this", runner)] + ([("baseline", args.baseline)] if args.baseline else [])
    sources = ["symbolic", "cache"] + ([] if args.no_model else ["model"])
    sets = list(SETS) if args.set == "all" else [args.set]
    for programs in sets:
        print(f"== {programs}: {len(SETS[programs])} programs")
        bench_set(runners, SETS[programs], sources, args)
        print()


def bench_set(runners, programs, sources, args):
    """Runs and reports one set of programs."""
    # Per runner and source: each program's median, and its phases' medians.
    times = {name: {source: [] for source in sources} for name, _ in runners}
    phase_times = {
        name: {source: {p: [] for p in PHASES} for source in sources} for name, _ in runners
    }
    print(
        f"{'program':42} {'build':8} {'source':9} {'strategy':24} {'cands':>5} "
        f"{'median ms':>10} {'min':>8} {'max':>8}"
    )
    for program in programs:
        found = bench_program(runners, program, sources, args)
        for name, _ in runners:
            for source in sources:
                repairs = found[name][source]
                if not repairs:
                    print(f"{program:42} {name:8} {source:9} {'(no repair)':24}")
                    continue
                ms = [repair["resumed_after_ms"] for repair in repairs]
                times[name][source].append(statistics.median(ms))
                for p in PHASES:
                    phase_times[name][source][p].append(
                        statistics.median(phase(repair, p) for repair in repairs)
                    )
                print(
                    f"{program:42} {name:8} {source:9} {repairs[0]['strategy'][:24]:24} "
                    f"{repairs[0]['candidates']:5} {statistics.median(ms):10.2f} "
                    f"{min(ms):8.2f} {max(ms):8.2f}"
                )
    print()
    for name, _ in runners:
        for source in sources:
            if not times[name][source]:
                continue
            phases = ", ".join(
                f"{p} {statistics.median(phase_times[name][source][p]):.2f}" for p in PHASES
            )
            print(
                f"{name:8} {source:9} median over programs: "
                f"{statistics.median(times[name][source]):8.2f} ms  (phase medians, ms: {phases})"
            )
    if args.baseline:
        for source in sources:
            this, base = times["this"][source], times["baseline"][source]
            if this and base:
                ratio = statistics.median(this) / statistics.median(base)
                print(f"{source:9} this / baseline: {ratio:.2f}")


if __name__ == "__main__":
    main()
