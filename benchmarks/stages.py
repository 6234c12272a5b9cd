"""Where one cold `build` spends its time and memory: wall, CPU and RSS at each stage's start and end.

    python benchmarks/stages.py --records 10000 [--no-cache]

Runs kg.build.build in this process on the generated corpus (seed 1) into a
fresh folder and prints, for each stage of the unit pipeline (scan the
record files; pass 1: map every policy, keep its corpus text, derive the
inverse links; pass 2: map, patch, check and render each chunk of policies;
the landscape; the cross-record checks; write the dumps; the readers'
store), the elapsed wall and CPU seconds, the RSS now and the peak so far.
CPU seconds are the figure to compare on a shared machine, where wall time
depends on the other load.
"""

from __future__ import annotations

import argparse
import functools
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import corpus_for, machine  # noqa: E402

STAGES = ("_scan", "_update", "_landscape", "_global_findings", "write")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--no-cache", action="store_true", help="Build on the store in memory.")
    args = parser.parse_args()
    folder = corpus_for(args.records, args.seed, args.corpus)

    import kg.incremental
    from kg.build import build
    from kg.runtime import collector_paused

    wall0, cpu0 = time.perf_counter(), time.process_time()

    def mark(name: str) -> None:
        rss = int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() // 2**20
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"{name:<24} wall {time.perf_counter() - wall0:7.1f} s  cpu {time.process_time() - cpu0:7.1f} s"
              f"  rss {rss:6d} MB  peak {peak:6d} MB", flush=True)

    def timed(name: str, func: Any) -> Any:
        @functools.wraps(func)
        def wrapper(*a: Any, **k: Any) -> Any:
            mark(f"start {name}")
            try:
                return func(*a, **k)
            finally:
                mark(f"end {name}")
        return wrapper

    for stage in STAGES:
        setattr(kg.incremental.IncrementalBuild, stage, timed(stage, getattr(kg.incremental.IncrementalBuild, stage)))
    second_pass = kg.incremental.IncrementalBuild._second_pass
    started: list[bool] = []

    @functools.wraps(second_pass)
    def pass_two(*a: Any, **k: Any) -> Any:  # its first chunk: pass 1 is over
        if not started:
            started.append(True)
            mark("end pass 1, start pass 2")
        return second_pass(*a, **k)

    kg.incremental.IncrementalBuild._second_pass = pass_two  # type: ignore[method-assign]
    module = sys.modules["kg.build"]  # the package exports a function of that name
    module.write_store = timed("write_store", module.write_store)  # type: ignore[attr-defined]  # readers' store
    print(f"{args.records} records, {machine()}")
    with tempfile.TemporaryDirectory() as tmp, collector_paused():  # as `ccus-kg build` runs it
        build(folder, Path(tmp) / "out", allow_invalid=True, cache=not args.no_cache)
    mark("done")


if __name__ == "__main__":
    main()
