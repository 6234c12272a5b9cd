"""`ccus-kg query`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kg.errors import QueryError

from .common import (
    LazyChoice,
    base_option,
    escape,
    handle_errors,
    out,
    print_json,
    reader_options,
    reader_source,
)

if TYPE_CHECKING:
    from kg.queries import NamedQuery
    from kg.store import StoreSpec

ID_COLUMNS = frozenset({"id", "current", "jurisdiction", "predecessor", "successor", "amendment"})


class ParamType(click.ParamType):
    """name=value, checked when the command line is read."""

    name = "name=value"

    def convert(self, value: str, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, str]:
        name, sep, text = value.partition("=")
        if not sep or not name:
            self.fail(f"'{value}' is not name=value", param, ctx)
        return name.strip().lstrip("?"), text


@click.command("query")
@click.argument("query", required=False)
@reader_options
@click.option("--param", "-p", "params", type=ParamType(), multiple=True,
              help="A parameter value, name=value (repeatable); bound as a typed RDF term.")
@click.option("--format", "fmt", type=LazyChoice("kg.results:SELECT_FORMATS", "kg.results:GRAPH_FORMATS"),
              default="table", show_default=True, help="Result format (ttl, nt, jsonld for CONSTRUCT/DESCRIBE).")
@click.option("--list", "listing", is_flag=True, help="List the named queries instead (text or json).")
@base_option
@handle_errors
def query_command(query: str | None, seeds: Path, store: StoreSpec, out_dir: Path, verbose: bool,
                  params: tuple[tuple[str, str], ...], fmt: str, listing: bool, base: str) -> None:
    """Run a named query, a .rq file, or a query from stdin (-).

    Parameters are bound as typed RDF terms, never pasted into the query;
    an unknown, missing or ill-typed parameter or a syntax error exits 2.

    Example: ccus-kg query policies-by-jurisdiction --param jurisdiction=CN --format csv
    """
    if listing:
        _list(fmt)
        return
    if not query:
        raise QueryError("name a query (see ccus-kg query --list), a .rq file, or - for stdin")
    from kg.queries import check_policy_id, run
    from kg.results import render

    named = _resolve(query)
    answering = reader_source(seeds, store, base, out_dir, verbose)
    values = dict(params)
    # an id parameter names a policy unless its help says it names a facility
    if "id" in values and any(p.name == "id" and "facility" not in p.help.lower() for p in named.params):
        check_policy_id(answering, values["id"])
    result = run(answering, named, values)
    if fmt == "table":
        if result.kind == "graph":
            fmt = "ttl"
        else:
            _table(result)
            return
    try:
        sys.stdout.write(render(result, fmt, base))
    except ValueError as exc:
        raise QueryError(str(exc)) from exc


def _resolve(query: str) -> NamedQuery:
    from kg.queries import catalogue, parse_query_file, parse_query_text

    if query == "-":
        return parse_query_text(sys.stdin.read(), "-")
    path = Path(query)
    if path.suffix == ".rq" or path.is_file():
        if not path.is_file():
            raise QueryError(f"{path}: no such query file")
        return parse_query_file(path)
    found = catalogue().get(query)
    if found is None:
        import difflib

        close = difflib.get_close_matches(query, list(catalogue()), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see ccus-kg query --list"
        raise QueryError(f"no query named '{query}'{hint}")
    return found


def _list(fmt: str) -> None:
    from kg.queries import catalogue

    queries = catalogue()
    if fmt == "json":
        print_json([q.as_dict() for q in queries.values()])
        return
    from rich.table import Table

    table = Table(title=f"{len(queries)} named queries", show_lines=False)
    # The name is what a user types: never cut or wrapped, whatever the terminal's width.
    table.add_column("name", style="bold", no_wrap=True, min_width=max(len(n) for n in queries))
    table.add_column("title", ratio=1)
    table.add_column("parameters", ratio=1)
    for q in queries.values():
        params = ", ".join(f"{p.name}:{p.type.split(':')[1]}{'' if p.required else '?'}"
                           + (f" (e.g. {p.example})" if p.example else "") for p in q.params)
        table.add_row(q.name, q.title, params)
    out.print(table)


def _table(result) -> None:  # type: ignore[no-untyped-def]
    from rdflib import Literal

    from kg.results import plain

    if result.kind == "ask":
        out.print("true" if result.boolean else "false")
        return
    from rich.table import Table

    table = Table(show_lines=False)
    # A column whose literals share one language shows the text alone ("credit", not "credit@en");
    # where languages mix, each cell says its own.
    mixed = [len({v.language for v in (row[i] for row in result.rows) if isinstance(v, Literal)}) > 1
             for i in range(len(result.vars))]
    for var in result.vars:  # ids are typed back into commands: never cut them
        table.add_column(var, overflow="fold", no_wrap=var in ID_COLUMNS or var.endswith("Id"))
    for row in result.rows:
        table.add_row(*(escape(plain(v)) if mixed[i] or not isinstance(v, Literal) else escape(str(v))
                        for i, v in enumerate(row)))
    out.print(table)
    out.print(f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}")
