#!/usr/bin/env python3
"""Turns a lander run (tensorlang-run's output, stdout and stderr merged) into a readable log and
an SVG plot of altitude and velocity over time, with the crash point and the swap marked.

    report.py RUN_OUTPUT HEAL_REPORT.json PLOT.svg

Rows are the program's ``( t, altitude, velocity, thrust )`` lines; every other line is the
runtime's (the failure, the repair). The exit status is 0 when the lander touched down softly.
"""
import json
import math
import re
import sys

ROW = re.compile(r"^\( ([^,]+), ([^,]+), ([^,]+), ([^ ]+) \)$")


def parse(path):
    """Rows, and the runtime's lines with the index of the row they came after."""
    rows, events = [], []
    with open(path) as lines:
        for line in lines:
            line = line.rstrip("\n")
            match = ROW.match(line)
            if match:
                rows.append(tuple(float(x) for x in match.groups()))
            elif line.strip():
                events.append((len(rows), line))
    return rows, events


def log(rows, events, attempts):
    """Prints one line a second, the runtime's lines where they happened, and the outcome."""
    printed = set()
    event_at = {}
    for index, line in events:
        event_at.setdefault(index, []).append(line)
    for index, (t, h, v, u) in enumerate(rows):
        for line in event_at.get(index, []):
            print(f"   | {line}")
        if index % 10 == 9 or index == len(rows) - 1:
            if index not in printed:
                print(f"t = {t:5.1f} s   altitude {h:6.2f} m   velocity {v:6.2f} m/s   thrust {u:5.2f} m/s^2")
                printed.add(index)
    for line in event_at.get(len(rows), []):
        print(f"   | {line}")
    for attempt in attempts:
        repair = attempt.get("repair")
        if repair:
            print(
                f"repair: '{repair['function']}' by the {repair['source']} source "
                f"({repair['strategy']}: {repair['change']}), {repair['candidates']} candidates; "
                f"verified: {repair['verification']}; resumed {repair['resumed_after_ms']:.1f} ms after the failure"
            )
        else:
            print(f"no repair for '{attempt['call']}': {attempt.get('error')}")


def ticks(low, high, count=5):
    """About `count` round values from `low` to `high`."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    values = []
    value = first
    while value <= high + step * 1e-9:
        values.append(round(value, 10))
        value += step
    return values


def plot(rows, crash_index, path):
    """Altitude and velocity against time, with ticks on every axis, the crash and the swap
    marked; labels stay inside the picture and off the curves."""
    width, height, pad = 900, 540, 60
    times = [r[0] for r in rows] or [0.0]
    t_max = max(times) or 1.0
    h_max = max([r[1] for r in rows] + [1.0])
    v_min = min([r[2] for r in rows] + [-1.0])
    v_max = max([r[2] for r in rows] + [1.0])
    panel = (height - 3 * pad) / 2

    def x(t):
        return pad + (width - 2 * pad) * t / t_max

    def y_alt(h):
        return pad + panel * (1 - h / h_max)

    def y_vel(v):
        return 2 * pad + panel + panel * (v_max - v) / (v_max - v_min)

    def polyline(points, color):
        text = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        return f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{text}"/>'

    def label(value):
        return f"{value:g}"

    bottom = height - pad
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="13">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{pad}" y="{pad - 20}" font-size="16">Lunar Lander: altitude (m)</text>',
        f'<text x="{pad}" y="{2 * pad + panel - 20}" font-size="16">velocity (m/s)</text>',
        f'<text x="{width / 2:.1f}" y="{height - 12}" text-anchor="middle">time (s)</text>',
        # Axes: a frame line on the left of each panel and the time axis at the bottom.
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{y_alt(0):.1f}" stroke="#333"/>',
        f'<line x1="{pad}" y1="{y_vel(v_max):.1f}" x2="{pad}" y2="{y_vel(v_min):.1f}" stroke="#333"/>',
        f'<line x1="{pad}" y1="{bottom}" x2="{width - pad}" y2="{bottom}" stroke="#333"/>',
        f'<line x1="{pad}" y1="{y_alt(0):.1f}" x2="{width - pad}" y2="{y_alt(0):.1f}" stroke="#999"/>',
        f'<line x1="{pad}" y1="{y_vel(0):.1f}" x2="{width - pad}" y2="{y_vel(0):.1f}" stroke="#999"/>',
    ]
    for t in ticks(0, t_max):
        parts.append(f'<line x1="{x(t):.1f}" y1="{bottom}" x2="{x(t):.1f}" y2="{bottom + 5}" stroke="#333"/>')
        parts.append(f'<text x="{x(t):.1f}" y="{bottom + 18}" text-anchor="middle">{label(t)}</text>')
    for h in ticks(0, h_max):
        parts.append(f'<line x1="{pad - 5}" y1="{y_alt(h):.1f}" x2="{pad}" y2="{y_alt(h):.1f}" stroke="#333"/>')
        parts.append(f'<text x="{pad - 8}" y="{y_alt(h) + 4:.1f}" text-anchor="end">{label(h)}</text>')
    for v in ticks(v_min, v_max):
        parts.append(f'<line x1="{pad - 5}" y1="{y_vel(v):.1f}" x2="{pad}" y2="{y_vel(v):.1f}" stroke="#333"/>')
        parts.append(f'<text x="{pad - 8}" y="{y_vel(v) + 4:.1f}" text-anchor="end">{label(v)}</text>')
    parts += [
        polyline([(x(r[0]), y_alt(r[1])) for r in rows], "#1f77b4"),
        polyline([(x(r[0]), y_vel(r[2])) for r in rows], "#2ca02c"),
    ]
    if crash_index is not None and rows:
        t, h, v, _ = rows[max(crash_index - 1, 0)]
        # Labels go on the side of the marker with more room, so they never leave the picture.
        right = x(t) < width / 2
        anchor, dx = ("start", 8) if right else ("end", -8)
        parts += [
            f'<line x1="{x(t):.1f}" y1="{pad}" x2="{x(t):.1f}" y2="{bottom}" stroke="#d62728" stroke-dasharray="6,4"/>',
            f'<circle cx="{x(t):.1f}" cy="{y_alt(h):.1f}" r="6" fill="#d62728"/>',
            f'<circle cx="{x(t):.1f}" cy="{y_vel(v):.1f}" r="6" fill="#d62728"/>',
            f'<text x="{x(t) + dx:.1f}" y="{pad + 14}" text-anchor="{anchor}" fill="#d62728">crash caught at t = {t:.1f} s, {h:.1f} m</text>',
            f'<text x="{x(t) + dx:.1f}" y="{pad + 30}" text-anchor="{anchor}" fill="#9467bd">controller repaired and swapped in;</text>',
            f'<text x="{x(t) + dx:.1f}" y="{pad + 46}" text-anchor="{anchor}" fill="#9467bd">the step runs again</text>',
        ]
    if rows:
        t, h, v, _ = rows[-1]
        # Below the ground line, where the altitude curve never goes.
        parts.append(
            f'<text x="{x(t):.1f}" y="{y_alt(0) + 18:.1f}" text-anchor="end">touchdown at {v:.2f} m/s</text>'
        )
    parts.append("</svg>")
    with open(path, "w") as out:
        out.write("\n".join(parts) + "\n")


def main():
    output, report, svg = sys.argv[1:4]
    rows, events = parse(output)
    try:
        with open(report) as f:
            attempts = json.load(f)
    except (OSError, ValueError):
        attempts = []
    crash = next((index for index, line in events if ": error: " in line), None)
    log(rows, events, attempts)
    plot(rows, crash, svg)
    landed = bool(rows) and rows[-1][1] <= 0.0 and rows[-1][2] >= -2.0
    if landed:
        print(f"LANDED at t = {rows[-1][0]:.1f} s, touchdown velocity {rows[-1][2]:.2f} m/s (limit -2 m/s)")
    else:
        print("NOT LANDED")
    print(f"plot: {svg}")
    return 0 if landed else 1


if __name__ == "__main__":
    sys.exit(main())
