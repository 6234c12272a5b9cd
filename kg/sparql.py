"""One small interface for answering SPARQL, whatever holds the graph.

Lineage, the named queries and the server only talk to a ``SparqlSource``;
the rdflib in-memory graph is the default one, and ``kg.store`` adds
Oxigraph and remote endpoints behind the same method.
"""

from __future__ import annotations

import difflib
import re
import threading
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from kg.errors import QueryError

if TYPE_CHECKING:  # rdflib is imported where a graph is made: a reader answering from Oxigraph never needs it
    from rdflib import Graph
    from rdflib.term import Node

Triple = tuple["Node", "Node", "Node"]

# rdflib (7.6.0, its newest release) evaluates SPARQL REPLACE as re.sub(pattern, repl, text, flags): the flags
# land in re.sub's count, which Python 3.13 deprecates passing by position, so every row of a query using
# REPLACE (the lineage queries do) warns. The call is rdflib's and harmless (the flags are 0 there); only
# that one message from that one module is silenced, and only while GraphSource answers: the process's
# filters are put back after each query. catch_warnings swaps process-wide state, so the lock keeps two
# threads from interleaving it (a reentrant one: a query may be asked while another is read).
_QUIET = threading.RLock()


@contextmanager
def _replace_warning_silenced() -> Iterator[None]:
    with _QUIET, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="'count' is passed as positional argument",
                                category=DeprecationWarning, module="rdflib.plugins.sparql.operators")
        yield


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


def lexical(source: SparqlSource, text: str) -> list[dict[str, str]]:
    """SELECT rows as plain text: an IRI, a literal's lexical form, "" when unbound.

    What the lineage reads. A source that can answer so without making rdflib
    terms (Oxigraph: ``query_lexical``) does, which keeps rdflib out of a
    ``lineage`` call on the built store; any other source's terms are turned
    to text the same way (an rdflib term is its text).
    """
    direct = getattr(source, "query_lexical", None)
    if direct is not None:
        return direct(text)  # type: ignore[no-any-return]
    result = source.query(text)
    return [{name: "" if value is None else str(value) for name, value in zip(result.vars, row, strict=True)}
            for row in result.rows]


class SparqlSource(Protocol):
    """Anything that answers a SPARQL 1.1 query string."""

    def query(self, text: str) -> Result:  # pragma: no cover - protocol
        ...


class GraphSource:
    """The rdflib in-memory graph as a SparqlSource."""

    def __init__(self, graph: Graph):
        self.graph = graph

    def query(self, text: str) -> Result:
        with _replace_warning_silenced():  # rows are evaluated as they are read: the whole answer is inside
            try:
                res = self.graph.query(text)
            except Exception as exc:  # pyparsing and rdflib raise many types
                from kg.namespaces import prefixes

                raise QueryError(describe_syntax_error(exc, text, prefixes())) from exc
            if res.type == "ASK":
                return Result("ask", boolean=bool(res.askAnswer))
            if res.type in ("CONSTRUCT", "DESCRIBE"):
                assert res.graph is not None  # rdflib sets it for these two forms
                return Result("graph", triples=list(res.graph))
            names = [str(v) for v in (res.vars or [])]
            # rdflib types what a Result yields as row | bool | triple for every form; a SELECT's are rows
            rows: list[tuple[Node | None, ...]] = [tuple(row) for row in res]  # type: ignore[arg-type]
            return Result("select", vars=names, rows=rows)


_KEYWORDS = frozenset({
    "BASE", "PREFIX", "SELECT", "CONSTRUCT", "DESCRIBE", "ASK", "WHERE", "FROM", "NAMED", "DISTINCT", "REDUCED",
    "AS", "OPTIONAL", "UNION", "MINUS", "GRAPH", "FILTER", "BIND", "VALUES", "SERVICE", "SILENT", "ORDER", "BY",
    "ASC", "DESC", "GROUP", "HAVING", "LIMIT", "OFFSET", "NOT", "EXISTS", "IN", "UNDEF", "COUNT", "SUM", "MIN",
    "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "SEPARATOR", "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND",
    "IRI", "URI", "BNODE", "RAND", "ABS", "CEIL", "FLOOR", "ROUND", "CONCAT", "STRLEN", "UCASE", "LCASE",
    "ENCODE_FOR_URI", "CONTAINS", "STRSTARTS", "STRENDS", "STRBEFORE", "STRAFTER", "YEAR", "MONTH", "DAY",
    "HOURS", "MINUTES", "SECONDS", "TIMEZONE", "TZ", "NOW", "UUID", "STRUUID", "MD5", "SHA1", "SHA256", "SHA384",
    "SHA512", "COALESCE", "IF", "STRLANG", "STRDT", "SAMETERM", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL",
    "ISNUMERIC", "REGEX", "SUBSTR", "REPLACE", "TRUE", "FALSE", "A"
})
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*|[?$]\w+'
                    r"|[A-Za-z_][\w.-]*:[\w.-]*|[A-Za-z_]\w*|\S")
_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z_][\w.-]*)?:", re.IGNORECASE)
_OXIGRAPH_ERROR = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_FORMS = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE", "AskQuery": "ASK"}


def describe_syntax_error(exc: Exception, text: str = "", known_prefixes: Iterable[str] = ()) -> str:
    """One line a SPARQL user can act on: where, what was found, what was expected or meant.

    The parsers' own messages name grammar rules ("Expected SelectQuery") or
    character classes; the query text says more: a misspelt keyword, an
    undeclared prefix, a brace never closed.
    """
    hint = _hint(text, set(known_prefixes)) if text else None
    if hint is not None:
        (at_line, at_col), message = hint
        return f"SPARQL syntax error at line {at_line}, column {at_col}: {message}"
    line: int | None = getattr(exc, "lineno", None)
    col: int | None = getattr(exc, "col", None) or getattr(exc, "column", None)
    msg = getattr(exc, "msg", None) or str(exc).splitlines()[0]
    located = _OXIGRAPH_ERROR.match(str(exc))
    if located:  # Oxigraph: "error at L:C: expected one of A, B, [character classes]"
        line, col = int(located.group(1)), int(located.group(2))
        msg = located.group(3).split(", [")[0].split(" [")[0]
    if any(rule in msg for rule in _FORMS) and (line, col) != (1, 1):
        msg = "what starts here is not valid SPARQL"  # the parser backtracked to the query form
    for rule, word in _FORMS.items():
        msg = msg.replace(rule, word)
    if line is not None and col is not None:
        found = _found(text, line, col)
        return f"SPARQL syntax error at line {line}, column {col}: {found}{msg.replace('Expected', 'expected')}"
    return f"SPARQL error: {msg}"


def _hint(text: str, known: set[str]) -> tuple[tuple[int, int], str] | None:
    declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(text)} | known
    opened: list[tuple[str, int]] = []
    pairs = {"}": "{", ")": "(", "]": "["}
    previous = ""
    for match in _TOKEN.finditer(text):
        token = match.group()
        where = _position(text, match.start())
        if token[0] in "\"'<#?$":
            previous = token
            continue
        if token in "{([":
            opened.append((token, match.start()))
        elif token in "})]":
            if not opened or opened[-1][0] != pairs[token]:
                return where, f"'{token}' closes nothing that is open"
            opened.pop()
        elif (":" in token and token[0].isalpha()) or token.startswith("_:"):
            prefix = token.split(":", 1)[0]
            if prefix != "_" and prefix not in declared and previous.upper() != "PREFIX":
                return where, f"the prefix '{prefix}:' of {token} is not declared (add PREFIX {prefix}: <...>)"
        elif token[0].isalpha() and token.upper() not in _KEYWORDS and previous.upper() != "PREFIX":
            close = difflib.get_close_matches(token.upper(), _KEYWORDS, n=1, cutoff=0.75)
            if close:
                return where, f"found '{token}', did you mean {close[0]}?"
        previous = token
    if opened:
        token, start = opened[-1]
        closer = {v: k for k, v in pairs.items()}[token]
        line, col = _position(text, start)
        return _position(text, len(text.rstrip())), (
            f"the query ends before the '{token}' opened at line {line}, column {col} is closed with '{closer}'")
    return None


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _found(text: str, line: int, col: int) -> str:
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return "found the end of the query; "
    rest = lines[line - 1][col - 1:].strip()
    match = _TOKEN.match(rest)
    return f"found '{match.group()}'; " if match else "found the end of the line; "


def to_graph(triples: Iterable[Triple], base: str | None = None) -> Graph:
    """An rdflib graph with the project's fixed prefixes bound."""
    from rdflib import Graph

    from kg.namespaces import prefixes

    graph = Graph(bind_namespaces="none")
    for prefix, ns in (prefixes(base) if base else prefixes()).items():
        graph.bind(prefix, ns)
    for triple in triples:
        graph.add(triple)
    return graph


__all__ = ["GraphSource", "Result", "SparqlSource", "describe_syntax_error", "lexical", "to_graph"]
