"""`ccus-kg validate`."""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import click

from kg.errors import Severity

from .common import STYLE, base_option, escape, handle_errors, out, print_json, seeds_option


@click.command("validate")
@seeds_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text",
              show_default=True, help="text for people, json for machines, ttl for a sh:ValidationReport.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--engine", type=click.Choice(["sparql", "pyshacl"]), default="sparql", show_default=True,
              help="sparql: shapes.ttl compiled to SPARQL on Oxigraph (fast); pyshacl: the reference engine.")
@base_option
@handle_errors
def validate_command(seeds: Path, fmt: str, strict: bool, engine: str, base: str) -> None:
    """Check every record against ontology/shapes.ttl and the cross-record rules.

    Each finding names the file, the line, the dotted field path, the
    severity and the rule (the shape's IRI). Exit 0 when there is no
    violation (warnings allowed unless --strict), 1 otherwise. --format ttl
    is a SHACL report: it conforms only without any result, and loading
    problems are results whose rule is an IRI in the shapes.

    Example: ccus-kg validate --seeds seeds --format json
    Example: ccus-kg validate --seeds seeds --format ttl > report.ttl
    """
    from kg.build import load

    kg = load(seeds, base)
    report = kg.validate(engine)
    if fmt == "json":
        print_json({"conforms": report.conforms, "counts": report.counts(),
                    "findings": [f.as_dict() for f in report.findings]})
    elif fmt == "ttl":
        from kg.export import turtle
        from kg.validation import report_triples

        sys.stdout.write(turtle(report_triples(report, kg.minter), base))
    else:
        _print_text(report.findings, report.counts())
    counts = report.counts()
    if counts["violation"] or (strict and counts["warning"]):
        sys.exit(1)


def _print_text(findings: list, counts: dict[str, int]) -> None:
    by_file: dict[str, list] = defaultdict(list)
    for finding in findings:
        by_file[finding.file].append(finding)
    for file in sorted(by_file):
        out.print(f"[bold]{escape(file or '(corpus)')}[/bold]")
        for f in by_file[file]:
            style = STYLE[f.severity]
            where = f"{f.line}:" if f.line else ""
            rule = f.rule.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            out.print(f"  {where:>5} [{style}]{f.severity.value:<9}[/{style}] {escape(f.message)}"
                      f" [dim]({escape(rule)})[/dim]")
    summary = ", ".join(f"{counts[s.value]} {s.value}{'s' if counts[s.value] != 1 else ''}"
                        for s in Severity)
    verdict = "[green]conforms[/green]" if not counts["violation"] else "[red]does not conform[/red]"
    out.print(f"{verdict}: {summary} in {len(by_file)} file{'s' if len(by_file) != 1 else ''}")
