"""Whole-process timings of the commands an analyst repeats: --help, --version, lineage ID, query NAME.

Each command runs as its own process ``--warmup`` times uncounted, then
``--runs`` times; the median wall time is what a user waits, the median CPU
time (user + system, of the child) is what the command costs on a machine
with other load. The corpus is built first (with --allow-invalid, as
readers do), so ``lineage`` and ``query`` answer from the built store;
``--store memory`` times the same answer by mapping the corpus, which is
what every reader did before. Python may cache bytecode, as it does in an
installed copy (PYTHONDONTWRITEBYTECODE is dropped for the children).

    python benchmarks/readers.py --seeds ../shared/ccus-policy-hub --id us-obbba-45q-2025
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(args: list[str], runs: int, env: dict[str, str], warmup: int = 1) -> dict[str, float]:
    """Median and minimum wall seconds, median CPU seconds, of ``runs`` runs of one command (after ``warmup``)."""
    for _ in range(warmup):
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return {"median_s": round(statistics.median(walls), 3), "min_s": round(min(walls), 3),
            "cpu_median_s": round(statistics.median(cpus), 3), "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, required=True)
    parser.add_argument("--id", required=True, help="a policy id of the corpus, for lineage")
    parser.add_argument("--query", default="legal-weight-distribution", help="a named query without parameters")
    parser.add_argument("--out", type=Path, default=None, help="build folder (default: a temporary one)")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("ccus-kg"))
    out = args.out or Path(tempfile.mkdtemp(prefix="ccus-kg-readers-")) / "build"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"CCUS_KG_OUT": str(out)}
    subprocess.run([exe, "build", "--seeds", str(args.seeds), "--out", str(out), "--allow-invalid"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)  # 1: violations, written
    reader = ["--seeds", str(args.seeds), "--out", str(out)]
    commands = {
        "ccus-kg --help": [exe, "--help"],
        "ccus-kg --version": [exe, "--version"],
        f"ccus-kg lineage {args.id} (built store)": [exe, "lineage", args.id, *reader],
        f"ccus-kg query {args.query} (built store)": [exe, "query", args.query, *reader],
        f"ccus-kg lineage {args.id} --store memory": [exe, "lineage", args.id, *reader, "--store", "memory"],
        "python -c pass (interpreter start)": [sys.executable, "-c", "pass"],
    }
    results = {name: timed(cmd, args.runs, env, args.warmup) for name, cmd in commands.items()}
    load = os.getloadavg()[0]
    if args.json:
        print(json.dumps({"load_average_1m": load, "results": results}, indent=2))
        return
    print(f"{args.runs} runs each; 1-minute load average {load:.1f} on {os.cpu_count()} cores")
    print(f"{'command':58} {'median':>8} {'min':>8} {'cpu':>8}")
    for name, r in results.items():
        print(f"{name:58} {r['median_s']:8.3f} {r['min_s']:8.3f} {r['cpu_median_s']:8.3f}")


if __name__ == "__main__":
    main()
