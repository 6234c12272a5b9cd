"""Pictures of the lineage graph: SVG drawn here (no graphviz, no network), Mermaid and DOT text.

The layout is a layered one: each policy sits in the column of its longest
supersession path from a root, rows ordered by issue date, so a family reads
left (oldest) to right (newest). Drawn by hand because the families are small
DAGs and a pure-Python layout keeps the output byte-identical everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import networkx as nx

from kg.lineage import Lineage
from kg.namespaces import SVG

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 290, 54, 48, 14, 10
XML = '<?xml version="1.0" encoding="UTF-8"?>\n'


def layers(lineage: Lineage, members: list[str]) -> dict[str, tuple[int, int]]:
    """(column, row) of each member: column = longest path from a root of the family."""
    dag = lineage.acyclic().subgraph(members)
    column: dict[str, int] = {}
    for node in nx.topological_sort(dag):
        column[node] = 1 + max((column[p] for p in dag.predecessors(node)), default=-1)
    rows: dict[int, list[str]] = {}
    for node in sorted(members, key=lambda n: (lineage.graph.nodes[n]["issued"] or "9999", n)):
        rows.setdefault(column[node], []).append(node)
    return {node: (c, r) for c, nodes in rows.items() for r, node in enumerate(nodes)}


def family_svg(lineage: Lineage, members: list[str], focus: str | None = None,
               href: Callable[[str], str | None] | None = None, standalone: bool = True) -> str:
    """An SVG of some policies and the links between them; ``href`` makes boxes links."""
    pos = layers(lineage, members)
    columns = 1 + max(c for c, _ in pos.values())
    rows = 1 + max(r for _, r in pos.values())
    width, height = columns * (BOX_W + GAP_X) - GAP_X + 2 * PAD, rows * (BOX_H + GAP_Y) - GAP_Y + 2 * PAD
    xy = {n: (PAD + c * (BOX_W + GAP_X), PAD + r * (BOX_H + GAP_Y)) for n, (c, r) in pos.items()}
    parts = ['<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#5b6b7c"/></marker></defs>']
    for older, newer, relation in sorted(lineage.graph.subgraph(members).edges(keys=True)):
        (x1, y1), (x2, y2) = xy[older], xy[newer]
        dash = ' stroke-dasharray="5 3"' if relation != "supersedes" else ""
        parts.append(f'<line x1="{x1 + BOX_W}" y1="{y1 + BOX_H // 2}" x2="{x2 - 2}" y2="{y2 + BOX_H // 2}" '
                     f'stroke="#5b6b7c"{dash} marker-end="url(#arrow)"><title>{escape(newer)} {relation} '
                     f'{escape(older)}</title></line>')
    for node in sorted(xy):
        x, y = xy[node]
        data = lineage.graph.nodes[node]
        title = data["title"] or node
        short = title if len(title) <= 37 else title[:36] + "…"
        strong = node == focus
        fill, ink, sub = ("#12343b", "#ffffff", "#cceeee") if strong else ("#ffffff", "#1d2733", "#5b6b7c")
        stroke = ' stroke="#b3261e" stroke-dasharray="4 3"' if data["dangling"] else ' stroke="#0b6e4f"'
        note = "no record in the corpus" if data["dangling"] else " · ".join(
            v for v in (data["issued"], data["status"]) if v)
        box = (f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}"{stroke}/>'
               f'<text x="{x + 8}" y="{y + 21}" font-size="13" fill="{ink}">{escape(short)}</text>'
               f'<text x="{x + 8}" y="{y + 40}" font-size="11" fill="{sub}">{escape(node)} · {escape(note)}</text>'
               f'<title>{escape(title)}</title>')
        link = href(node) if href and not strong and not data["dangling"] else None
        parts.append(f'<a href="{escape(link)}" class="lineage-link">{box}</a>' if link else f"<g>{box}</g>")
    svg = (f'<svg xmlns="{SVG}" class="lineage" role="img" aria-label="lineage" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="system-ui, sans-serif">{"".join(parts)}</svg>')
    return XML + svg + "\n" if standalone else svg


def timeline_svg(timeline: dict[str, dict[int, int]]) -> str:
    """A grid: one row per jurisdiction, one column per year, the count of instruments in force."""
    years = sorted({y for v in timeline.values() for y in v})
    if not years:
        years = [0]
    span = list(range(years[0], years[-1] + 1))
    top = max((n for v in timeline.values() for n in v.values()), default=1)
    cell, label_w, head = 26, 70, 40
    width = label_w + len(span) * cell + PAD
    height = head + len(timeline) * cell + PAD
    parts = []
    for i, year in enumerate(span):
        if year % 5 == 0 or i == 0 or i == len(span) - 1:
            parts.append(f'<text x="{label_w + i * cell + cell // 2}" y="{head - 8}" font-size="10" '
                         f'text-anchor="middle" fill="#5b6b7c">{year}</text>')
    for r, (country, counts) in enumerate(timeline.items()):
        y = head + r * cell
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" font-size="12" text-anchor="end" '
                     f'fill="#1d2733">{escape(country)}</text>')
        for i, year in enumerate(span):
            n = counts.get(year, 0)
            if not n:
                continue
            shade = round(0.15 + 0.85 * n / top, 3)
            parts.append(f'<rect x="{label_w + i * cell + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" '
                         f'fill="#0b6e4f" fill-opacity="{shade}"><title>{escape(country)} {year}: {n} in force'
                         f'</title></rect><text x="{label_w + i * cell + cell // 2}" y="{y + 17}" font-size="10" '
                         f'text-anchor="middle" fill="{"#ffffff" if shade > 0.5 else "#1d2733"}">{n}</text>')
    return (XML + f'<svg xmlns="{SVG}" role="img" aria-label="instruments in force per year" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'font-family="system-ui, sans-serif">{"".join(parts)}</svg>\n')


def mermaid(lineage: Lineage, members: list[str], focus: str | None = None) -> str:
    """A Mermaid flowchart, oldest left."""
    ids = {n: f"n{i}" for i, n in enumerate(sorted(members))}
    lines = ["flowchart LR"]
    for node, key in ids.items():
        data = lineage.graph.nodes[node]
        label = f"{node}<br/>{data['issued'] or 'no record'}".replace('"', "'")
        lines.append(f'  {key}["{label}"]')
    for older, newer, relation in sorted(lineage.graph.subgraph(members).edges(keys=True)):
        arrow = "-->" if relation == "supersedes" else "-.->"
        lines.append(f"  {ids[older]} {arrow}|{relation}| {ids[newer]}")
    if focus in ids:
        lines.append(f"  style {ids[focus]} fill:#12343b,color:#fff")
    return "\n".join(lines) + "\n"


def dot(lineage: Lineage, members: list[str], focus: str | None = None) -> str:
    """Graphviz DOT, for users who have graphviz."""
    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph lineage {", "  rankdir=LR;", "  node [shape=box, style=rounded, fontname=\"sans-serif\"];"]
    for node in sorted(members):
        data = lineage.graph.nodes[node]
        extra = ", style=\"rounded,filled\", fillcolor=\"#12343b\", fontcolor=white" if node == focus else ""
        extra += ", style=dashed" if data["dangling"] else ""
        lines.append(f"  {q(node)} [label={q(node + chr(10) + (data['issued'] or 'no record'))}{extra}];")
    for older, newer, relation in sorted(lineage.graph.subgraph(members).edges(keys=True)):
        lines.append(f"  {q(older)} -> {q(newer)} [label={q(relation)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


__all__ = ["dot", "family_svg", "layers", "mermaid", "timeline_svg"]
