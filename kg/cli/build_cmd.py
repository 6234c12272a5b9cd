"""`ccus-kg build` and `ccus-kg export`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from kg.errors import DataError, Severity

from .common import (
    LazyChoice,
    base_option,
    err,
    format_option,
    handle_errors,
    out,
    print_findings,
    print_json,
    seeds_option,
    verbose_option,
)

PROGRESS_FROM = 500  # records: below this a bar only flickers


class _Bar:
    """A rich progress bar on stderr for long corpora, silent otherwise."""

    def __init__(self) -> None:
        self.progress: Any = None
        self.task = None

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_FROM or not err.is_terminal:
            return
        if self.progress is None:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("reading records"), BarColumn(),
                                     TextColumn("{task.completed}/{task.total}"),
                                     TimeElapsedColumn(), console=err.real(), transient=True)
            self.progress.start()
            self.task = self.progress.add_task("records", total=total)
        self.progress.update(self.task, completed=done)
        if done == total:
            self.progress.stop()


@click.command("build")
@seeds_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("build"),
              show_default=True, help="Folder the dumps and the ontology are written to.")
@click.option("--allow-invalid", is_flag=True, help="Write the dumps even when records have violations.")
@click.option("--no-cache", is_flag=True,
              help="Map and validate every record, ignoring and leaving alone the cache in OUT/.cache.")
@base_option
@format_option("text", "json")
@verbose_option
@handle_errors
def build_command(seeds: Path, out_dir: Path, allow_invalid: bool, no_cache: bool, base: str, fmt: str,
                  verbose: bool) -> None:
    """Build the knowledge graph: read the records, map them, write the dumps.

    Writes ccus-kg.ttl, ccus-kg.nt, ccus-kg.jsonld and the ontology into
    --out, atomically. Exit 1 (nothing written) when a record has violations.
    Builds are incremental: OUT/.cache remembers every record, and only the
    policies whose records changed are mapped and validated again (the dumps
    are byte-identical to a --no-cache build).

    Example: ccus-kg build --seeds seeds --out build
    """
    from kg.build import build

    try:
        kg = build(seeds, out_dir, base=base, allow_invalid=allow_invalid, progress=_Bar(), cache=not no_cache)
    except DataError as exc:
        if fmt == "json":
            print_json({"ok": False, "message": str(exc),
                        "findings": [f.as_dict() for f in exc.findings]})
            sys.exit(exc.exit_code)
        raise
    summary = {**kg.summary(), "out": str(out_dir)}
    if fmt == "json":
        print_json({"ok": True, **summary, "findings": [f.as_dict() for f in kg.findings]})
    else:
        print_findings(kg.findings, verbose=verbose)
        out.print(_summary_line(summary))
    if summary["errors"]:
        sys.exit(1)


def _summary_line(s: dict[str, object]) -> str:
    return (f"built {s['records']} records ({s['policies']} policies, "
            f"{'+'.join(s['languages'])}) -> {s['triples']} triples; "  # type: ignore[arg-type]
            f"{s['errors']} violations, {s['warnings']} warnings, {s['info']} infos; "
            f"{s['seconds']:.2f} s -> {s['out']}/")


@click.command("export")
@seeds_option
@click.option("--format", "fmt", type=LazyChoice("kg.export:FORMATS", "kg.export:GRAPH_FORMATS"), default="ttl",
              show_default=True,
              help="Serialisation of the RDF graph, or graphml / gexf: the lineage graph for Gephi and Cytoscape.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write here (atomically) instead of stdout.")
@base_option
@verbose_option
@handle_errors
def export_command(seeds: Path, fmt: str, output: Path | None, base: str, verbose: bool) -> None:
    """Export the knowledge graph, byte-identical from run to run.

    The RDF holds the data and the SKOS schemes it points to, so the file
    validates against the shipped shapes on its own. Problems in the records
    go to stderr; bad records are left out and the exit code is 1.

    Example: ccus-kg export --format jsonld -o ccus-kg.jsonld
    Example: ccus-kg export --format graphml -o lineage.graphml
    """
    from kg.build import load
    from kg.export import GRAPH_FORMATS, lineage_graph, serialize, with_schemes, write_atomic
    from kg.lineage import Lineage
    from kg.records import RULE_PREFIX as LOAD_RULE

    kg = load(seeds, base)
    unreadable = {f.file for f in kg.findings if f.severity is Severity.VIOLATION and f.rule.startswith(LOAD_RULE)}
    print_findings(kg.findings, verbose=verbose)
    text = lineage_graph(Lineage.from_source(kg.source()), fmt) if fmt in GRAPH_FORMATS \
        else serialize(with_schemes(kg.triples), fmt, base)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(output, text)
    counts = kg.validate().counts()  # what validate would say of the graph just exported
    if counts["violation"] or counts["warning"]:
        err.print(f"note: the exported graph has {counts['violation']} violation(s) and {counts['warning']} "
                  f"warning(s); run ccus-kg validate --seeds {seeds} for the report")
    if unreadable:
        err.print(f"[red]{len(unreadable)} record file(s) could not be read and are left out[/red]")
        sys.exit(1)
