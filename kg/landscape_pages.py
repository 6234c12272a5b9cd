"""HTML pages of the landscape: a facility, a jurisdiction, the facility map.

Each page function returns a whole HTML page (the layout and styles of
kg.pages) or None for an unknown id, so a server routes to them with one line
each. Links are stated or derived by kg.landscape; dates follow kg.lineage's
in-force rule. Everything is inline: the map is an SVG drawn here.
"""

from __future__ import annotations

from datetime import date as Date
from html import escape
from urllib.parse import quote

from kg.build import KnowledgeGraph
from kg.facilities import jurisdiction_code
from kg.jurisdictions import by_code
from kg.landscape import Deriver, Scope, above, profile, scopes, timeline
from kg.landscape_drawing import coverage_svg, facility_map_svg
from kg.lineage import OPEN_END, Lineage
from kg.pages import _flatten, _page, _show
from kg.records import Record, ids


class LandscapePages:
    """Facility, jurisdiction and map pages of one loaded knowledge graph."""

    def __init__(self, kg: KnowledgeGraph, lineage: Lineage | None = None, scope: dict[str, Scope] | None = None):
        self.kg = kg
        source = kg.source() if lineage is None or scope is None else None
        self.lineage = lineage or Lineage.from_source(source)  # type: ignore[arg-type]
        self.scope = scope if scope is not None else scopes(source)  # type: ignore[arg-type]
        self.deriver = Deriver(self.lineage, self.scope)
        self.facilities: dict[str, list[Record]] = {}
        for record in kg.corpus.facilities:
            self.facilities.setdefault(record.id, []).append(record)
        for records in self.facilities.values():
            records.sort(key=lambda r: (r.lang != "en", r.lang))

    def _title(self, pid: str) -> str:
        node = self.lineage.graph.nodes.get(pid)
        return str(node["title"]) if node and node["title"] else pid

    def _policy_link(self, pid: str) -> str:
        return f"<a href=\"/doc/policy/{quote(pid)}.html\" class=\"id\">{escape(pid)}</a>"

    def _span(self, pid: str) -> str:
        span = self.lineage.interval(pid) if pid in self.lineage.graph else None
        if span is None:
            return "never in force" if pid in self.lineage.graph else "no record"
        return f"in force {span[0]} – {'' if span[1] == OPEN_END else span[1]}"

    def facility(self, fid: str, on: str | None = None) -> str | None:
        """A facility's page: its fields, its point, and the instruments governing it on a day (stated and
        derived, each with its basis), plus every instrument ever linked."""
        records = self.facilities.get(fid)
        if not records:
            return None
        on = on or Date.today().isoformat()
        main = records[0]
        names = "".join(f"<h1 lang=\"{escape(r.lang)}\"{' class=zh' if i else ''}>{escape(str(r.get('name')))}</h1>"
                        for i, r in enumerate(records))
        code = jurisdiction_code(main) or ""
        stated = ids(main.get("relatedPolicies"))
        today = {d.policy: d for d in self.deriver.on(main, on)}
        ever = {d.policy: d for d in self.deriver.candidates(code or None, _stages(main))}
        facts = [("id", fid), ("jurisdiction", code), ("type", main.get("type")), ("status", main.get("status")),
                 ("sector", main.get("sector")), ("fate of carbon", main.get("fateOfCarbon")),
                 ("capacity (Mt CO2/yr)", main.get("capacity", main.get("estimatedCapacity"))),
                 ("capacity as written", main.get("capacityRaw")), ("operator", main.get("operator")),
                 ("coordinates", main.get("coordinates")), ("precision", main.get("precision"))]
        fact_html = "".join(f"<dt>{escape(k)}</dt><dd>{escape(_show(v))}</dd>" for k, v in facts
                            if v not in (None, "", []))
        rows = []
        for pid in sorted(set(stated) | set(ever)):
            in_force = pid in today or (pid in stated and self.lineage.graph.has_node(pid)
                                        and self.lineage.in_force_on(pid, on))
            basis = "stated" if pid in stated else "derived"
            why = ", ".join(ever[pid].reasons) if pid in ever else "not supported by the rule"
            rows.append(f"<tr><td>{self._policy_link(pid)}</td><td>{escape(self._title(pid))}</td>"
                        f"<td>{basis}</td><td>{escape(why)}</td><td>{escape(self._span(pid))}</td>"
                        f"<td>{'yes' if in_force else 'no'}</td></tr>")
        point = main.get("coordinates")
        picture = ""
        if isinstance(point, list) and len(point) == 2:
            picture = facility_map_svg([{"id": fid, "name": str(main.get("name")), "lat": point[0], "lon": point[1],
                                         "status": main.get("status")}])
        body = [names, f"<p class=\"muted\">Instruments on <time>{escape(on)}</time> "
                f"(<a href=\"?date=\">today</a>); jurisdiction "
                f"<a href=\"/jurisdiction/{quote(code)}\">{escape(code)}</a></p>" if code else "",
                f"<div class=\"grid\"><div class=\"card\"><dl class=\"fields\">{fact_html}</dl></div>"
                f"<div class=\"card\">{picture}</div></div>",
                "<h2>Instruments</h2><p class=\"muted\">Stated: listed by the record (relatedPolicies). Derived: "
                "an instrument of the facility's jurisdiction or one above it whose category or regulatory "
                "pillars bear on its type, by the rule ccus-rule:facility-governing-instrument.</p>",
                "<table><thead><tr><th>id</th><th>title</th><th>basis</th><th>why the rule links it</th>"
                f"<th>in force</th><th>on {escape(on)}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"]
        for record in records:
            fields = "".join(f"<dt>{escape(p)}</dt><dd>{escape(_show(v))}</dd>" for p, v in _flatten(record.data))
            body.append(f"<h2>Every field ({escape(record.lang)})</h2><div class=\"card\"><dl class=\"fields\">"
                        f"{fields}</dl><p lang=\"{escape(record.lang)}\">{escape(record.body)}</p></div>")
        return _page(str(main.get("name") or fid), "".join(body))

    def jurisdiction(self, code: str, on: str | None = None) -> str | None:
        """A jurisdiction's page: its pillar coverage over time, its instruments and its facilities."""
        found = by_code(code)
        if found is None:
            return None
        code = found.code
        on = on or Date.today().isoformat()
        places = above(code)
        instruments = [pid for pid in self.lineage.policies
                       if (s := self.scope.get(pid)) is not None and s.code in places]
        starts = [span[0] for pid in instruments if (span := self.lineage.interval(pid)) is not None]
        first = int(min(starts, default=on)[:4])
        now = profile(self.lineage, self.scope, code, on)
        coverage = "".join(
            f"<tr><td>{escape(p)}</td><td>{'yes' if item['covered'] else 'no'}</td>"
            f"<td>{', '.join(self._policy_link(i) for i in item['instruments']) or '-'}</td></tr>"
            for p, item in now["pillars"].items())
        rows = "".join(f"<tr><td>{self._policy_link(pid)}</td><td>{escape(self._title(pid))}</td>"
                       f"<td>{escape(self.scope[pid].code)}</td><td>{escape(self._span(pid))}</td></tr>"
                       for pid in instruments)
        here = [records[0] for records in self.facilities.values()
                if (c := jurisdiction_code(records[0])) is not None and code in above(c)]
        facility_rows = "".join(
            f"<tr><td><a href=\"/facility/{quote(r.id)}\">{escape(str(r.get('name')))}</a></td>"
            f"<td>{escape(str(r.get('type') or ''))}</td><td>{escape(str(r.get('status') or ''))}</td>"
            f"<td>{escape(_show(r.get('capacity', r.get('estimatedCapacity', ''))))}</td></tr>"
            for r in sorted(here, key=lambda r: r.id))
        name = dict(found.labels).get("en", code)
        body = (f"<h1>{escape(name)} <span class=\"id muted\">{escape(code)}</span></h1>"
                f"<p class=\"muted\">Instruments of {escape(' and '.join(places))}.</p>"
                f"<h2>Regulatory pillars on {escape(on)}</h2><table><thead><tr><th>pillar</th><th>covered</th>"
                f"<th>instruments in force</th></tr></thead><tbody>{coverage}</tbody></table>"
                "<h2>Coverage on 1 January of each year</h2>"
                + coverage_svg(timeline(self.lineage, self.scope, code, range(first, int(on[:4]) + 1)))
                .split("\n", 1)[1] +
                f"<h2>Instruments ({len(instruments)})</h2><table><thead><tr><th>id</th><th>title</th>"
                f"<th>jurisdiction</th><th>in force</th></tr></thead><tbody>{rows}</tbody></table>"
                f"<h2>Facilities ({len(here)})</h2><table><thead><tr><th>name</th><th>type</th><th>status</th>"
                f"<th>capacity (Mt CO2/yr)</th></tr></thead><tbody>{facility_rows}</tbody></table>")
        return _page(name, body)

    def route(self, path: str, params: dict[str, str]) -> str | None:
        """The page at ``/facility/<id>``, ``/jurisdiction/<code>`` or ``/map`` (``?date=`` for the day), or
        None when there is none: the one call a server needs."""
        day = params.get("date") or None
        if day is not None and not _is_day(day):
            return None
        if path == "/map":
            return self.map()
        kind, _, key = path.strip("/").partition("/")
        if kind == "facility":
            return self.facility(key, day)
        if kind == "jurisdiction":
            return self.jurisdiction(key, day)
        return None

    def map(self) -> str:
        """Every facility with coordinates on one offline map, each dot a link to its page."""
        points = []
        for fid, records in sorted(self.facilities.items()):
            point = records[0].get("coordinates")
            if isinstance(point, list) and len(point) == 2:
                points.append({"id": fid, "name": str(records[0].get("name")), "lat": point[0], "lon": point[1],
                               "status": records[0].get("status")})
        return _page("Facility map", f"<h1>Facilities ({len(points)})</h1>"
                                     "<p class=\"muted\">Drawn here from the records' coordinates and the country "
                                     "outlines of the boundaries dataset: no tiles, nothing fetched.</p>"
                     + facility_map_svg(points))


def _is_day(value: str) -> bool:
    try:
        return len(value) == 10 and Date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _stages(record: Record) -> tuple[str, ...]:
    from kg.landscape import facility_stages

    return facility_stages(record)


__all__ = ["LandscapePages"]
