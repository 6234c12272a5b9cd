"""Every named query gives the same rows, in the same order, on every store, on whole corpora.

The stores are the default rdflib graph in memory (``--store memory``),
Oxigraph in process (``--store oxigraph:PATH``) and a real ``oxigraph serve``
reached over the SPARQL protocol (``--store sparql:URL``, after ``push``).
The corpora are the shipped seeds (so a clean clone runs the check) and the
whole CCUS Policy Hub content root read in place from ../shared (policies,
facilities and countries, English and Chinese; skipped when absent).

Each query runs with its header's example parameters and, when all its
parameters are optional, with none bound too (its widest answer). Rows are
compared after the one normalisation stores need (a number printed as 70,
70.0 or 70.0E0 is the number 70), and in order: every query has an ORDER BY,
so a different order is a query that is not deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from kg.build import load
from kg.queries import NamedQuery, catalogue, run
from kg.results import plain
from kg.sparql import SparqlSource
from kg.store import open_store, push

from .conftest import SEEDS, SHARED
from .test_queries import numeric
from .test_store import serving_oxigraph

QUERIES = catalogue()
HUB_ROOT = SHARED / "ccus-policy-hub"
CORPORA = {"seeds": SEEDS, "hub": HUB_ROOT}

Rows = list[tuple[str, ...]]


def cases(query: NamedQuery) -> list[dict[str, str]]:
    """The parameter sets a query is compared with: its examples, and none when none is required."""
    found = [query.examples()]
    if query.params and not any(p.required for p in query.params):
        found.append({})
    return found


def rows_of(source: SparqlSource, query: NamedQuery, params: dict[str, str]) -> Rows:
    return [tuple(numeric(plain(v)) for v in row) for row in run(source, query, params).rows]


class Stores:
    """The stores of each corpus, opened once per module (a hub load takes seconds)."""

    def __init__(self, tmp: pytest.TempPathFactory, exits: ExitStack) -> None:
        self.tmp = tmp
        self.exits = exits
        self.sources: dict[tuple[str, str], SparqlSource] = {}
        self.answers: dict[tuple[str, str, str], Rows] = {}

    def root(self, corpus: str) -> Path:
        root = CORPORA[corpus]
        if corpus == "hub" and not (root / "policies").is_dir():
            pytest.skip("../shared/ccus-policy-hub is absent: the hub sample is not shipped with the repo")
        return root

    def source(self, corpus: str, store: str) -> SparqlSource:
        key = (corpus, store)
        if key not in self.sources:
            root = self.root(corpus)
            work = self.tmp.mktemp(f"{corpus}-{store}")
            if store == "memory":
                self.sources[key] = open_store("memory", root)
            elif store == "oxigraph":
                self.sources[key] = open_store(f"oxigraph:{work / 'store'}", root, out=work / "build")
            else:  # a server of its own per corpus: the union default graph holds this corpus only
                url = self.exits.enter_context(serving_oxigraph(work / "server"))
                push(load(root), url + "/store")
                self.sources[key] = open_store(f"sparql:{url}/query", root)
        return self.sources[key]

    def rows(self, corpus: str, store: str, query: NamedQuery, params: dict[str, str]) -> Rows:
        key = (corpus, store, f"{query.name} {sorted(params.items())}")
        if key not in self.answers:
            self.answers[key] = rows_of(self.source(corpus, store), query, params)
        return self.answers[key]


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stores]:
    with ExitStack() as exits:
        yield Stores(tmp_path_factory, exits)


def agree(stores: Stores, corpus: str, store: str, name: str) -> None:
    query = QUERIES[name]
    for params in cases(query):
        expected = stores.rows(corpus, "memory", query, params)
        assert stores.rows(corpus, store, query, params) == expected, (name, params)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_named_query_gives_the_same_rows_in_memory_and_in_oxigraph_on_the_seeds(
        name: str, stores: Stores) -> None:
    agree(stores, "seeds", "oxigraph", name)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_named_query_gives_the_same_rows_in_memory_and_in_oxigraph_on_the_full_hub(
        name: str, stores: Stores) -> None:
    agree(stores, "hub", "oxigraph", name)


@pytest.mark.slow
@pytest.mark.parametrize("corpus", sorted(CORPORA))
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_named_query_gives_the_same_rows_from_an_oxigraph_server(
        name: str, corpus: str, stores: Stores) -> None:
    agree(stores, corpus, "sparql", name)


def test_the_comparison_on_the_seeds_covers_rows_of_every_query_but_the_named_few(stores: Stores) -> None:
    # A query answering nothing on both stores agrees trivially: name the ones that do, so a query that
    # stops answering (or a seed change that leaves one without rows) is seen here.
    empty = sorted(name for name, query in QUERIES.items()
                   if not any(stores.rows("seeds", "memory", query, params) for params in cases(query)))
    assert empty == EMPTY_ON_THE_SEEDS


# The seeds link no missing record, and cite a source for every high score.
EMPTY_ON_THE_SEEDS = ["dangling-references", "strong-claims-weak-evidence"]
