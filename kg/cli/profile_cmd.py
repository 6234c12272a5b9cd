"""`ccus-kg profile`: a jurisdiction's coverage of the seven regulatory pillars on a day."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import (
    base_option,
    escape,
    handle_errors,
    out,
    print_json,
    reader_options,
    reader_source,
)
from .lineage_cmd import _checked_day, _jurisdiction_code

if TYPE_CHECKING:
    from kg.store import StoreSpec


@click.command("profile")
@click.option("--country", required=True, metavar="NAME|ISO",
              help="The jurisdiction: a name in any language or an ISO 3166 code (EU for the Union).")
@click.option("--date", "on", required=True, metavar="YYYY-MM-DD", help="The day asked about.")
@reader_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--svg", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also draw the coverage on 1 January of each year, from the first instrument to --date, "
                   "as SVG here (drawn locally, no network).")
@base_option
@handle_errors
def profile_command(country: str, on: str, seeds: Path, store: StoreSpec, out_dir: Path, verbose: bool, fmt: str,
                    svg: Path | None, base: str) -> None:
    """Which of the seven regulatory pillars a jurisdiction covers on a day, and by which instruments.

    A pillar is covered when an instrument of the jurisdiction, or of one
    above it (the country of a state, the EU for a member state), is in force
    that day (the rule of `ccus-kg in-force`) and its record addresses the
    pillar (a non-empty regulatory.<pillar> text). The instruments are the
    evidence. Stated profiles (a content root's countries/) are compared with
    this by `ccus-kg validate`.

    Example: ccus-kg profile --country NO --date 2024-01-01 --format json
    """
    from kg.landscape import profile, scopes, timeline
    from kg.lineage import Lineage

    day = _checked_day(on)
    code = _jurisdiction_code(country)
    source = reader_source(seeds, store, base, out_dir, verbose)
    lineage, scope = Lineage.from_source(source), scopes(source)
    answer = profile(lineage, scope, code, day)
    if svg is not None:
        from kg.export import write_atomic
        from kg.landscape_drawing import coverage_svg

        starts = [span[0] for pid in lineage.policies if (span := lineage.interval(pid)) is not None]
        first = int(min(starts, default=day)[:4])
        write_atomic(svg, coverage_svg(timeline(lineage, scope, code, range(first, int(day[:4]) + 1))))
    if fmt == "json":
        print_json(answer)
        return
    from rich.table import Table

    table = Table(title=f"Regulatory pillars of {code} on {day}")
    for column in ("pillar", "covered", "instruments in force"):
        table.add_column(column)
    for pillar, item in answer["pillars"].items():
        table.add_row(pillar, "yes" if item["covered"] else "no", escape(", ".join(item["instruments"]) or "-"))
    out.print(table)
