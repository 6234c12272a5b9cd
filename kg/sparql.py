"""One small interface for answering SPARQL, whatever holds the graph.

Lineage, the named queries and the server only talk to a ``SparqlSource``;
the rdflib in-memory graph is the default one, and ``kg.store`` adds
Oxigraph and remote endpoints behind the same method.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from rdflib import Graph
from rdflib.term import Node

from kg.errors import QueryError
from kg.namespaces import prefixes

Triple = tuple[Node, Node, Node]


@dataclass
class Result:
    """A SPARQL result: SELECT rows, an ASK boolean, or CONSTRUCT/DESCRIBE triples."""

    kind: str  # "select", "ask" or "graph"
    vars: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Triple] = field(default_factory=list)

    def dicts(self) -> list[dict[str, Node | None]]:
        """SELECT rows as dicts keyed by variable name."""
        return [dict(zip(self.vars, row, strict=True)) for row in self.rows]


class SparqlSource(Protocol):
    """Anything that answers a SPARQL 1.1 query string."""

    def query(self, text: str) -> Result:  # pragma: no cover - protocol
        ...


class GraphSource:
    """The rdflib in-memory graph as a SparqlSource."""

    def __init__(self, graph: Graph):
        self.graph = graph

    def query(self, text: str) -> Result:
        try:
            res = self.graph.query(text)
        except Exception as exc:  # pyparsing and rdflib raise many types
            raise QueryError(describe_syntax_error(exc)) from exc
        if res.type == "ASK":
            return Result("ask", boolean=bool(res.askAnswer))
        if res.type in ("CONSTRUCT", "DESCRIBE"):
            return Result("graph", triples=list(res.graph))  # type: ignore[union-attr]
        names = [str(v) for v in (res.vars or [])]
        rows = [tuple(row) for row in res]  # type: ignore[arg-type]
        return Result("select", vars=names, rows=rows)


def describe_syntax_error(exc: Exception) -> str:
    """A one-line message with line and column for a SPARQL parse error."""
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "col", None) or getattr(exc, "column", None)
    msg = getattr(exc, "msg", None) or str(exc).splitlines()[0]
    if line is not None and col is not None:
        return f"SPARQL syntax error at line {line}, column {col}: {msg}"
    return f"SPARQL error: {msg}"


def to_graph(triples: Iterable[Triple], base: str | None = None) -> Graph:
    """An rdflib graph with the project's fixed prefixes bound."""
    graph = Graph(bind_namespaces="none")
    for prefix, ns in (prefixes(base) if base else prefixes()).items():
        graph.bind(prefix, ns)
    for triple in triples:
        graph.add(triple)
    return graph


__all__ = ["GraphSource", "Result", "SparqlSource", "describe_syntax_error", "to_graph"]
