"""`analyze` on a large synthetic lineage graph, built directly (no records, no RDF), seeded.

    python benchmarks/lineage_graph.py --policies 100000 [--seed 1] [--json]

Families of 1-6 policies chained oldest to newest, about 2% forks and 2% merges,
a few dangling links and two-policy cycles, 200 clusters, 40 jurisdictions,
one to three milestones per policy. Times each part of `Lineage.analysis()`
and the whole, plus `in_force` on one day and `describe` of one policy.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.lineage import Lineage, Milestone


def synthetic(policies: int, seed: int) -> Lineage:
    rng = random.Random(seed)
    lineage = Lineage()
    g = lineage.graph
    countries = [f"C{i:02d}" for i in range(40)]
    clusters = [f"Cluster {i}" for i in range(200)]
    n = 0
    previous_family: list[str] = []
    while n < policies:
        size = min(rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 6]), policies - n)
        country = rng.choice(countries)
        year = rng.randint(1990, 2015)
        family = []
        for _ in range(size):
            pid = f"p{n:07d}"
            year += rng.randint(1, 4)
            issued = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            milestones = [Milestone(1, issued, "adopted", "Adopted.")]
            if rng.random() < 0.3:
                milestones.append(Milestone(2, f"{year + 1}-01-01", "in-force", "In force."))
            if rng.random() < 0.02:
                milestones.append(Milestone(3, f"{year + 3}", "repealed", "Repealed."))
            g.add_node(pid, title=f"Policy {n}", jurisdiction=country, country=country, issued=issued,
                       status="Active", weight="Regulation", clusters=sorted(rng.sample(clusters, rng.randint(0, 3))),
                       milestones=milestones, dangling=False, mayBeInForce=True, adopted=False, provisional=False)
            if family:
                g.add_edge(family[-1], pid, key="supersedes", relation="supersedes")
            family.append(pid)
            n += 1
        roll = rng.random()
        if previous_family and roll < 0.02:  # a fork: the previous family's head also replaced here
            g.add_edge(previous_family[-1], family[0], key="supersedes", relation="supersedes")
        elif previous_family and roll < 0.04:  # a merge: consolidated from the previous head
            g.add_edge(previous_family[-1], family[-1], key="consolidatedFrom", relation="consolidatedFrom")
        elif roll < 0.045:  # a dangling reference
            ghost = f"ghost-{n}"
            g.add_node(ghost, title="", jurisdiction="", country="", issued="", status="", weight="",
                       clusters=[], milestones=[], dangling=True, mayBeInForce=False, adopted=False,
                       provisional=False)
            g.add_edge(ghost, family[0], key="supersedes", relation="supersedes")
        elif len(family) >= 2 and roll < 0.047:  # a cycle
            g.add_edge(family[-1], family[0], key="supersedes", relation="supersedes")
        previous_family = family
    return lineage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    lineage = synthetic(args.policies, args.seed)
    steps = {"generate": time.perf_counter() - started}
    parts = ["families", "longest_chains", "forks", "merges", "roots", "dangling", "cycles",
             "depth_by_jurisdiction", "centrality", "cluster_overlap", "timeline"]
    for part in parts:
        lineage = Lineage(lineage.graph)  # nothing remembered from the previous part
        started = time.perf_counter()
        getattr(lineage, part)()
        steps[part] = time.perf_counter() - started
    lineage = Lineage(lineage.graph)
    started = time.perf_counter()
    report = lineage.analysis()
    steps["analyze (all of the above)"] = time.perf_counter() - started
    started = time.perf_counter()
    lineage.in_force("2010-06-30")
    steps["in_force one day"] = time.perf_counter() - started
    started = time.perf_counter()
    lineage.describe(report["longestChains"][0][0])
    steps["describe one policy"] = time.perf_counter() - started
    out = {"policies": args.policies, "links": lineage.graph.number_of_edges(),
           "steps": {k: round(v, 3) for k, v in steps.items()},
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
           "families": len(report["families"]), "cycles": len(report["cycles"]),
           "dangling": len(report["dangling"])}
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{out['policies']} policies, {out['links']} links, {out['families']} families, "
          f"{out['cycles']} cycles, {out['dangling']} dangling; peak RSS {out['peak_rss_mb']} MB")
    for name, seconds in out["steps"].items():
        print(f"  {name:<28} {seconds:8.3f} s")


if __name__ == "__main__":
    main()
