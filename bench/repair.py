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
With --ranking it compares instead the order the symbolic candidates are tried in: the built-in
order against the order learned from the repair log (repairs.jsonl), each program ranked by a log
of the other programs' repairs only (leave one out), and reports candidates tried per repair.

With --proofs it reports, per class, what Z3 says of the symbolic repair (proved for every input
the program passes, refuted, no answer, not translatable, nothing to prove), and the share
proved; every repaired program is run and must pass its checks, proved or not.

Usage: python3 bench/repair.py [--build release|debug] [--model-rounds N] [--sources a,b,...]
       python3 bench/repair.py --ranking
       python3 bench/repair.py --proofs
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
TRIED = re.compile(r"\((\d+) candidates tried\)")
VERDICT = re.compile(r"remark: neuro-repair: '[^']+' (proved|refuted|not proved|nothing to prove)[:]? ?(.*)")


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


def failure_report(tools, case, report):
    # TensorLang programs heal by default: the report needs the failure as it is.
    failed = run([tools["run"], case, "-e", "main", "-entry-point-result=void",
                  f"-shared-libs={LIB}", "--no-self-heal", f"--failure-report={report}"])
    if failed.returncode == 0:
        sys.exit(f"{case}: the bug does not show")


def tried(tools, case, report, options, output):
    """Candidates the symbolic search tried before its repair, or None without one."""
    result = run([tools["opt"], case,
                  f"--neuro-repair=report={report} shared-libs={LIB} sources=symbolic {options}",
                  "-o", output])
    counts = [int(n) for n in TRIED.findall(result.stderr)]
    return sum(counts) if REMARK.search(result.stderr) else None


def compare_rankings(tools, cases):
    """Built-in order against the learned one, leave one out."""
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        logs = {}
        for case in cases:
            name = os.path.splitext(os.path.basename(case))[0]
            report = os.path.join(scratch, name + ".json")
            failure_report(tools, case, report)
            own = os.path.join(scratch, name, "cache.json")
            os.makedirs(os.path.dirname(own))
            fixed = tried(tools, case, report, f"ranking=fixed cache={own}",
                          os.path.join(scratch, name + ".fixed.mlir"))
            log = os.path.join(scratch, name, "repairs.jsonl")
            logs[name] = open(log).read() if os.path.exists(log) else ""
            rows.append([name, case, report, fixed, None])
        for row in rows:
            name, case, report = row[0], row[1], row[2]
            taught = os.path.join(scratch, name + ".taught")
            os.makedirs(taught)
            with open(os.path.join(taught, "repairs.jsonl"), "w") as f:
                f.write("".join(text for other, text in logs.items() if other != name))
            row[4] = tried(tools, case, report,
                           f"ranking=learned cache={os.path.join(taught, 'cache.json')}",
                           os.path.join(scratch, name + ".learned.mlir"))
            print(f"{name:<32} fixed {row[3]!s:>4}   learned {row[4]!s:>4}", flush=True)
    both = [(row[3], row[4]) for row in rows if row[3] and row[4]]
    print()
    print(f"repaired: fixed {sum(1 for r in rows if r[3])}/{len(rows)}, "
          f"learned {sum(1 for r in rows if r[4])}/{len(rows)}")
    print(f"candidates tried (where both repaired): fixed total {sum(f for f, _ in both)}, "
          f"median {statistics.median(f for f, _ in both)}; learned total "
          f"{sum(l for _, l in both)}, median {statistics.median(l for _, l in both)}")
    print(f"learned tried fewer on {sum(1 for f, l in both if l < f)}, more on "
          f"{sum(1 for f, l in both if l > f)}, as many on {sum(1 for f, l in both if l == f)}")


def proofs(tools, cases):
    """What Z3 says of each class's symbolic repair; the repaired program is run either way."""
    verdicts = {}
    with tempfile.TemporaryDirectory() as scratch:
        for case in cases:
            name = os.path.splitext(os.path.basename(case))[0]
            report = os.path.join(scratch, name + ".json")
            failure_report(tools, case, report)
            output = os.path.join(scratch, name + ".mlir")
            result = run([tools["opt"], case,
                          f"--neuro-repair=report={report} shared-libs={LIB} sources=symbolic cache=none",
                          "-o", output])
            if not REMARK.search(result.stderr):
                verdicts[name] = ("no repair", "")
            else:
                check = run([tools["run"], output, "-e", "main", "-entry-point-result=void",
                             f"-shared-libs={LIB}"])
                if check.returncode != 0:
                    sys.exit(f"{case}: the repaired program fails:\n{check.stderr}")
                found = VERDICT.findall(result.stderr)
                verdicts[name] = found[-1] if found else ("no verdict", "")
            print(f"{name:<26} {verdicts[name][0]:<16} {verdicts[name][1][:90]}", flush=True)
    counts = {}
    for kind, _ in verdicts.values():
        counts[kind] = counts.get(kind, 0) + 1
    repaired = sum(n for kind, n in counts.items() if kind != "no repair")
    print(f"\n{counts.get('proved', 0)} of {repaired} repairs proved; {counts}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="release", choices=["release", "debug"])
    parser.add_argument("--model-rounds", type=int, default=1)
    parser.add_argument("--sources", default="symbolic,model,choice,cache")
    parser.add_argument("--proofs", action="store_true",
                        help="what Z3 says of each class's symbolic repair")
    parser.add_argument("--ranking", action="store_true",
                        help="compare the built-in and the learned order of the symbolic candidates")
    args = parser.parse_args()
    build = os.path.join(REPO, "target", args.build)
    tools = {"opt": os.path.join(build, "tensorlang-opt"), "run": os.path.join(build, "tensorlang-run")}
    for tool in tools.values():
        if not os.path.exists(tool):
            sys.exit(f"{tool} not found: cargo build --{args.build} first")
    if args.ranking:
        compare_rankings(tools, sorted(glob.glob(os.path.join(CORPUS, "*.mlir"))))
        return
    if args.proofs:
        proofs(tools, sorted(glob.glob(os.path.join(CORPUS, "*.mlir"))))
        return
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
            failure_report(tools, case, report)
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
