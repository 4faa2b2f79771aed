"""Time the demo brief as a whole process: ``python -m bench.brief [--runs 5] [--snapshot DIR]``.

Runs ``generate.py --timings brief ...`` in fresh processes (cold imports each time, as cron
would), reports the median wall time and each stage's share of it. "startup" is everything
outside the timed stages: the interpreter, imports, writing the files and the exit. "cpu" is
the CPU time (user + system) of the whole process tree, chart drawers included: on a machine
shared with other work it moves much less than the wall time, so compare changes by both.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 2.5


def run_once(snapshot: Path, out: Path) -> tuple[float, float, dict[str, float]]:
    """Wall seconds of one brief, CPU seconds of its process tree, the stage timings it
    printed."""
    cmd = [
        sys.executable,
        str(ROOT / "generate.py"),
        "--timings",
        "brief",
        "--snapshot",
        str(snapshot),
        "--out",
        str(out),
    ]
    before = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    wall = time.perf_counter() - start
    line = next(x for x in done.stderr.splitlines() if x.startswith("timings: "))
    stages = {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
    return wall, _children_cpu() - before, stages


def _children_cpu() -> float:
    """User + system seconds of this process's finished children and their own children."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> None:
    """Print the median wall time and per-stage medians and shares."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--snapshot", type=Path, default=ROOT / "demo" / "snapshot")
    args = parser.parse_args()
    walls: list[float] = []
    cpus: list[float] = []
    stages: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as out:
        run_once(args.snapshot, Path(out))  # warm the OS file cache and font cache
        for _ in range(args.runs):
            wall, cpu, timing = run_once(args.snapshot, Path(out))
            walls.append(wall)
            cpus.append(cpu)
            for k, v in timing.items():
                stages.setdefault(k, []).append(v)
            stages.setdefault("startup", []).append(wall - sum(timing.values()))
    median = statistics.median(walls)
    print(
        f"demo brief, whole process: median {median:.2f} s of {args.runs} runs "
        f"(min {min(walls):.2f}, max {max(walls):.2f}; target ≤ {TARGET_S} s)"
    )
    for name, values in stages.items():
        m = statistics.median(values)
        print(f"  {name:<8} {m:6.3f} s  {m / median:6.1%}")
    print(
        f"  cpu      {statistics.median(cpus):6.3f} s  (process tree; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
