"""Pictures of the landscape, drawn here with no tile server and no network: pillar coverage per
year (the grid style of kg.drawing.timeline_svg) and a world map of facilities, whose country
outlines come from the boundaries kg.geo reads."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from html import escape
from typing import Any

import pycountry

from kg.drawing import PAD, XML
from kg.geo import outline
from kg.namespaces import SVG

COVERED, UNCOVERED = "#0b6e4f", "#eef3f6"
STATUS_COLOURS = {"Operational": "#0b6e4f", "Under construction": "#0b5cad", "Planned": "#a15c00",
                  "Suspended": "#6a3d9a", "Decommissioned": "#5b6b7c", "Cancelled": "#b3261e"}


def coverage_svg(profiles: Sequence[dict[str, Any]]) -> str:
    """One row per pillar, one column per profile (a year), filled where an instrument in force covers it."""
    if not profiles:
        profiles = []
    pillars = list(profiles[0]["pillars"]) if profiles else []
    cell, label_w, head = 26, 170, 40
    width = label_w + max(1, len(profiles)) * cell + PAD
    height = head + len(pillars) * cell + PAD
    parts = []
    for i, item in enumerate(profiles):
        year = item["date"][:4]
        if i == 0 or i == len(profiles) - 1 or int(year) % 5 == 0:
            parts.append(f'<text x="{label_w + i * cell + cell // 2}" y="{head - 8}" font-size="10" '
                         f'text-anchor="middle" fill="#5b6b7c">{year}</text>')
    for r, pillar in enumerate(pillars):
        y = head + r * cell
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" font-size="12" text-anchor="end" '
                     f'fill="#1d2733">{escape(pillar)}</text>')
        for i, item in enumerate(profiles):
            found = item["pillars"][pillar]
            names = ", ".join(found["instruments"]) or "no instrument in force"
            parts.append(f'<rect x="{label_w + i * cell + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" '
                         f'fill="{COVERED if found["covered"] else UNCOVERED}"><title>{escape(pillar)} '
                         f'{item["date"]}: {escape(names)}</title></rect>')
    title = f"regulatory pillars covered per year in {profiles[0]['jurisdiction']}" if profiles else "no profile"
    return (XML + f'<svg xmlns="{SVG}" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif">{"".join(parts)}</svg>\n')


@lru_cache(maxsize=1)
def _world_paths() -> str:
    """Every country outline the boundaries dataset has, simplified, as SVG path data (lon, -lat)."""
    paths = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        found = outline(country.alpha_2)
        if found is None:
            continue
        shape = found[0].simplify(0.25, preserve_topology=True)
        polygons = getattr(shape, "geoms", [shape])
        data = []
        for polygon in polygons:
            if not hasattr(polygon, "exterior"):  # a line or point left by repairing an outline
                continue
            ring = list(polygon.exterior.coords)
            if len(ring) < 3:
                continue
            data.append("M" + "L".join(f"{x:.1f} {-y:.1f}" for x, y in ring) + "Z")
        if data:
            paths.append(f'<path d="{"".join(data)}"><title>{escape(country.alpha_2)}</title></path>')
    return "".join(paths)


def facility_map_svg(points: Sequence[dict[str, Any]], href: str = "/facility/") -> str:
    """Facilities as dots on a plain equirectangular world map (each {id, name, lat, lon, status}),
    coloured by status, each a link to its page. Inline SVG: nothing is fetched."""
    dots = []
    for point in sorted(points, key=lambda p: p["id"]):
        colour = STATUS_COLOURS.get(point.get("status") or "", "#1d2733")
        label = escape(f"{point['name']} ({point.get('status') or 'status unknown'})")
        dots.append(f'<a href="{escape(href + point["id"])}"><circle cx="{point["lon"]:.2f}" cy="{-point["lat"]:.2f}" '
                    f'r="1.6" fill="{colour}" fill-opacity="0.85" stroke="#ffffff" stroke-width="0.3">'
                    f'<title>{label}</title></circle></a>')
    legend = "".join(f'<circle cx="-175" cy="{-80 + 7 * i}" r="2" fill="{c}"/><text x="-171" y="{-78.5 + 7 * i}" '
                     f'font-size="5" fill="#1d2733">{escape(s)}</text>'
                     for i, (s, c) in enumerate(STATUS_COLOURS.items()))
    return (f'<svg xmlns="{SVG}" role="img" aria-label="map of {len(points)} facilities" viewBox="-180 -90 360 180" '
            f'width="100%" font-family="system-ui, sans-serif" style="background:#f2f7fb">'
            f'<g fill="#dfe6ec" stroke="#b8c4cf" stroke-width="0.2">{_world_paths()}</g>'
            f'<g>{"".join(dots)}</g><g>{legend}</g></svg>')


__all__ = ["coverage_svg", "facility_map_svg"]
