#!/usr/bin/env python3
"""Diagnose, then write: does a first short query (which op is wrong, and why) help the model write
a repair? Side by side in one run, on the scalar classes of the repair corpus, the model alone
(sources=model, no cache, no symbolic strategies) writes replacement functions with diagnose=false
and with diagnose=true, the same rounds and seed. Reported per mode: classes repaired (each
repaired program run and passing), model answers that parsed and verified as MLIR, and the median
wall time of a --neuro-repair run (the model loaded in each).

The model is the embedded default unless TENSORLANG_MODEL / TENSORLANG_MODEL_URL say otherwise
(model=default).

Usage: python3 bench/diagnose.py [--build release|debug] [--model-rounds N] [--classes a,b,...]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(REPO, "test", "Repair", "corpus")
LIB = "/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so"
# The classes whose repairs are small scalar edits (the ones Z3 proves in bench/repair.py --proofs).
CLASSES = ["division-by-zero", "nan", "overflow", "swapped-operands", "wrong-constant",
           "wrong-min-max", "wrong-operator", "wrong-predicate", "wrong-sign",
           "zero-divisor-default"]
REPAIRED = re.compile(r"remark: neuro-repair: repaired '[^']+' .*?: model strategy")
TRIED = re.compile(r"\((\d+) tried for")
UNPARSED = "does not parse or verify"


def run(command):
    return subprocess.run(command, capture_output=True, text=True)


def attempt(tools, case, report, diagnose, rounds, output):
    """One --neuro-repair run: (repaired, answers, unparsed answers, seconds)."""
    started = time.monotonic()
    result = run([tools["opt"], case,
                  f"--neuro-repair=report={report} shared-libs={LIB} cache=none sources=model "
                  f"model=default model-rounds={rounds} diagnose={diagnose}", "-o", output])
    seconds = time.monotonic() - started
    repaired = bool(REPAIRED.search(result.stderr))
    if repaired:
        check = run([tools["run"], output, "-e", "main", "-entry-point-result=void",
                     f"-shared-libs={LIB}"])
        if check.returncode != 0:
            sys.exit(f"{case}: the repaired program fails:\n{check.stderr}")
    tried = sum(int(n) for n in TRIED.findall(result.stderr))
    answers = tried if not repaired else max(tried, 1)
    return repaired, answers, result.stderr.count(UNPARSED), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="release", choices=["release", "debug"])
    parser.add_argument("--model-rounds", type=int, default=2)
    parser.add_argument("--classes", default=",".join(CLASSES))
    args = parser.parse_args()
    target = os.path.join(REPO, "target", args.build)
    tools = {"opt": os.path.join(target, "tensorlang-opt"),
             "run": os.path.join(target, "tensorlang-run")}
    modes = {"false": [], "true": []}
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.classes.split(","):
            case = os.path.join(CORPUS, name + ".mlir")
            report = os.path.join(scratch, name + ".json")
            failed = run([tools["run"], case, "-e", "main", "-entry-point-result=void",
                          f"-shared-libs={LIB}", "--no-self-heal", f"--failure-report={report}"])
            if failed.returncode == 0:
                sys.exit(f"{case}: the bug does not show")
            row = []
            for diagnose, results in modes.items():
                found = attempt(tools, case, report, diagnose, args.model_rounds,
                                os.path.join(scratch, f"{name}.{diagnose}.mlir"))
                results.append(found)
                row.append(f"diagnose={diagnose}: {'repaired' if found[0] else 'not repaired'}, "
                           f"{found[1] - found[2]}/{found[1]} answers parsed, {found[3]:.1f} s")
            print(f"{name:<22} " + "; ".join(row), flush=True)
    print()
    for diagnose, results in modes.items():
        answers = sum(r[1] for r in results)
        parsed = answers - sum(r[2] for r in results)
        print(f"diagnose={diagnose:<5}: {sum(r[0] for r in results)}/{len(results)} repaired, "
              f"{parsed}/{answers} answers parsed and verified as MLIR, "
              f"median {statistics.median(r[3] for r in results):.1f} s per run")


if __name__ == "__main__":
    main()
