"""The named query catalogue: ``queries/*.rq`` with typed parameters.

Parameters are bound as typed RDF terms in a ``VALUES`` block placed at
the start of the query's WHERE group, never pasted into the query text as
strings, so a value holding SPARQL syntax stays a value, and the same
bound query runs on rdflib, Oxigraph and any remote endpoint.

Writing a query: SPARQL evaluates nested groups (UNION branches, OPTIONAL
blocks, subqueries) on their own, so use a parameter in the top-level group
(a triple pattern, a FILTER, or a FILTER NOT EXISTS, which sees the outer
bindings); tests/test_queries.py runs every query on rdflib and Oxigraph and
fails when they disagree.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import QueryError
from kg.resources import data_dir
from kg.sparql import Result, SparqlSource, lexical

if TYPE_CHECKING:  # rdflib is imported when a parameter is bound: the lineage queries take none
    from rdflib.term import Node

_HEADER = re.compile(r"^#\s*(title|description|param):\s*(.*)$")
_PARAM_TYPES = ("xsd:string", "xsd:date", "xsd:integer", "xsd:decimal", "xsd:boolean", "xsd:anyURI")
_NAME = re.compile(r"[A-Za-z0-9][\w-]*")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


@dataclass(frozen=True)
class Param:
    """One declared parameter: ``# param: ?name xsd:type required|optional "help" example=V``."""

    name: str
    type: str
    required: bool
    help: str = ""
    example: str | None = None
    default: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "type": self.type, "required": self.required,
                "help": self.help, "example": self.example, "default": self.default}


@dataclass(frozen=True)
class NamedQuery:
    """A query file with its header parsed."""

    name: str
    path: Path
    title: str
    description: str
    text: str
    params: tuple[Param, ...] = field(default_factory=tuple)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def examples(self) -> dict[str, str]:
        """Parameter values from the header's examples (what `--list` shows)."""
        return {p.name: p.example for p in self.params if p.example is not None}

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "title": self.title, "description": self.description,
                "params": [p.as_dict() for p in self.params]}


def parse_query_file(path: Path, name: str | None = None) -> NamedQuery:
    """Read a ``.rq`` file and its header; a malformed header raises QueryError."""
    return parse_query_text(path.read_text(encoding="utf-8"), name or path.stem, path)


def parse_query_text(text: str, name: str, path: Path | None = None) -> NamedQuery:
    """A query and its (optional) header from text: a file, stdin or a form."""
    path = path or Path(name)
    title = description = ""
    params: list[Param] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER.match(line.strip())
        if not match:
            if line.strip() and not line.lstrip().startswith("#"):
                break  # the header ends where the query starts
            continue
        key, value = match.groups()
        if key == "title":
            title = value.strip()
        elif key == "description":
            description = (description + " " + value.strip()).strip()
        else:
            params.append(_parse_param(value, path, number))
    return NamedQuery(name, path, title, description, text, tuple(params))


def _parse_param(spec: str, path: Path, line: int) -> Param:
    try:
        parts = shlex.split(spec)
    except ValueError as exc:
        raise QueryError(f"{path}:{line}: bad param header: {exc}") from exc
    if len(parts) < 3 or not parts[0].startswith("?") or parts[2] not in ("required", "optional"):
        raise QueryError(f"{path}:{line}: a param header reads "
                         '?name xsd:type required|optional "help" example=VALUE [default=VALUE]')
    name, kind, need = parts[0][1:], parts[1], parts[2]
    if kind not in _PARAM_TYPES:
        raise QueryError(f"{path}:{line}: unknown parameter type {kind}; "
                         f"use one of {', '.join(_PARAM_TYPES)}")
    help_text, example, default = "", None, None
    for part in parts[3:]:
        if part.startswith("example="):
            example = part[len("example="):]
        elif part.startswith("default="):
            default = part[len("default="):]
        else:
            help_text = (help_text + " " + part).strip()
    return Param(name, kind, need == "required", help_text, example, default)


def catalogue(folder: Path | None = None) -> dict[str, NamedQuery]:
    """Every shipped named query, by name, in name order."""
    folder = folder or data_dir("queries")
    return {p.stem: parse_query_file(p) for p in sorted(folder.glob("*.rq"))}


def to_term(param: Param, value: str) -> Node:
    """A parameter value as a typed RDF term; an ill-typed value raises QueryError."""
    from rdflib import Literal, URIRef

    from kg.namespaces import XSD

    datatype = XSD[param.type.removeprefix("xsd:")]
    bad = QueryError(f"parameter {param.name} must be {param.type}, got {value!r}")
    if datatype == XSD.date:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise bad from None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise bad
        return Literal(value, datatype=XSD.date)
    if datatype == XSD.integer:
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise bad
        return Literal(int(value))
    if datatype == XSD.decimal:
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value.strip()):
            raise bad
        return Literal(value.strip(), datatype=XSD.decimal)
    if datatype == XSD.boolean:
        if value.lower() not in ("true", "false"):
            raise bad
        return Literal(value.lower() == "true")
    if datatype == XSD.anyURI:
        if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*", value):
            raise bad
        return URIRef(value)
    return Literal(value)


def bind(query: NamedQuery, values: dict[str, str]) -> str:
    """The query text with its parameters bound in a VALUES block.

    Unknown and missing-required parameters raise QueryError; an optional
    parameter with no value and no default stays unbound (UNDEF).
    """
    unknown = sorted(set(values) - {p.name for p in query.params})
    if unknown:
        known = ", ".join(p.name for p in query.params) or "none"
        raise QueryError(f"query '{query.name}' has no parameter {', '.join(unknown)} "
                         f"(its parameters: {known})")
    names: list[str] = []
    terms: list[str] = []
    for param in query.params:
        value = values.get(param.name, param.default)
        if value is None:
            if param.required:
                raise QueryError(f"query '{query.name}' needs --param {param.name}=VALUE "
                                 f"({param.type}{', e.g. ' + param.example if param.example else ''})")
            term = "UNDEF"
        else:
            term = to_term(param, value).n3()
        names.append(f"?{param.name}")
        terms.append(term)
    if not names:
        return query.text
    match = _WHERE.search(_strip_comments(query.text))
    if match is None:
        raise QueryError(f"query '{query.name}' declares parameters but has no WHERE {{ … }} to bind them in")
    block = f"\n  VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}\n"
    return query.text[: match.end()] + block + query.text[match.end():]


def _strip_comments(text: str) -> str:
    # Blank out comments (same length) so regex offsets still index the original text.
    return re.sub(r"#[^\n]*", lambda m: " " * len(m.group()), text)


def run(source: SparqlSource, query: NamedQuery | str, values: dict[str, str] | None = None,
        folder: Path | None = None) -> Result:
    """Run a named query (or a NamedQuery) with parameters on any SparqlSource."""
    if isinstance(query, str):
        query = named(query, folder)
    return source.query(bind(query, values or {}))


def text_rows(source: SparqlSource, query: NamedQuery | str, values: dict[str, str] | None = None
              ) -> list[dict[str, str]]:
    """Run a SELECT like :func:`run`; rows as text by variable (see kg.sparql.lexical): what lineage reads."""
    if isinstance(query, str):
        query = named(query)
    return lexical(source, bind(query, values or {}))


def named(name: str, folder: Path | None = None) -> NamedQuery:
    """One query of the catalogue by name (its file alone is read); an unknown name raises QueryError."""
    folder = folder or data_dir("queries")
    path = folder / f"{name}.rq"
    found = parse_query_file(path) if _NAME.fullmatch(name) and path.is_file() else catalogue(folder).get(name)
    if found is None:
        raise QueryError(f"no query named '{name}'")
    return found


def check_policy_id(source: SparqlSource, value: str) -> None:
    """Refuse an ``id`` parameter that names no policy, with the closest ids (a typo should not look
    like an empty answer)."""
    ids = [str(row[0]) for row in run(source, "policy-ids").rows]
    if value in ids:
        return
    close = difflib.get_close_matches(value, ids, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see ccus-kg query policy-ids"
    raise QueryError(f"no policy '{value}' in the corpus{hint}")


__all__ = ["NamedQuery", "Param", "bind", "catalogue", "check_policy_id", "named", "parse_query_file",
           "parse_query_text", "run", "text_rows", "to_term"]
