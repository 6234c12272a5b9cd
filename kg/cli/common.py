"""What every command shares: options, error handling, finding output."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from kg.errors import DataError, Finding, KgError, Severity

F = TypeVar("F", bound=Callable[..., Any])

class _Console:
    """A rich Console made on first use: `--help`, `--version` and plain-text answers never import rich."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Any = None

    def real(self) -> Any:
        """The rich Console itself (for rich APIs that take one)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
            # rich fixes the width from $COLUMNS when a Console is made; made on first use, it would keep the
            # width of whichever command ran first in this process: follow the terminal at each print instead.
            self._console._width = None
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


def escape(text: str) -> str:
    """rich.markup.escape, imported when first needed."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


out: Any = _Console(highlight=False, soft_wrap=True)
err: Any = _Console(stderr=True, highlight=False, soft_wrap=True)

STYLE = {Severity.VIOLATION: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def seeds_option(func: F) -> F:
    """--seeds DIR, default ./seeds."""
    return click.option(
        "--seeds", type=click.Path(path_type=Path, file_okay=False), default=Path("seeds"),
        show_default=True, help="Folder of policy records (flat, or en/ zh/ … language folders).",
    )(func)


class StoreType(click.ParamType):
    """--store memory | oxigraph:PATH | sparql:QUERY_URL, checked when the command line is read."""

    name = "build|memory|oxigraph:PATH|sparql:URL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from kg.store import StoreSpec

        try:
            return StoreSpec.parse(value) if isinstance(value, str) else value
        except KgError as exc:
            self.fail(str(exc), param, ctx)


def store_option(func: F) -> F:
    """--store, default the Oxigraph store the build leaves in --out."""
    return click.option(
        "--store", type=StoreType(), default="build", show_default=True,
        help="Where queries run: build (the store `ccus-kg build` leaves in --out, rebuilt first when the "
             "records changed), memory (rdflib, mapped on every call), oxigraph:PATH (a store folder of "
             "your own, refreshed from the build) or sparql:QUERY_URL (a remote endpoint).",
    )(func)


def reader_verbose_option(func: F) -> F:
    """--verbose for readers: say where the answer came from."""
    return click.option("--verbose", "-v", is_flag=True,
                        help="Say on stderr whether the answer came from the current build or a rebuild (and why).")(
        func)


def out_option(func: F) -> F:
    """--out DIR: the build folder readers answer from (env CCUS_KG_OUT)."""
    return click.option(
        "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("build"),
        envvar="CCUS_KG_OUT", show_default=True,
        help="Build folder to answer from (as `ccus-kg build --out`); rebuilt there when the records "
             "changed since. Also read from CCUS_KG_OUT.",
    )(func)


def reader_options(func: F) -> F:
    """What every reader takes, in this order: --seeds, --store, --out, --verbose."""
    return seeds_option(store_option(out_option(reader_verbose_option(func))))


class LazyChoice(click.Choice):  # type: ignore[type-arg]
    """A Choice whose values live in a module imported only when the option is used or its help shown."""

    def __init__(self, *sources: str) -> None:  # "module:NAME" each, concatenated
        self.sources = sources
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]  # click's is a plain attribute
        import importlib

        values: list[str] = []
        for source in self.sources:
            module, _, name = source.partition(":")
            values.extend(getattr(importlib.import_module(module), name))
        return tuple(values)


class BaseType(click.ParamType):
    """--base: an http(s) IRI without query or fragment, checked when the command line is read."""

    name = "IRI"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from kg.urls import check_base

        try:
            return check_base(value)
        except KgError as exc:
            self.fail(str(exc), param, ctx)


class _BaseOption(click.Option):
    """--base whose default is read when a command runs (from kg.ontology_iris: no rdflib)."""

    def get_default(self, ctx: click.Context, call: bool = True) -> Any:
        from kg.ontology_iris import DEFAULT_BASE

        return DEFAULT_BASE


def base_option(func: F) -> F:
    """--base IRI for minted resources."""
    return click.option(
        "--base", cls=_BaseOption, type=BaseType(), show_default=True, metavar="IRI",
        help="Base IRI under which policy, cluster and jurisdiction IRIs are minted.",
    )(func)


def format_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    """--format with the given choices."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=default,
                        show_default=True, help="Output format.")


def handle_errors(func: F) -> F:
    """Turn our errors into one clean message and the documented exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DataError as exc:
            # The violations are what stop the command; `validate` lists the rest.
            print_findings([f for f in exc.findings if f.severity is Severity.VIOLATION], stream=err)
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            sys.exit(exc.exit_code)
        except KgError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            sys.exit(exc.exit_code)
        except OSError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            sys.exit(2)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: say so in one line unless asked for the trace
            if os.environ.get("CCUS_KG_DEBUG"):
                raise
            err.print(f"[red]internal error:[/red] {escape(type(exc).__name__)}: {escape(str(exc))} "
                      "(set CCUS_KG_DEBUG=1 for the traceback)")
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


GROUP_AFTER = 3  # findings of one rule past this many are summed up in one line unless --verbose


def print_findings(findings: Iterable[Finding], stream: Any = err, verbose: bool = True) -> None:
    """One line per finding: file:line: field: message, coloured by severity.

    Without ``verbose``, a rule that fires more than GROUP_AFTER times shows
    its first occurrences and one line with the count, so forty "url is
    missing" warnings do not bury the one finding that matters.
    """
    findings = list(findings)
    counts = Counter((f.severity, f.rule) for f in findings)
    shown: Counter[tuple[Severity, str]] = Counter()
    for finding in findings:
        key = (finding.severity, finding.rule)
        if not verbose and counts[key] > GROUP_AFTER:
            shown[key] += 1
            if shown[key] >= GROUP_AFTER:
                continue
        style = STYLE[finding.severity]
        stream.print(f"[{style}]{finding.severity.value}[/{style}] {escape(str(finding))}")
    for (severity, rule), count in counts.items():
        if not verbose and count > GROUP_AFTER:
            style = STYLE[severity]
            stream.print(f"[{style}]{severity.value}[/{style}] … and {count - GROUP_AFTER + 1} more like these "
                         f"({escape(rule.rsplit('/', 1)[-1].rsplit('#', 1)[-1])}); --verbose lists every one")


def verbose_option(func: F) -> F:
    """--verbose: every finding on its own line."""
    return click.option("--verbose", "-v", is_flag=True,
                        help="List every finding; otherwise a rule found many times is summed up in one line.")(func)


def reader_source(seeds: Path, store: Any, base: str, out_dir: Path | None, verbose: bool) -> Any:
    """The SparqlSource a reader answers from; with --verbose, stderr says if the build was current or rebuilt."""
    from kg.store import open_store

    def say(line: str) -> None:
        if verbose:
            err.print(line, markup=False)

    return open_store(store, seeds, base, out=out_dir, say=say)


def print_json(data: Any) -> None:
    """Machine output: plain JSON on stdout, no colour, no wrapping."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))


__all__ = [
    "LazyChoice",
    "base_option",
    "err",
    "escape",
    "format_option",
    "handle_errors",
    "out",
    "out_option",
    "print_findings",
    "print_json",
    "reader_source",
    "reader_verbose_option",
    "seeds_option",
    "store_option",
    "verbose_option",
]
