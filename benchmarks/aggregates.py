"""Each named query on a built N-Triples dump: Oxigraph's own evaluation beside the same query through kg.

    python benchmarks/aggregates.py --dump build/ccus-kg.nt [--repeat 3]

Loads the dump a `ccus-kg build` wrote (plus the SKOS schemes) into an
embedded Oxigraph store, then times each query of the catalogue with its
example parameters two ways: `oxigraph` iterates `Store.query` over the
bound text (the engine alone), `kg` runs it through kg.queries.run, which
also turns every row into rdflib terms. Where the two are close, the query
is bound by Oxigraph's evaluation, not by the project's code. Median of
`--repeat` runs, milliseconds; prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox

from kg.export import load_oxigraph
from kg.queries import bind, catalogue, run
from kg.store import OxigraphSource
from kg.vocab import vocabularies


def median_ms(func: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", type=Path, required=True, help="The ccus-kg.nt a build wrote.")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    store = ox.Store()
    started = time.perf_counter()
    with args.dump.open("rb") as data:
        store.bulk_load(data, ox.RdfFormat.N_TRIPLES)
    load_oxigraph(store, vocabularies().graph)
    print(f"loaded {len(store)} quads in {time.perf_counter() - started:.1f} s\n")
    source = OxigraphSource(store)
    print("| query | rows | Oxigraph alone, ms | through kg, ms |")
    print("| --- | ---: | ---: | ---: |")
    for name, query in sorted(catalogue().items()):
        text = bind(query, query.examples())
        rows = len(run(source, query, query.examples()).rows)
        raw = median_ms(lambda t=text: list(store.query(t)), args.repeat)
        ours = median_ms(lambda q=query: run(source, q, q.examples()), args.repeat)
        print(f"| {name} | {rows} | {raw} | {ours} |", flush=True)


if __name__ == "__main__":
    main()
