"""Starts a self-healing run, waits until it hangs in a trial, ends it from outside with each
signal given, and says whether any process of the run is left within two seconds.

Usage: no-orphans.py SIGNAL[,SIGNAL...] -- COMMAND...

Every process of the run is found by its session (the run starts a session of its own, and
nothing it forks leaves it) or by a marker in its command line (`--input-name=MARKER`). A
process left behind is listed, killed and the script fails.
"""

import os
import signal
import subprocess
import sys
import time

WAIT_FOR_TRIAL = 60.0
GONE_WITHIN = 2.0


def processes(session, marker):
    """The live processes of the run: pid -> (ppid, state, command line)."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
            with open(f"/proc/{name}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, ppid, sid = fields[0], int(fields[1]), int(fields[3])
        if state == "Z":
            continue
        if sid == session or marker in command:
            found[int(name)] = (ppid, state, command)
    return found


def check(signame, command):
    marker = f"no-orphans-{os.getpid()}-{signame}"
    run = subprocess.Popen(
        command + [f"--input-name={marker}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        # As on a terminal: a job started in the background (as the test runner may start this
        # script) would ignore SIGINT, and the run with it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + WAIT_FOR_TRIAL
    # The run, its build server and a trial child that does not end.
    while True:
        children = [p for p in processes(run.pid, marker) if p != run.pid]
        if len(children) >= 2:
            time.sleep(0.5)
            children = [p for p in processes(run.pid, marker) if p != run.pid]
            if len(children) >= 2:
                break
        if run.poll() is not None or time.monotonic() > deadline:
            print(f"{signame}: the run never hung in a trial (exit {run.poll()})")
            run.kill()
            return False
        time.sleep(0.05)
    os.kill(run.pid, getattr(signal, "SIG" + signame))
    try:
        run.wait(timeout=GONE_WITHIN)
    except subprocess.TimeoutExpired:
        print(f"{signame}: the run did not end")
        return False
    deadline = time.monotonic() + GONE_WITHIN
    left = processes(run.pid, marker)
    while left and time.monotonic() < deadline:
        time.sleep(0.02)
        left = processes(run.pid, marker)
    if left:
        print(f"{signame}: {len(left)} processes of the run are left:")
        for pid, (ppid, state, line) in sorted(left.items()):
            print(f"  {pid} (parent {ppid}, {state}): {line}")
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        return False
    print(f"{signame}: the run had {len(children)} children; none is left")
    return True


def cleanup(signame):
    """Kills whatever of the run is left, even when the check itself failed."""
    marker = f"no-orphans-{os.getpid()}-{signame}"
    for pid in processes(-1, marker):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def main():
    separator = sys.argv.index("--")
    signals = sys.argv[1].split(",")
    command = sys.argv[separator + 1 :]
    results = []
    for name in signals:
        try:
            results.append(check(name, command))
        finally:
            cleanup(name)
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
