"""Facilities at scale: load + map (with derived links), validate, the facility queries, a profile.

    python benchmarks/facilities.py --hub ../shared/ccus-policy-hub --json
    python benchmarks/facilities.py --records 1000 --facilities 50000 --json

Times each step (seconds) on a content root: the hub's own (policies,
facilities, countries) or a synthetic one written by generate.py.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import facilities, generate
from kg.build import load
from kg.landscape import profile, scopes
from kg.lineage import Lineage
from kg.queries import run
from kg.store import OxigraphSource


def measure(root: Path) -> dict[str, object]:
    """Seconds per step on one content root, and what it holds."""
    times: dict[str, float] = {}

    def step(name: str, func):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        value = func()
        times[name] = round(time.perf_counter() - started, 3)
        return value

    kg = step("load+map+derive", lambda: load(root))
    report = step("validate", kg.validate)
    import pyoxigraph as ox

    from kg.export import load_oxigraph
    from kg.vocab import vocabularies

    def store() -> OxigraphSource:
        db = ox.Store()
        load_oxigraph(db, [*kg.triples, *vocabularies().graph])
        return OxigraphSource(db)

    source = step("store", store)
    first = kg.corpus.facilities[0].id if kg.corpus.facilities else "none"
    step("query:facility-policies", lambda: run(source, "facility-policies", {"id": first, "date": "2024-01-01"}))
    step("query:operating-capacity", lambda: run(source, "operating-capacity", {}))
    step("query:link-disagreements", lambda: run(source, "link-disagreements", {}))
    lineage, scope = step("lineage+scopes", lambda: (Lineage.from_source(source), scopes(source)))
    step("profile", lambda: profile(lineage, scope, "US", "2024-01-01"))
    return {"root": str(root), "policy records": len(kg.corpus.records), "facility records": len(kg.corpus.facilities),
            "profiles": len(kg.corpus.countries), "triples": len(kg.triples), "findings": report.counts(),
            "seconds": times, "peak RSS MiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hub", type=Path, help="A content root to measure as it is (e.g. the hub).")
    parser.add_argument("--records", type=int, default=1000, help="Synthetic policy records.")
    parser.add_argument("--facilities", type=int, default=1110, help="Synthetic facility records.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.hub:
        result = measure(args.hub)
    else:
        with tempfile.TemporaryDirectory(prefix="landscape-bench-") as tmp:
            generate(args.records, Path(tmp), 1)
            facilities(args.facilities, Path(tmp), 1)
            result = measure(Path(tmp))
            result["root"] = f"synthetic: {args.records} policy records, {args.facilities} facilities"
    print(json.dumps(result, indent=2) if args.json else result)


if __name__ == "__main__":
    main()
