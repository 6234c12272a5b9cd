"""Pictures of the lineage graph: SVG drawn here (no graphviz, no network), Mermaid and DOT text.

The layout is a layered one: each policy sits in the column of its longest
path of links from a root, rows ordered by issue date, so a family reads
left (oldest) to right (newest). Drawn by hand because the families are small
DAGs and a pure-Python layout keeps the output byte-identical everywhere.
Each relation type has its own colour and line (``STYLES``), and every picture
carries a legend of the types it draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

import networkx as nx

from kg.lineage import AMENDS, CONSOLIDATED, IMPLEMENTS, RELATIONS, REPEALS, SUPERSEDES, TRANSPOSES, Lineage
from kg.namespaces import SVG

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 290, 54, 48, 14, 10
LEGEND_ROW = 20
XML = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class Style:
    """How one relation type is drawn, in each output."""

    legend: str  # read "newer <legend> older"
    colour: str
    dash: str  # SVG stroke-dasharray, "" for solid
    width: float
    dot: str  # Graphviz style
    arrow: str  # Mermaid link


STYLES = {
    SUPERSEDES: Style("supersedes (replaces)", "#5b6b7c", "", 1.5, "solid", "-->"),
    CONSOLIDATED: Style("consolidates", "#5b6b7c", "5 3", 1.5, "dashed", "-.->"),
    REPEALS: Style("repeals", "#b3261e", "", 2.5, "bold", "--x"),
    AMENDS: Style("amends", "#0b6e4f", "", 2.0, "solid", "==>"),
    IMPLEMENTS: Style("implements", "#6a3d9a", "8 4", 1.5, "dashed", "-.->"),
    TRANSPOSES: Style("transposes", "#a15c00", "2 3", 1.5, "dotted", "-.->"),
}


def _edges(lineage: Lineage, members: list[str]) -> list[tuple[str, str, str]]:
    """(older, newer, relation) among the members, sorted."""
    return sorted(lineage.graph.subgraph(members).edges(keys=True))


def _kinds(edges: list[tuple[str, str, str]]) -> list[str]:
    """The relation types drawn, in legend order."""
    present = {r for _, _, r in edges}
    return [r for r in RELATIONS if r in present]


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
    edges = _edges(lineage, members)
    kinds = _kinds(edges)
    columns = 1 + max(c for c, _ in pos.values())
    rows = 1 + max(r for _, r in pos.values())
    boxes_h = rows * (BOX_H + GAP_Y) - GAP_Y
    width = max(columns * (BOX_W + GAP_X) - GAP_X, 260 if kinds else 0) + 2 * PAD
    height = boxes_h + 2 * PAD + (GAP_Y + LEGEND_ROW * (len(kinds) + 1) if kinds else 0)
    xy = {n: (PAD + c * (BOX_W + GAP_X), PAD + r * (BOX_H + GAP_Y)) for n, (c, r) in pos.items()}
    markers = "".join(f'<marker id="arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                      f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{STYLES[kind].colour}"/>'
                      f'</marker>' for kind in kinds)
    parts = [f"<defs>{markers}</defs>"] if kinds else []

    def line(x1: int, y1: int, x2: int, y2: int, kind: str) -> str:
        style = STYLES[kind]
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        return (f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{style.colour}" '
                f'stroke-width="{style.width}"{dash} marker-end="url(#arrow-{kind})"')

    for older, newer, relation in edges:
        (x1, y1), (x2, y2) = xy[older], xy[newer]
        parts.append(line(x1 + BOX_W, y1 + BOX_H // 2, x2 - 2, y2 + BOX_H // 2, relation)
                     + f'><title>{escape(newer)} {relation} {escape(older)}</title></line>')
    if kinds:
        top = PAD + boxes_h + GAP_Y
        parts.append(f'<g class="legend"><text x="{PAD}" y="{top + 13}" font-size="12" font-weight="600" '
                     f'fill="#1d2733">legend: an arrow runs from an instrument to the one acting on it</text>')
        for i, kind in enumerate(kinds, start=1):
            y = top + i * LEGEND_ROW + 9
            parts.append(line(PAD, y, PAD + 48, y, kind) + "/>"
                         f'<text x="{PAD + 58}" y="{y + 4}" font-size="12" fill="#1d2733">'
                         f'{escape(STYLES[kind].legend)}</text>')
        parts.append("</g>")
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
    last = len(span) - 1
    for i, year in enumerate(span):
        # first, last, and every fifth year not within two columns of them (labels 26 px apart touch)
        if i in (0, last) or (year % 5 == 0 and 2 <= i <= last - 2):
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
    """A Mermaid flowchart, oldest left, each relation type its own arrow and colour, with a legend."""
    ids = {n: f"n{i}" for i, n in enumerate(sorted(members))}
    lines = ["flowchart LR"]
    for node, key in ids.items():
        data = lineage.graph.nodes[node]
        label = f"{node}<br/>{data['issued'] or 'no record'}".replace('"', "'")
        lines.append(f'  {key}["{label}"]')
    edges = _edges(lineage, members)
    styled = []
    for older, newer, relation in edges:
        lines.append(f"  {ids[older]} {STYLES[relation].arrow}|{relation}| {ids[newer]}")
        styled.append(relation)
    kinds = _kinds(edges)
    if kinds:
        lines += ["  subgraph legend [legend]", "    direction LR"]
        for i, kind in enumerate(kinds):
            lines.append(f'    k{i}a[" "] {STYLES[kind].arrow}|{STYLES[kind].legend}| k{i}b[" "]')
            styled.append(kind)
        lines.append("  end")
    for i, kind in enumerate(styled):
        style = STYLES[kind]
        dash = f",stroke-dasharray:{style.dash}" if style.dash else ""
        lines.append(f"  linkStyle {i} stroke:{style.colour},stroke-width:{style.width}px{dash}")
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
    edges = _edges(lineage, members)
    for older, newer, relation in edges:
        style = STYLES[relation]
        lines.append(f"  {q(older)} -> {q(newer)} [label={q(relation)}, color={q(style.colour)}, "
                     f"style={style.dot}];")
    kinds = _kinds(edges)
    if kinds:
        lines += ["  subgraph cluster_legend {", '    label="legend"; fontname="sans-serif";',
                  '    node [shape=point, width=0.05, label=""];']
        for i, kind in enumerate(kinds):
            style = STYLES[kind]
            lines.append(f"    k{i}a -> k{i}b [label={q(style.legend)}, color={q(style.colour)}, style={style.dot}];")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


__all__ = ["STYLES", "Style", "dot", "family_svg", "layers", "mermaid", "timeline_svg"]
