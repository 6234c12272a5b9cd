"""`ccus-kg lineage`, `in-force` and `analyze`: questions answered by the lineage graph."""

from __future__ import annotations

import re
from datetime import date as Date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kg.errors import QueryError

from .common import (
    base_option,
    escape,
    handle_errors,
    out,
    print_json,
    reader_options,
    reader_source,
)

if TYPE_CHECKING:

    from collections.abc import Callable

    from kg.lineage import Lineage
    from kg.store import StoreSpec


def _checked_day(on: str) -> str:
    """--date as an ISO date, or the usage error a person reads."""
    day = _day(on)
    if not day:
        raise QueryError(f"--date '{on}' is not a real date YYYY-MM-DD")
    return day


def _jurisdiction_code(country: str) -> str:
    """--country (a name in any language or an ISO code) as its ISO 3166 code, EU or INT."""
    from kg.jurisdictions import resolve

    found = resolve(country)
    if found is None:
        raise QueryError(f"--country '{country}' names no ISO 3166 jurisdiction, EU or INT")
    return found.code


def _lineage(seeds: Path, store: StoreSpec, base: str, out_dir: Path, verbose: bool) -> Lineage:
    from kg.lineage import Lineage

    return Lineage.from_source(reader_source(seeds, store, base, out_dir, verbose))


def _svg_option(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--svg", "svg", type=click.Path(path_type=Path, dir_okay=False), default=None,
                        help=f"Also draw {what} as SVG here (drawn locally, no network).")


@click.command("lineage")
@click.argument("policy_id")
@reader_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "mermaid", "dot"]), default="text",
              show_default=True, help="Output format.")
@_svg_option("the policy's lineage family")
@base_option
@handle_errors
def lineage_command(policy_id: str, seeds: Path, store: StoreSpec, out_dir: Path, verbose: bool, fmt: str,
                    svg: Path | None, base: str) -> None:
    """What a policy replaced and what replaced it, its amendments, repeals, implementing and
    transposing instruments, its current version(s) and clusters.

    The predecessor / successor line is replacement only (supersedes,
    consolidation, repeal by a new instrument); the typed relations are listed
    apart. Pictures (--svg, mermaid, dot) show the line and every instrument
    directly related to it, each relation type drawn differently, with a
    legend. An unknown id exits 2 and suggests the closest ids.

    Example: ccus-kg lineage us-45q-eiea-2008 --format json
    """
    lineage = _lineage(seeds, store, base, out_dir, verbose)
    answer = lineage.describe(policy_id)
    members = lineage.neighbourhood(policy_id)
    if svg is not None:
        from kg.drawing import family_svg
        from kg.export import write_atomic

        write_atomic(svg, family_svg(lineage, members, focus=policy_id))  # type: ignore[arg-type]
    if fmt == "json":
        print_json(answer)
    elif fmt == "mermaid":
        from kg.drawing import mermaid

        click.echo(mermaid(lineage, members, policy_id), nl=False)  # type: ignore[arg-type]
    elif fmt == "dot":
        from kg.drawing import dot

        click.echo(dot(lineage, members, policy_id), nl=False)  # type: ignore[arg-type]
    else:
        click.echo(tree_text(lineage, policy_id, answer), nl=False)


def _label(lineage: Lineage, pid: str) -> str:
    data = lineage.graph.nodes[pid]
    if data["dangling"]:
        return f"{pid} (no record in the corpus)"
    facts = ", ".join(v for v in (data["jurisdiction"], data["issued"], data["status"]) if v)
    return f"{pid}  {data['title']} ({facts})"


RELATION_TITLES = {"amends": "amends", "amendedBy": "amended by", "repeals": "repeals", "repealedBy": "repealed by",
                   "implements": "implements", "implementedBy": "implemented by", "transposes": "transposes",
                   "transposedBy": "transposed by"}


def tree_text(lineage: Lineage, pid: str, answer: dict[str, object]) -> str:
    """The lineage as an indented tree: predecessors walk back in time, successors forward (the
    replacement line, each step marked when it is a consolidation or a repeal), then the typed relations."""
    lines = [_label(lineage, pid)]
    line = lineage.replacement()

    def grow(at: str, forward: bool, indent: str, seen: set[str]) -> None:
        nexts = sorted(line.successors(at) if forward else line.predecessors(at))
        for i, nxt in enumerate(nexts):
            last = i == len(nexts) - 1
            older, newer = (at, nxt) if forward else (nxt, at)
            kinds = lineage.graph[older][newer]
            how = " [consolidated]" if "consolidatedFrom" in kinds else " [repealed]" if "repeals" in kinds else ""
            if nxt in seen:
                lines.append(f"{indent}{'└── ' if last else '├── '}{nxt} (see above)")
                continue
            seen.add(nxt)
            lines.append(f"{indent}{'└── ' if last else '├── '}{_label(lineage, nxt)}{how}")
            grow(nxt, forward, indent + ("    " if last else "│   "), seen)

    for title, forward in (("predecessors", False), ("successors", True)):
        lines.append(f"├── {title}:" if answer[title] else f"├── {title}: none")
        grow(pid, forward, "│   ", set())
    relations: dict[str, list[str]] = answer["relations"]  # type: ignore[assignment]
    for key, title in RELATION_TITLES.items():
        others = sorted(relations[key], key=lambda n: (lineage.graph.nodes[n]["issued"] or "9999", n))  # oldest first
        if others:
            lines.append(f"├── {title}:")
            for i, other in enumerate(others):
                lines.append(f"│   {'└── ' if i == len(others) - 1 else '├── '}{_label(lineage, other)}")
    current = answer["current"]
    lines.append("├── current: " + (", ".join(current) if current else "none in force today"))  # type: ignore[arg-type]
    clusters = answer["clusters"]
    lines.append("└── clusters: " + ("; ".join(clusters) if clusters else "none"))  # type: ignore[arg-type]
    return "\n".join(lines) + "\n"


def _day(value: str) -> str:
    try:
        return Date.fromisoformat(value).isoformat() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else ""
    except ValueError:
        return ""


@click.command("in-force")
@click.option("--date", "on", required=True, metavar="YYYY-MM-DD", help="The day asked about.")
@click.option("--country", default=None, metavar="NAME|ISO",
              help="Only this jurisdiction (a name in any language or an ISO 3166 code; subdivisions included).")
@reader_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@base_option
@handle_errors
def in_force_command(on: str, country: str | None, seeds: Path, store: StoreSpec, out_dir: Path, verbose: bool,
                     fmt: str, base: str) -> None:
    """The policies in force on a day, as amended that day, derived from the lineage.

    In force from the earliest in-force / commenced milestone, else the issue
    date (an Adopted instrument awaiting commencement only from such a
    milestone), until a dated repealed / expired / lapsed milestone or the day
    an instrument that repeals or supersedes it comes into force. Amendments
    end nothing: each is listed under the instrument it amends. Drafts,
    proposals and statuses that may not be in force never are; provisionally
    applied instruments are listed apart.

    Example: ccus-kg in-force --date 2020-01-01 --country "United States"
    """
    day = _checked_day(on)
    code = _jurisdiction_code(country) if country else None
    lineage = _lineage(seeds, store, base, out_dir, verbose)
    answer = lineage.in_force_rows(day, code)
    if fmt == "json":
        print_json(answer)
        return
    lineage_rows: list[dict] = answer["policies"]  # type: ignore[assignment, type-arg]
    provisional: list[dict] = answer["provisionallyApplied"]  # type: ignore[assignment, type-arg]
    rows = [(row["id"], row["title"], row["jurisdiction"], row["issued"], "") for row in lineage_rows
            for row in [row, *({"id": f"↳ {a}", **lineage.graph.nodes[a]} for a in row["amendedBy"])]]
    rows = [(i, t, j, d, "dim" if i.startswith("↳") else "") for i, t, j, d, _ in rows]
    _print_rows(f"In force on {day}" + (f" in {code}" if code else "") + f": {len(lineage_rows)}", rows,
                "↳ an amendment in force that day, under the instrument it amends, oldest first")
    if provisional:
        _print_rows(f"Provisionally applied on {day} (not in force): {len(provisional)}",
                    [(r["id"], r["title"] + (f" (amends {', '.join(r['amends'])})" if r["amends"] else ""),
                      r["jurisdiction"], r["issued"], "") for r in provisional])


def _print_rows(title: str, rows: list[tuple[str, str, str, str, str]], caption: str | None = None) -> None:
    """id, title, where, issued: one line a row where the terminal is wide enough, ids and dates never cut.

    The title takes the width left and ends in an ellipsis (the whole title is in --format json);
    where even ten characters are not left, each row takes two lines: the id, then the date, place and title.
    """
    from rich.table import Table

    table = Table(title=title, caption=caption)
    id_width = max((len(r[0]) for r in rows), default=2)
    place_width = max([len("where")] + [len(r[2]) for r in rows])
    # four columns: five rules and two spaces of padding each
    left = out.width - (id_width + place_width + len("YYYY-MM-DD") + 5 + 4 * 2)
    if left < 10:
        width = max(id_width, out.width - 4)
        table.add_column("id / issued, where, title", no_wrap=True, min_width=id_width, max_width=width)
        for pid, name, where, issued, style in rows:
            second = f"  {issued} {where:<{place_width}} {name}"
            second = second if len(second) <= width else second[:width - 1] + "…"
            table.add_row(f"{escape(pid)}\n{escape(second)}", style=style)
    else:
        table.add_column("id", no_wrap=True, min_width=id_width)
        table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=left)
        table.add_column("where", no_wrap=True, min_width=place_width)
        table.add_column("issued", no_wrap=True, min_width=len("YYYY-MM-DD"))
        for pid, name, where, issued, style in rows:
            table.add_row(escape(pid), escape(name), escape(where), escape(issued), style=style)
    out.print(table)


@click.command("analyze")
@reader_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@_svg_option("the timeline of instruments in force per jurisdiction and year")
@base_option
@handle_errors
def analyze_command(seeds: Path, store: StoreSpec, out_dir: Path, verbose: bool, fmt: str, svg: Path | None,
                    base: str) -> None:
    """The shape of the lineage: families, chains, forks, merges, dangling links, cycles, hubs, timeline.

    Dangling references and cycles are reported, never fatal.

    Example: ccus-kg analyze --seeds seeds --svg timeline.svg
    """
    lineage = _lineage(seeds, store, base, out_dir, verbose)
    report = lineage.analysis()
    if svg is not None:
        from kg.drawing import timeline_svg
        from kg.export import write_atomic

        write_atomic(svg, timeline_svg(lineage.timeline()))
    if fmt == "json":
        print_json(report)
        return
    _print_analysis(report)


def _print_analysis(r: dict) -> None:  # type: ignore[type-arg]
    families = r["families"]
    out.print(f"[bold]{r['policies']}[/bold] policies, {r['links']} lineage links, {len(families)} families "
              f"(sizes {', '.join(map(str, r['familySizes'])) or 'none'})")
    out.print("[bold]longest chains[/bold]")
    for chain in r["longestChains"] or [[]]:
        out.print("  " + (" → ".join(chain) if chain else "none"))
    for title, key in (("forks (one replaced by several)", "forks"), ("merges (several replaced by one)", "merges")):
        out.print(f"[bold]{title}[/bold]" + ("" if r[key] else ": none"))
        for pid, others in r[key].items():
            out.print(f"  {pid}: {', '.join(others)}")
    out.print("[bold]roots[/bold]: " + (", ".join(r["roots"]) or "none"))
    out.print("[bold]dangling references[/bold]" + ("" if r["dangling"] else ": none"))
    for d in r["dangling"]:
        out.print(f"  [red]{d['policy']}[/red] {d['relation']} {d['target']} (no such record)")
    out.print("[bold]cycles[/bold]: " + ("; ".join(" → ".join(c) for c in r["cycles"]) or "none"))
    out.print("[bold]lineage depth per jurisdiction[/bold]: "
              + (", ".join(f"{k} {v}" for k, v in r["depthByJurisdiction"].items()) or "none"))
    out.print("[bold]hub instruments (PageRank on policies, clusters and links)[/bold]")
    for c in r["centrality"]:
        out.print(f"  {c['pagerank']:.4f}  {c['id']}")
    out.print("[bold]cluster overlap[/bold]" + ("" if r["clusterOverlap"] else ": none"))
    for o in r["clusterOverlap"]:
        out.print(f"  {o['shared']} shared (Jaccard {o['jaccard']}): {o['a']} ∩ {o['b']}")
    out.print("[bold]instruments in force on 31 December[/bold] (year: count, where it changes)")
    for country, counts in r["timeline"].items():
        steps, last = [], None
        for year, n in counts.items():
            if n != last:
                steps.append(f"{year}: {n}")
                last = n
        out.print(f"  {country}  " + ", ".join(steps))
