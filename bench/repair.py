#!/usr/bin/env python3
"""Repair benchmark: the corpus in test/Repair/corpus (one bug class per file, each with a test
driver @main whose asserts are the specification), repaired by `tensorlang-opt --neuro-repair`
from each source, side by side in one run.

For every case: `tensorlang-run` writes the failure report, then
  symbolic  sources=symbolic, no cache
  model     sources=model: the model writes replacement functions (--model-rounds, default 1)
  choice    sources=symbolic,model model-first=true: the model picks which symbolic candidate
            goes first
  cache     sources=cache, after the symbolic run filled a fresh cache
and a repaired program is checked to run with every check passing. Reported: success per class
and source, and the median engine time per successful repair (the time the remark reports:
candidates, admission and sandboxed runs, without loading the model).

The model is the embedded default unless TENSORLANG_MODEL / TENSORLANG_MODEL_URL say otherwise.
Usage: python3 bench/repair.py [--build release|debug] [--model-rounds N] [--sources a,b,...]
"""

import argparse
import glob
import os
import re
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(REPO, "test", "Repair", "corpus")
REMARK = re.compile(r"remark: neuro-repair: repaired '([^']+)' .*?: (\w+) strategy (\S+): .*\((\d+) ms\)")


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


# The runner utilities (vector.print) some cases print with.
LIB = "/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so"


def repair(tools, case, report, options, output):
    """One --neuro-repair run: (source, strategy, engine ms) of the repair, or None."""
    result = run(
        [tools["opt"], case, f"--neuro-repair=report={report} shared-libs={LIB} {options}",
         "-o", output]
    )
    match = REMARK.search(result.stderr)
    if not match:
        return None
    check = run([tools["run"], output, "-e", "main", "-entry-point-result=void",
                 f"-shared-libs={LIB}"])
    if check.returncode != 0:
        sys.exit(f"{case}: the repaired program fails:\n{check.stderr}")
    return match.group(2), match.group(3), int(match.group(4))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="release", choices=["release", "debug"])
    parser.add_argument("--model-rounds", type=int, default=1)
    parser.add_argument("--sources", default="symbolic,model,choice,cache")
    args = parser.parse_args()
    build = os.path.join(REPO, "target", args.build)
    tools = {"opt": os.path.join(build, "tensorlang-opt"), "run": os.path.join(build, "tensorlang-run")}
    for tool in tools.values():
        if not os.path.exists(tool):
            sys.exit(f"{tool} not found: cargo build --{args.build} first")
    configs = {
        "symbolic": "sources=symbolic cache=none",
        "model": f"sources=model model=default model-rounds={args.model_rounds} cache=none",
        "choice": "sources=symbolic,model model-first=true model=default model-rounds=0 cache=none",
        "cache": "sources=cache cache={cache}",
    }
    wanted = [name for name in args.sources.split(",") if name in configs]
    results = {name: {} for name in wanted}
    cases = sorted(glob.glob(os.path.join(CORPUS, "*.mlir")))
    with tempfile.TemporaryDirectory() as scratch:
        env_cache = os.path.join(scratch, "cache.json")
        for case in cases:
            name = os.path.splitext(os.path.basename(case))[0]
            report = os.path.join(scratch, name + ".json")
            failed = run([tools["run"], case, "-e", "main", "-entry-point-result=void",
                          f"-shared-libs={LIB}", f"--failure-report={report}"])
            if failed.returncode == 0:
                sys.exit(f"{case}: the bug does not show")
            if "cache" in wanted:
                # Fill the cache with the symbolic repair first.
                repair(tools, case, report, f"sources=symbolic cache={env_cache}",
                       os.path.join(scratch, name + ".seed.mlir"))
            for config in wanted:
                options = configs[config].format(cache=env_cache)
                output = os.path.join(scratch, f"{name}.{config}.mlir")
                results[config][name] = repair(tools, case, report, options, output)
                outcome = results[config][name]
                shown = f"{outcome[0]}/{outcome[1]} {outcome[2]} ms" if outcome else "no repair"
                print(f"{name:<22} {config:<9} {shown}", flush=True)
    print()
    print(f"{'class':<22}" + "".join(f"{config:>26}" for config in wanted))
    for case in cases:
        name = os.path.splitext(os.path.basename(case))[0]
        cells = []
        for config in wanted:
            outcome = results[config][name]
            cells.append(f"{outcome[1]} {outcome[2]} ms" if outcome else "-")
        print(f"{name:<22}" + "".join(f"{cell:>26}" for cell in cells))
    print()
    for config in wanted:
        done = [outcome for outcome in results[config].values() if outcome]
        median = statistics.median(outcome[2] for outcome in done) if done else float("nan")
        winners = {}
        for outcome in done:
            winners[outcome[0]] = winners.get(outcome[0], 0) + 1
        print(f"{config:<9} repaired {len(done)}/{len(cases)}, median {median:.0f} ms per repair, "
              f"found by {winners}")


if __name__ == "__main__":
    main()
