"""Each named query's time on one corpus, on rdflib (memory) and on embedded Oxigraph.

    python benchmarks/queries.py --seeds ../shared/ccus-policy-hub/policies

Best of three runs each, with the query's example parameters; prints a
Markdown table (query, rows, rdflib ms, Oxigraph ms).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox

from kg.build import load
from kg.export import load_oxigraph
from kg.queries import catalogue, run
from kg.store import OxigraphSource
from kg.vocab import vocabularies


def best_of(source: object, query: object, repeat: int = 3) -> tuple[float, int]:
    best, rows = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = run(source, query, query.examples())  # type: ignore[arg-type, attr-defined]
        best = min(best, time.perf_counter() - started)
        rows = len(result.rows)
    return best, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=Path("seeds"))
    args = parser.parse_args()
    kg = load(args.seeds)
    store = ox.Store()
    load_oxigraph(store, itertools.chain(kg.triples, vocabularies().graph))
    sources = (kg.source(), OxigraphSource(store))
    print("| query | rows | rdflib ms | Oxigraph ms |")
    print("| --- | ---: | ---: | ---: |")
    for name, query in sorted(catalogue().items()):
        (slow, rows), (fast, _) = (best_of(s, query) for s in sources)
        print(f"| {name} | {rows} | {slow * 1000:.0f} | {fast * 1000:.1f} |")


if __name__ == "__main__":
    main()
