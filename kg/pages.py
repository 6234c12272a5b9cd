"""HTML pages for the server: index, policy pages, resources, queries, ontology.

Rendered from the loaded records (so every field shows in every language it
was written in) and the graph; styles, scripts and pictures are inline or
served by this process, so the site works offline.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from html import escape
from typing import Any
from urllib.parse import quote, urlsplit

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg.build import KnowledgeGraph
from kg.drawing import family_svg
from kg.lineage import ENDING, OPEN_END, Lineage
from kg.namespaces import CCUS, OWL, RDF, RDFS, SVG, prefixes
from kg.queries import NamedQuery
from kg.records import DIMENSIONS, Record
from kg.vocab import vocabularies

Triple = tuple[Node, Node, Node]

CSS = """
:root { --ink:#1d2733; --muted:#5b6b7c; --line:#d9e1e8; --accent:#0b6e4f; --warn:#a15c00; --bg:#f7f9fb; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif;
       color:var(--ink); background:var(--bg); }
header { background:#12343b; color:#fff; padding:.6rem 1.2rem; display:flex; flex-wrap:wrap; gap:.3rem 1.4rem;
         align-items:baseline; }
header a { color:#dff3ea; text-decoration:none; } header strong a { color:#fff; font-size:1.1rem; }
main { max-width:1180px; margin:0 auto; padding:1rem 1.2rem 3rem; overflow-wrap:break-word; }
h1 { font-size:1.5rem; margin:.6rem 0 .2rem; } h2 { font-size:1.15rem; margin:1.6rem 0 .5rem;
     border-bottom:1px solid var(--line); padding-bottom:.2rem; }
.zh { color:var(--muted); } .muted { color:var(--muted); } .id { font-family:ui-monospace, monospace; font-size:.9em; }
table { border-collapse:collapse; width:100%; background:#fff; }
th, td { text-align:left; padding:.35rem .5rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#eef3f6; font-weight:600; }
a { color:#0b5cad; }
.filters { display:flex; flex-wrap:wrap; gap:.6rem; margin:.8rem 0; align-items:end; }
.filters label { display:flex; flex-direction:column; font-size:.85rem; color:var(--muted); }
input, select, textarea, button { font:inherit; padding:.3rem .4rem; border:1px solid #b8c4cf; border-radius:4px; }
button { background:var(--accent); color:#fff; border:0; padding:.4rem .9rem; cursor:pointer; }
.badge { display:inline-block; padding:0 .45rem; border-radius:9px; font-size:.8rem;
         background:#e3efe9; color:#0b4d37; }
.badge.Superseded, .badge.Repealed, .badge.Expired { background:#f4e5d3; color:var(--warn); }
.grid { display:grid; grid-template-columns: repeat(auto-fit, minmax(min(320px, 100%), 1fr)); gap:1rem; }
.grid > * { min-width:0; }
.card { background:#fff; border:1px solid var(--line); border-radius:6px; padding:.8rem 1rem; overflow-wrap:anywhere; }
dl.fields { display:grid; grid-template-columns: minmax(6rem, 15rem) minmax(0, 1fr); gap:.2rem .8rem; margin:0; }
dl.fields dt { color:var(--muted); font-family:ui-monospace, monospace; font-size:.85rem; }
dl.fields dd { margin:0; white-space:pre-wrap; overflow-wrap:anywhere; }
.timeline { list-style:none; padding:0; border-left:3px solid var(--accent); margin-left:.5rem; }
.timeline li { margin:0 0 .5rem .8rem; } .timeline time { font-weight:600; margin-right:.5rem; }
time, .date { white-space:nowrap; }
.scroll { max-width:100%; overflow-x:auto; }
svg { max-width:100%; height:auto; } .scroll > svg { max-width:none; }
svg text { font-family: system-ui, sans-serif; }
@media (max-width: 600px) {
  main { padding:.8rem .7rem 2rem; }
  dl.fields { grid-template-columns: minmax(0, 1fr); gap:0; } dl.fields dd { margin-bottom:.4rem; }
  .filters label, .filters input, .filters select { width:100%; }
}
.error { background:#fbe9e7; border:1px solid #e5a49a; padding:.5rem .8rem; border-radius:4px; }
details.query { background:#fff; border:1px solid var(--line); border-radius:6px; margin:.4rem 0; padding:.4rem .8rem; }
details.query summary { cursor:pointer; font-weight:600; }
"""

JS = """
(function () {
  var table = document.getElementById('policies');
  if (!table) return;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var ids = ['f-q', 'f-jur', 'f-status', 'f-cat', 'f-score'];
  function apply() {
    var q = document.getElementById('f-q').value.toLowerCase();
    var jur = document.getElementById('f-jur').value, st = document.getElementById('f-status').value;
    var cat = document.getElementById('f-cat').value;
    var min = parseInt(document.getElementById('f-score').value || '0', 10);
    var shown = 0;
    rows.forEach(function (r) {
      var ok = (!q || r.dataset.text.indexOf(q) >= 0) && (!jur || r.dataset.jur === jur) &&
               (!st || r.dataset.status === st) && (!cat || r.dataset.cat === cat) &&
               (parseInt(r.dataset.score || '0', 10) >= min);
      r.style.display = ok ? '' : 'none'; if (ok) shown++;
    });
    document.getElementById('count').textContent = shown + ' of ' + rows.length + ' policies';
  }
  ids.forEach(function (id) { document.getElementById(id).addEventListener('input', apply); });
  apply();
})();
"""

# (key of Lineage.relations, or the replacement line, section title), in page order.
RELATION_SECTIONS = (
    ("amendedBy", "As amended by"), ("amends", "Amends"), ("implementedBy", "Implemented by"),
    ("implements", "Implements"), ("transposedBy", "Transposed by"), ("transposes", "Transposes"),
    ("repealedBy", "Repealed by"), ("replacedBy", "Replaced by"), ("repeals", "Repeals"), ("replaces", "Replaces"),
)

STATIC = {"style.css": ("text/css; charset=utf-8", CSS.encode()),
          "app.js": ("text/javascript; charset=utf-8", JS.encode())}


def static(name: str) -> tuple[str, bytes] | None:
    """A static asset served by this process (no CDN)."""
    return STATIC.get(name)


def web_link(url: str) -> bool:
    """Only http(s) URLs become links: never javascript:, data: or any other scheme.

    >>> web_link(" JavaScript:alert(1)"), web_link("data:text/html,x"), web_link("java\tscript:x")
    (False, False, False)
    """
    return urlsplit(url.strip()).scheme.lower() in ("http", "https") and url == url.strip()


FAVICON = (f"<svg xmlns=\"{SVG}\" viewBox=\"0 0 32 32\"><rect width=\"32\" height=\"32\" rx=\"6\" "
           "fill=\"#12343b\"/><circle cx=\"16\" cy=\"16\" r=\"8\" fill=\"none\" stroke=\"#dff3ea\" stroke-width=\"3\"/>"
           "<circle cx=\"16\" cy=\"16\" r=\"3\" fill=\"#0b6e4f\"/></svg>")
STATIC["favicon.svg"] = ("image/svg+xml", FAVICON.encode())


def _page(title: str, body: str) -> str:
    # Every table sits in a box that scrolls sideways, so a wide table never widens a narrow page.
    body = body.replace("<table", "<div class=\"scroll\"><table").replace("</table>", "</table></div>")
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(title)} · ccus-kg</title>"
        "<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">"
        "<link rel=\"stylesheet\" href=\"/static/style.css\"></head>"
        "<body><header><strong><a href=\"/\">ccus-kg</a></strong><a href=\"/\">Policies</a>"
        "<a href=\"/query\">Query</a><a href=\"/ontology\">Ontology</a><a href=\"/void.ttl\">VoID</a>"
        "<a href=\"/dumps/ccus-kg.ttl\">Turtle dump</a></header>"
        f"<main>{body}</main><script src=\"/static/app.js\"></script></body></html>"
    )


class Site:
    """Renders every page from one loaded knowledge graph."""

    def __init__(self, kg: KnowledgeGraph, describe: Callable[[URIRef], list[Triple]],
                 queries: dict[str, NamedQuery], lineage: Lineage):
        self.kg = kg
        self.lineage = lineage
        self.base = kg.base
        self.minter = kg.minter
        self.describe = describe
        self.queries = queries
        self.policies: dict[str, list[Record]] = kg.corpus.policies()
        self.vocab = vocabularies()
        self.incoming: dict[Node, set[Node]] = {}
        self.labels: dict[Node, dict[str, str]] = {}
        for s, p, o in kg.triples:
            if isinstance(o, URIRef) and p in (CCUS.inCluster, CCUS.jurisdiction):
                self.incoming.setdefault(o, set()).add(s)
            if p == RDFS.label and isinstance(o, Literal):
                self.labels.setdefault(s, {}).setdefault(o.language or "", str(o))

    # --- helpers ---------------------------------------------------------------------------

    def href(self, iri: str) -> str:
        """The page of a resource under our base, else the IRI itself if it is http(s), else nothing."""
        if iri.startswith(self.base):
            return "/doc/" + iri[len(self.base):] + ".html"
        return iri if web_link(iri) else ""

    def title(self, pid: str, lang: str = "en") -> str:
        records = self.policies.get(pid, [])
        for record in records:
            if record.lang == lang:
                return str(record.data.get("title", pid))
        return str(records[0].data.get("title", pid)) if records else pid

    def _main(self, pid: str) -> Record:
        records = self.policies[pid]
        return next((r for r in records if r.lang == "en"), records[0])

    def _concept(self, record: Record, path: str, scheme: str) -> str:
        value = record.get(path)
        if not isinstance(value, str) or not value:
            return ""
        concept = self.vocab.lookup(scheme, value)
        return self.vocab.concepts[concept].notation if concept is not None else value

    def _jurisdiction(self, pid: str) -> tuple[str, str]:
        for _, p, o in self.describe(self.minter.policy(pid)):
            if p == CCUS.jurisdiction:
                code = str(o).rsplit("/", 1)[-1]
                return code, self.labels.get(o, {}).get("en", code)
        record = self._main(pid)
        return "", str(record.get("country") or "")

    def _mean_score(self, record: Record) -> int | None:
        scores = [b["score"] for b in (record.get("analysis") or {}).values()
                  if isinstance(b, dict) and isinstance(b.get("score"), int)]
        return round(sum(scores) / len(scores)) if scores else None

    # --- index -----------------------------------------------------------------------------

    def index(self) -> str:
        rows, jurs, statuses, cats = [], {}, set(), set()
        for pid in sorted(self.policies):
            record = self._main(pid)
            code, jname = self._jurisdiction(pid)
            status = self._concept(record, "status", "status")
            cat = self._concept(record, "category", "category")
            mean = self._mean_score(record)
            zh = self.title(pid, "zh") if any(r.lang == "zh" for r in self.policies[pid]) else ""
            jurs[code] = jname
            statuses.add(status)
            cats.add(cat)
            text = " ".join([pid, self.title(pid), zh, jname, str(record.get("source") or "")]).lower()
            rows.append(
                f"<tr data-jur=\"{escape(code)}\" data-status=\"{escape(status)}\" data-cat=\"{escape(cat)}\""
                f" data-score=\"{mean or 0}\" data-text=\"{escape(text)}\">"
                f"<td><a href=\"{self.href(str(self.minter.policy(pid)))}\">{escape(self.title(pid))}</a>"
                + (f"<br><span class=\"zh\" lang=\"zh\">{escape(zh)}</span>" if zh and zh != self.title(pid) else "")
                + f"<br><span class=\"id muted\">{escape(pid)}</span></td>"
                f"<td>{escape(jname)} <span class=\"muted id\">{escape(code)}</span></td>"
                f"<td><span class=\"badge {escape(status)}\">{escape(status)}</span></td><td>{escape(cat)}</td>"
                f"<td class=\"date\">{escape(str(record.get('pubDate') or record.get('year') or ''))}</td>"
                f"<td>{'' if mean is None else mean}</td></tr>")

        def options(values: Iterable[tuple[str, str]]) -> str:
            return "<option value=\"\">all</option>" + "".join(
                f"<option value=\"{escape(v)}\">{escape(label)}</option>" for v, label in values)

        filters = (
            "<form class=\"filters\" onsubmit=\"return false\">"
            "<label>Search<input id=\"f-q\" type=\"search\" placeholder=\"title, id, issuer…\"></label>"
            f"<label>Jurisdiction<select id=\"f-jur\">{options(sorted(jurs.items(), key=lambda kv: kv[1]))}"
            "</select></label>"
            f"<label>Status<select id=\"f-status\">{options((s, s) for s in sorted(statuses) if s)}</select></label>"
            f"<label>Category<select id=\"f-cat\">{options((c, c) for c in sorted(cats) if c)}</select></label>"
            "<label>Mean score ≥<input id=\"f-score\" type=\"number\" min=\"0\" max=\"100\" value=\"0\"></label>"
            "<span id=\"count\" class=\"muted\"></span></form>")
        table = ("<table id=\"policies\"><thead><tr><th>Policy</th><th>Jurisdiction</th><th>Status</th>"
                 "<th>Category</th><th>Issued</th><th>Mean score</th></tr></thead><tbody>"
                 + "".join(rows) + "</tbody></table>")
        intro = (f"<h1>CCUS policy instruments</h1><p class=\"muted\">{len(self.policies)} policies, "
                 f"{len(set(self.kg.triples))} triples. Every policy has a dereferenceable IRI under "
                 f"<span class=\"id\">{escape(self.base)}</span>.</p>")
        return _page("Policies", intro + filters + table)

    # --- resources ---------------------------------------------------------------------------

    def resource(self, iri: URIRef, triples: list[Triple]) -> str:
        pid = self.minter.policy_id(str(iri))
        if pid is not None and pid in self.policies:
            return self.policy(pid)
        label = self.labels.get(iri, {})
        name = label.get("en") or label.get("") or next(iter(label.values()), str(iri))
        rows = "".join(f"<tr><td>{self._term(p)}</td><td>{self._term(o)}</td></tr>"
                       for _, p, o in sorted(triples, key=lambda t: (str(t[1]), str(t[2]))) if _ == iri)
        members = sorted(self.incoming.get(iri, ()), key=str)
        listing = ""
        if members:
            ids = [(m, self.minter.policy_id(str(m)) or "") for m in members]
            items = "".join(f"<li><a href=\"{self.href(str(m))}\">{escape(self.title(pid))}"
                            f"</a> <span class=\"id muted\">{escape(pid)}</span></li>" for m, pid in ids)
            listing = f"<h2>Policies ({len(members)})</h2><ul>{items}</ul>"
        body = (f"<h1>{escape(name)}</h1><p class=\"id muted\">{escape(str(iri))}</p>"
                f"<table><thead><tr><th>Property</th><th>Value</th></tr></thead><tbody>{rows}</tbody></table>"
                f"{listing}")
        return _page(name, body)

    def _term(self, node: Node) -> str:
        if isinstance(node, URIRef):
            text = str(node)
            short = text
            for prefix, ns in sorted(prefixes(self.base).items(), key=lambda kv: -len(kv[1])):
                if text.startswith(ns):
                    short = f"{prefix}:{text[len(ns):]}"
                    break
            label = self.labels.get(node, {}).get("en")
            shown = f"{escape(short)}" + (f" <span class=\"muted\">({escape(label)})</span>" if label else "")
            if not self.href(text):
                return shown
            return f"<a href=\"{escape(self.href(text))}\">{shown}</a>"
        if isinstance(node, Literal):
            lang = f" <span class=\"muted\">@{escape(node.language)}</span>" if node.language else ""
            return f"<span lang=\"{escape(node.language or '')}\">{escape(str(node))}</span>{lang}"
        return escape(str(node))

    # --- the policy page -----------------------------------------------------------------------

    def policy(self, pid: str) -> str:
        records = sorted(self.policies[pid], key=lambda r: (r.lang != "en", r.lang))
        main = records[0]
        code, jname = self._jurisdiction(pid)
        status = self._concept(main, "status", "status")
        titles = "".join(
            f"<h1 lang=\"{escape(r.lang)}\"{' class=zh' if i else ''}>{escape(str(r.data.get('title')))}</h1>"
            for i, r in enumerate(records))
        facts = [("id", pid), ("jurisdiction", f"{jname} ({code})" if code else jname),
                 ("status", status), ("category", self._concept(main, "category", "category")),
                 ("legal weight", self._concept(main, "legalWeight", "legal-weight")),
                 ("issued", str(main.get("pubDate") or main.get("year") or "")),
                 ("issuing body", " / ".join(dict.fromkeys(str(r.get("source") or "") for r in records))),
                 ("review status", str(main.get("reviewStatus") or "")),
                 ("author", str(main.get("provenance.author") or ""))]
        url = main.get("url")
        fact_html = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts if v)
        if url:
            link = escape(str(url))
            shown = f"<a href=\"{link}\" rel=\"noopener\">{link}</a>" if web_link(str(url)) else link
            fact_html += f"<dt>official page</dt><dd>{shown}</dd>"
        iri = str(self.minter.policy(pid))
        links = " · ".join(f"<a href=\"/doc/policy/{quote(pid)}.{ext}\">{label}</a>" for ext, label in
                           (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples")))
        body = [titles, f"<p class=\"id muted\">{escape(iri)} · {links}</p>",
                f"<div class=\"grid\"><div class=\"card\"><dl class=\"fields\">{fact_html}</dl></div>"
                f"<div class=\"card\"><h3>Dimension scores</h3>{self._scores_svg(main)}</div></div>",
                "<h2>Lineage</h2>", self.lineage_svg(pid), self.relations(pid), self._clusters(main),
                self._timeline(records)]
        for record in records:
            body.append(f"<h2 lang=\"{escape(record.lang)}\">Summary ({escape(record.lang)})</h2>"
                        f"<p lang=\"{escape(record.lang)}\">{escape(record.body)}</p>")
        body.append("<h2>Every field, as written</h2><div class=\"grid\">")
        for record in records:
            rows = "".join(f"<dt>{escape(path)}</dt><dd lang=\"{escape(record.lang)}\">{escape(_show(value))}</dd>"
                           for path, value in _flatten(record.data))
            body.append(f"<div class=\"card\"><h3>{escape(record.lang)} · <span class=\"id\">"
                        f"{escape(record.rel)}</span></h3><dl class=\"fields\">{rows}</dl></div>")
        body.append("</div>")
        return _page(self.title(pid), "".join(body))

    def _scores_svg(self, record: Record) -> str:
        analysis = record.get("analysis") or {}
        dims = [d for d in DIMENSIONS if isinstance(analysis.get(d), dict)
                and isinstance(analysis[d].get("score"), int)]
        if not dims:
            return "<p class=\"muted\">No scored dimension.</p>"
        height = 28 * len(dims) + 10
        bars = []
        for i, dim in enumerate(dims):
            score = analysis[dim]["score"]
            y = 8 + i * 28
            label = str(analysis[dim].get("label") or "")
            bars.append(
                f"<text x=\"0\" y=\"{y + 14}\" font-size=\"13\">{escape(dim)}</text>"
                f"<rect x=\"80\" y=\"{y}\" width=\"250\" height=\"18\" fill=\"#eef3f6\"/>"
                f"<rect x=\"80\" y=\"{y}\" width=\"{score * 2.5:.1f}\" height=\"18\" fill=\"#0b6e4f\">"
                f"<title>{escape(dim)}: {score} — {escape(label)}</title></rect>"
                f"<text x=\"338\" y=\"{y + 14}\" font-size=\"13\">{score}</text>")
        return (f"<svg role=\"img\" aria-label=\"dimension scores\" width=\"370\" height=\"{height}\" "
                f"viewBox=\"0 0 370 {height}\">{''.join(bars)}</svg>")

    def lineage_svg(self, pid: str) -> str:
        """The policy's replacement line and directly related instruments; boxes link to their pages."""
        members = self.lineage.neighbourhood(pid)
        if len(members) == 1:
            return "<p class=\"muted\">No related instrument is recorded.</p>"
        # A wide family scrolls inside its own box rather than widening the page.
        svg = family_svg(self.lineage, members, focus=pid, standalone=False,
                         href=lambda node: self.href(str(self.minter.policy(node))))
        return f"<div class=\"scroll\">{svg}</div>"

    def relations(self, pid: str) -> str:
        """The legal relationships as dated lists: as amended by, implementing, transposing, and what
        repealed or replaced it (or what it amends, implements, transposes, repealed or replaced)."""
        lineage = self.lineage
        parts = []
        for key, title in RELATION_SECTIONS:
            if key == "replacedBy":
                ids = lineage.related(pid, "supersedes", inverse=True)
            elif key == "replaces":
                ids = lineage.related(pid, "supersedes")
            else:
                ids = lineage.relations(pid)[key]
            if ids:
                ordered = sorted(ids, key=lambda i: (lineage.graph.nodes[i]["issued"] or "9999", i))
                items = "".join(self._dated(other) for other in ordered)
                parts.append(f"<h3 class=\"relation\" id=\"{key}\">{escape(title)}</h3>"
                             f"<ol class=\"timeline relation-list\">{items}</ol>")
        ended = [m for m in lineage.graph.nodes[pid]["milestones"] if m.type in ENDING and m.date]
        if ended:
            items = "".join(f"<li><time>{escape(m.date)}</time>{escape(m.type)}"
                            + (f" — {escape(m.event)}" if m.event else "") + "</li>" for m in ended)
            parts.append(f"<h3 class=\"relation\" id=\"ended\">Ended</h3><ol class=\"timeline\">{items}</ol>")
        return "<h2>Legal relationships</h2>" + "".join(parts) if parts else ""

    def _dated(self, other: str) -> str:
        """One related instrument: issue date, linked title, id, and when it was in force."""
        node = self.lineage.graph.nodes[other]
        if node["dangling"]:
            return (f"<li><time>?</time><span class=\"id\">{escape(other)}</span> "
                    f"<span class=\"muted\">(no record in the corpus)</span></li>")
        span = self.lineage.interval(other)
        if span is None:
            note = f"not in force ({node['status'] or 'status unknown'})"
        else:
            note = f"in force from {span[0]}" + (f" until {span[1]}" if span[1] != OPEN_END else "")
        link = self.href(str(self.minter.policy(other)))
        return (f"<li><time>{escape(node['issued'])}</time><a href=\"{escape(link)}\">{escape(self.title(other))}</a> "
                f"<span class=\"id muted\">{escape(other)}</span> <span class=\"muted\">· {escape(note)}</span></li>")

    def _clusters(self, record: Record) -> str:
        names = record.get("evolution.clusters") or []
        if not names:
            return ""
        items = "".join(f"<li><a href=\"{escape(self.href(str(self.minter.cluster(n))))}\">{escape(n)}</a> "
                        f"<span class=\"muted\">({len(self.incoming.get(self.minter.cluster(n), ()))} policies)"
                        f"</span></li>" for n in names)
        return f"<h2>Clusters</h2><ul>{items}</ul>"

    def _timeline(self, records: list[Record]) -> str:
        events = []
        for record in records:
            for item in record.get("evolution.milestones") or []:
                if isinstance(item, dict):
                    events.append((str(item.get("date", "")), record.lang, str(item.get("event", ""))))
        if not events:
            return ""
        items = "".join(f"<li lang=\"{escape(lang)}\"><time>{escape(date)}</time>{escape(event)} "
                        f"<span class=\"muted\">({escape(lang)})</span></li>"
                        for date, lang, event in sorted(events))
        return f"<h2>Milestones</h2><ul class=\"timeline\">{items}</ul>"

    # --- queries, ontology ---------------------------------------------------------------------------

    def query_page(self, queries: dict[str, NamedQuery], params: dict[str, str], table: tuple | None,
                   error: str | None, truncated: int | None = None) -> str:
        parts = ["<h1>Query</h1><p class=\"muted\">Named queries with their parameters, or any read-only "
                 "SPARQL 1.1 query. Machines use the <span class=\"id\">/sparql</span> endpoint.</p>"]
        if error:
            parts.append(f"<p class=\"error\">{escape(error)}</p>")
        if truncated:
            parts.append(f"<p class=\"error\" id=\"truncated\">Only the first {truncated} results are shown: "
                         "the answer was cut at this server's row cap. Narrow the query (LIMIT, FILTER) "
                         "or use the dumps.</p>")
        if table is not None:
            parts.append(self._result_table(table))
        parts.append("<h2>Named queries</h2>")
        chosen = params.get("name")
        for name, query in queries.items():
            fields = "".join(
                f"<label>{escape(p.name)} <span class=\"muted\">({escape(p.type)}{', required' if p.required else ''})"
                f"</span><input name=\"p.{escape(p.name)}\" "
                f"value=\"{escape(params.get('p.' + p.name, p.example or ''))}\""
                f" title=\"{escape(p.help)}\"></label>" for p in query.params)
            parts.append(
                f"<details class=\"query\" id=\"q-{escape(name)}\"{' open' if name == chosen else ''}>"
                f"<summary>{escape(query.title or name)} <span class=\"id muted\">{escape(name)}</span></summary>"
                f"<p>{escape(query.description)}</p><form class=\"filters\" method=\"get\" action=\"/query\">"
                f"<input type=\"hidden\" name=\"name\" value=\"{escape(name)}\">{fields}"
                f"<button type=\"submit\">Run</button></form></details>")
        known = prefixes(self.base)
        default = params.get("sparql") or (f"PREFIX ccus: <{known['ccus']}>\n"
                                           f"PREFIX dcterms: <{known['dcterms']}>\n"
                                           "SELECT ?policy ?title WHERE {\n"
                                           "  ?policy a ccus:Policy ; dcterms:title ?title .\n"
                                           "  FILTER(LANG(?title) = \"en\")\n} ORDER BY ?title LIMIT 20")
        parts.append("<h2>SPARQL</h2><form method=\"get\" action=\"/query\"><textarea name=\"sparql\" rows=\"9\" "
                     f"style=\"width:100%\" class=\"id\">{escape(default)}</textarea><p><button type=\"submit\">"
                     "Run query</button></p></form>")
        return _page("Query", "".join(parts))

    def _result_table(self, table: tuple) -> str:
        kind = table[0]
        if kind == "ask":
            return f"<p><strong>{'true' if table[1] else 'false'}</strong></p>"
        if kind == "graph":
            names, rows = ["subject", "predicate", "object"], [[t.subject, t.predicate, t.object] for t in table[1]]
        else:
            names, rows = table[1], table[2]
        head = "".join(f"<th>{escape(n)}</th>" for n in names)
        body = "".join("<tr>" + "".join(f"<td>{self._ox(v)}</td>" for v in row) + "</tr>" for row in rows)
        return (f"<p class=\"muted\" id=\"result-count\">{len(rows)} result{'s' if len(rows) != 1 else ''}</p>"
                f"<table id=\"results\"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def _ox(self, value: Any) -> str:
        if value is None:
            return ""
        if type(value).__name__ == "NamedNode" and self.href(value.value):
            return f"<a href=\"{escape(self.href(value.value))}\">{escape(value.value)}</a>"
        if type(value).__name__ == "Literal":
            lang = f" <span class=\"muted\">@{escape(value.language)}</span>" if value.language else ""
            return escape(value.value) + lang
        return escape(str(value))

    def ontology(self, text: str) -> str:
        graph = Graph().parse(data=text, format="turtle")
        rows: dict[str, list[str]] = {"Classes": [], "Object properties": [], "Datatype properties": []}
        kinds: dict[Node, str] = {OWL.Class: "Classes", OWL.ObjectProperty: "Object properties",
                 OWL.DatatypeProperty: "Datatype properties"}
        for term in sorted(set(graph.subjects(RDF.type, None)), key=str):
            kind = next((kinds[t] for t in graph.objects(term, RDF.type) if t in kinds), None)
            if kind is None or not str(term).startswith(str(CCUS._NS)):
                continue
            labels = {lit.language: str(lit) for lit in graph.objects(term, RDFS.label) if isinstance(lit, Literal)}
            comment = " ".join(str(c) for c in graph.objects(term, RDFS.comment))
            extra = []
            for pred, name in ((RDFS.domain, "domain"), (RDFS.range, "range"), (RDFS.subClassOf, "subclass of"),
                               (RDFS.subPropertyOf, "subproperty of"), (OWL.inverseOf, "inverse of")):
                values = ", ".join(self._curie(str(v)) for v in graph.objects(term, pred))
                if values:
                    extra.append(f"{name}: {values}")
            local = str(term).split("#", 1)[1]
            rows[kind].append(f"<tr id=\"{escape(local)}\"><td class=\"id\">ccus:{escape(local)}</td>"
                              f"<td>{escape(labels.get('en', ''))}<br><span class=\"zh\" lang=\"zh\">"
                              f"{escape(labels.get('zh', ''))}</span></td><td>{escape(comment)}"
                              f"<br><span class=\"muted\">{escape('; '.join(extra))}</span></td></tr>")
        body = [f"<h1>CCUS policy ontology</h1><p>Namespace <span class=\"id\">{escape(str(CCUS._NS))}"
                "</span> · <a href=\"/ontology.ttl\">Turtle</a></p>"]
        for kind, items in rows.items():
            body.append(f"<h2>{kind} ({len(items)})</h2><table><thead><tr><th>Term</th><th>Label</th>"
                        f"<th>Meaning</th></tr></thead><tbody>{''.join(items)}</tbody></table>")
        return _page("Ontology", "".join(body))

    def _curie(self, iri: str) -> str:
        for prefix, ns in sorted(prefixes(self.base).items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def not_found(self) -> str:
        return _page("Not found", "<h1>Not found</h1><p>No resource has that address. "
                                  "<a href=\"/\">All policies</a></p>")


def _flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if isinstance(data, dict):
        for key in data:
            out.extend(_flatten(data[key], f"{prefix}{key}."))
        return out
    return [(prefix.rstrip("."), data)]


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


__all__ = ["Site", "static"]
