#!/usr/bin/env python3
"""Cost of run-time checks: each kernel in bench/kernels/ compiled three ways and run side by side.

- unchecked:  the tensorlang-to-llvm pipeline without tensorlang-instrument
- checked:    the pipeline as shipped (checks inserted, the provably safe ones removed)
- unproven:   checks inserted and none removed (tensorlang-instrument{eliminate=false}), shown as
              "no elimination"

Every variant runs in the same process order, rotated each round, under upstream mlir-runner -O3
(which JIT-compiles at -O3, the same for all three). Each run times 30 calls of the kernel; the
first WARMUP calls are dropped. Reported: the median time per call over all rounds, and each
checked variant's overhead against unchecked (median ratio). Usage:

    python3 bench/instrumentation.py [--rounds N] [--markdown]

stencil_dynamic keeps checks that range analysis cannot prove; loop versioning tests them once
per row instead of once per element.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LLVM = os.environ.get("TENSORLANG_LLVM_PREFIX", "/usr/lib/llvm-22")
BUILD = os.environ.get("TENSORLANG_BUILD_DIR", os.path.join(REPO, "target", "debug"))
OPT = os.path.join(BUILD, "tensorlang-opt")
RUNNER = os.path.join(LLVM, "bin", "mlir-runner")
SHARED_LIBS = ",".join([
    os.path.join(LLVM, "lib", "libmlir_runner_utils.so"),
    os.path.join(LLVM, "lib", "libmlir_c_runner_utils.so"),
    os.path.join(BUILD, "libtensorlang_checks.so"),
])
KERNELS = ["matmul", "stencil", "reduction", "stencil_dynamic"]
WARMUP = 5
INSTRUMENT = re.compile(r"tensorlang-instrument\{[^}]*\}")


def shipped_pipeline():
    """The tensorlang-to-llvm pipeline as MLIR expands it, with every option spelled out."""
    dump = subprocess.run(
        [OPT, "--tensorlang-to-llvm", "--dump-pass-pipeline", "-o", os.devnull, os.devnull],
        check=True, capture_output=True, text=True).stderr
    text = dump[dump.index("builtin.module("):]
    return " ".join(line.strip() for line in text.splitlines())


def variants(pipeline):
    instrument = INSTRUMENT.search(pipeline).group(0)
    checked = instrument.replace("statistics=false", "statistics=true")
    return {
        "unchecked": pipeline.replace(instrument + ",", ""),
        "checked": pipeline.replace(instrument, checked),
        "unproven": pipeline.replace(instrument, checked.replace("eliminate=true", "eliminate=false")),
    }


def compile_kernel(kernel, pipeline, out_dir, name):
    source = os.path.join(REPO, "bench", "kernels", f"{kernel}.mlir")
    target = os.path.join(out_dir, f"{kernel}.{name}.mlir")
    result = subprocess.run([OPT, source, f"--pass-pipeline={pipeline}", "-o", target],
                            check=True, capture_output=True, text=True)
    remark = re.search(r"inserted (\d+) checks.*?(\d+) left \((\d+) only on a slow path", result.stderr)
    return target, remark.groups() if remark else None


def run(target):
    output = subprocess.run(
        [RUNNER, "-O3", "-e", "main", "-entry-point-result=void", f"-shared-libs={SHARED_LIBS}",
         target], check=True, capture_output=True, text=True).stdout.split()
    times = [float(value) for value in output[:-1]]  # the last line is the checksum
    return times[WARMUP:], output[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = parser.parse_args()
    if not os.path.exists(OPT):
        sys.exit(f"{OPT} not found: run `cargo build` first")
    pipelines = variants(shipped_pipeline())
    names = list(pipelines)
    rows = []
    with tempfile.TemporaryDirectory() as out_dir:
        for kernel in KERNELS:
            compiled = {name: compile_kernel(kernel, p, out_dir, name) for name, p in pipelines.items()}
            times = {name: [] for name in names}
            checksums = set()
            for round_index in range(args.rounds):
                order = names[round_index % len(names):] + names[:round_index % len(names)]
                for name in order:
                    samples, checksum = run(compiled[name][0])
                    times[name] += samples
                    checksums.add(checksum)
                print(f"  {kernel}: round {round_index + 1}/{args.rounds}", file=sys.stderr)
            if len(checksums) != 1:
                sys.exit(f"{kernel}: variants disagree on the result: {sorted(checksums)}")
            medians = {name: statistics.median(times[name]) for name in names}
            rows.append((kernel, compiled["checked"][1], compiled["unproven"][1], medians))
    report(rows, args.markdown)


def report(rows, markdown):
    def overhead(medians, name):
        return 100.0 * (medians[name] / medians["unchecked"] - 1.0)

    header = ["kernel", "checks inserted", "left", "of which versioned", "unchecked ms",
              "checked ms", "overhead", "no elimination ms", "overhead"]
    lines = []
    for kernel, checked, unproven, medians in rows:
        lines.append([
            kernel, *(checked if checked else ("?", "?", "?")),
            f"{medians['unchecked'] * 1e3:.3f}", f"{medians['checked'] * 1e3:.3f}",
            f"{overhead(medians, 'checked'):+.1f}%",
            f"{medians['unproven'] * 1e3:.3f}", f"{overhead(medians, 'unproven'):+.1f}%",
        ])
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for line in lines:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(str(row[i])) for row in [header] + lines) for i in range(len(header))]
        for line in [header] + lines:
            print("  ".join(str(cell).rjust(width) for cell, width in zip(line, widths)))
    median_overhead = statistics.median(overhead(m, "checked") for _, _, _, m in rows)
    print(f"\nmedian overhead of the shipped checks over {len(rows)} kernels: {median_overhead:+.1f}%")


if __name__ == "__main__":
    main()
