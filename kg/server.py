"""HTTP: the SPARQL 1.1 Protocol, dereferenceable IRIs, dumps, VoID and HTML pages.

The graph is loaded once into an embedded Oxigraph store, which answers
SPARQL and writes the standard result formats; pages are rendered from the
loaded records (both languages) by ``kg.pages``. Everything is served from
this process: no CDN, no outbound connection (SERVICE and LOAD are refused
before evaluation), read-only (updates are refused with 403).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit, urlunsplit

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from kg import pages
from kg.build import KnowledgeGraph
from kg.errors import QueryError
from kg.export import MEDIA_TYPES, SUFFIX, ntriples, serialize
from kg.landscape import scopes
from kg.landscape_pages import LandscapePages
from kg.lineage import Lineage
from kg.namespaces import CCUS, DATA_LICENSE, DCAT, DCTERMS, RDF, VOID, XSD
from kg.queries import bind, catalogue
from kg.resources import ontology_file
from kg.store import OxigraphSource
from kg.vocab import vocabularies

Triple = tuple[Node, Node, Node]

RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}
DOC_TYPES = {"html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json",
             "nt": "application/n-triples"}
_STRINGS = re.compile(r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|<[^<>\s]*>|#[^\n]*",
                      re.S)
_UPDATE = re.compile(r"(?<![\w?$:])(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:])", re.I)
_SERVICE = re.compile(r"(?<![\w?$:])SERVICE(?![\w:])", re.I)


@dataclass
class Response:
    """What a request gets: status, headers and body bytes."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, text: str, media: str = "text/plain") -> Response:
        return cls(status, text.encode("utf-8"), {"Content-Type": f"{media}; charset=utf-8"})


class QueryRefused(Exception):
    """A request the endpoint will not evaluate (an update, SERVICE, LOAD)."""


class QueryTimeout(Exception):
    """A query that ran past the configured time limit."""


class App:
    """The whole site as a function of (method, path, query, headers, body)."""

    def __init__(self, kg: KnowledgeGraph, timeout: float = 10.0, max_rows: int = 10_000):
        self.kg = kg
        self.base = kg.base
        self.timeout = timeout
        self.max_rows = max_rows
        self.store = ox.Store()
        data = ntriples(kg.triples).encode("utf-8")
        self.store.load(data, ox.RdfFormat.N_TRIPLES)
        self.triple_count = len(self.store)  # the data; the SKOS schemes join below for queries
        schemes = ntriples(vocabularies().graph).encode("utf-8")
        self.store.load(schemes, ox.RdfFormat.N_TRIPLES)
        self.subjects: dict[Node, list[Triple]] = {}
        for triple in set(kg.triples):
            self.subjects.setdefault(triple[0], []).append(triple)
        self._dumps: dict[str, bytes] = {"nt": data}
        self._lock = threading.Lock()
        self.site = pages.Site(kg, self.describe, catalogue(), Lineage.from_source(OxigraphSource(self.store)))
        self.landscape = LandscapePages(kg, self.site.lineage, scopes(OxigraphSource(self.store)))

    # --- routing ------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes = b"") -> Response:
        """Route one request; never raises."""
        parts = urlsplit(target)
        path = unquote(parts.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        accept = headers.get("accept", "*/*")
        try:
            if path == "/sparql":
                return self.sparql(method, params, headers, body)
            if method not in ("GET", "HEAD"):
                return Response.text(405, "method not allowed")
            if path in ("/", "/index.html"):
                return self._html(self.site.index())
            if path.startswith("/static/"):
                found = pages.static(path[len("/static/"):])
                return Response(200, found[1], {"Content-Type": found[0]}) if found else self._404()
            if path == "/query":
                return self.query_page(params)
            if path == "/void.ttl":
                return Response(200, self.void().encode("utf-8"), {"Content-Type": "text/turtle; charset=utf-8"})
            if path.startswith("/dumps/"):
                return self.dump(path[len("/dumps/"):])
            if path in ("/ontology", "/ontology.ttl", "/ontology.html"):
                return self.ontology(path, accept)
            if path.startswith("/id/"):
                return self.dereference(path[len("/id/"):], accept)
            if path.startswith("/doc/"):
                return self.document(path[len("/doc/"):])
            if path.startswith(("/facility/", "/jurisdiction/")) or path == "/map":  # kg.landscape_pages
                page = self.landscape.route(path, params)
                return self._html(page) if page is not None else self._404()
            return self._404()
        except Exception as exc:  # a bug must not kill the server: say so, in one line
            return Response.text(500, f"internal error: {type(exc).__name__}: {exc}")

    # --- SPARQL protocol ----------------------------------------------------------------

    def sparql(self, method: str, params: dict[str, str], headers: dict[str, str], body: bytes) -> Response:
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        if "update" in params:
            return Response.text(403, "read-only endpoint: SPARQL Update is refused")
        if method in ("GET", "HEAD"):
            text = params.get("query")
        elif method == "POST" and ctype == "application/x-www-form-urlencoded":
            form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
            if "update" in form:
                return Response.text(403, "read-only endpoint: SPARQL Update is refused")
            text = form.get("query")
        elif method == "POST" and ctype == "application/sparql-query":
            text = body.decode("utf-8")
        elif method == "POST" and ctype == "application/sparql-update":
            return Response.text(403, "read-only endpoint: SPARQL Update is refused")
        else:
            return Response.text(415 if method == "POST" else 405,
                                 "send GET ?query=, a form POST, or POST application/sparql-query")
        if not text:
            if "text/html" in headers.get("accept", ""):
                return Response(303, headers={"Location": "/query"})
            return Response.text(400, "missing the query parameter")
        try:
            result = self.run(text)
        except QueryRefused as exc:
            return Response.text(403, str(exc))
        except QueryTimeout as exc:
            return Response.text(503, str(exc))
        except SyntaxError as exc:
            return Response.text(400, f"SPARQL syntax error: {exc}")
        return self._serialise(result, headers.get("accept", "*/*"))

    def run(self, text: str) -> tuple:
        """Evaluate a read-only query with the time limit and row cap; refuse the rest."""
        check_read_only(text)
        box: dict[str, object] = {}

        def work() -> None:
            try:
                result = self.store.query(text, base_iri=self.base)
                if isinstance(result, ox.QuerySolutions):
                    names = [v.value for v in result.variables]
                    rows = []
                    for row in result:
                        rows.append([row[n] for n in names])
                        if len(rows) >= self.max_rows:
                            break
                    box["result"] = ("select", names, rows)
                elif isinstance(result, ox.QueryTriples):
                    triples = []
                    for triple in result:
                        triples.append(triple)
                        if len(triples) >= self.max_rows:
                            break
                    box["result"] = ("graph", triples)
                else:
                    box["result"] = ("ask", bool(result))
            except BaseException as exc:  # re-raised in the request thread
                box["error"] = exc

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive():
            raise QueryTimeout(f"the query ran past the {self.timeout:g} s limit")
        if "error" in box:
            raise box["error"]  # type: ignore[misc]
        return box["result"]  # type: ignore[return-value]

    def _serialise(self, result: tuple, accept: str) -> Response:
        kind = result[0]
        if kind == "graph":
            media = negotiate(accept, list(GRAPH_TYPES), default="text/turtle")
            if media is None:
                return Response.text(406, "acceptable: " + ", ".join(GRAPH_TYPES))
            body = ox.serialize(result[1], format=GRAPH_TYPES[media])
            return Response(200, body, {"Content-Type": f"{media}; charset=utf-8"})
        media = negotiate(accept, list(RESULT_TYPES), default="application/sparql-results+json")
        if media is None:
            return Response.text(406, "acceptable: " + ", ".join(RESULT_TYPES))
        fmt = RESULT_TYPES[media]
        if kind == "ask":
            body = ox.Store().query("ASK {}" if result[1] else "ASK { FILTER(false) }").serialize(format=fmt)
        else:
            body = _solutions_bytes(result[1], result[2], fmt)
        return Response(200, body, {"Content-Type": f"{media}; charset=utf-8"})

    # --- linked data --------------------------------------------------------------------

    def describe(self, iri: URIRef) -> list[Triple]:
        """The triples about a resource and the nodes it owns (assessments, milestones, …)."""
        out: list[Triple] = []
        todo, seen = [iri], {iri}
        while todo:
            node = todo.pop()
            for triple in self.subjects.get(node, ()):
                out.append(triple)
                obj = triple[2]
                if isinstance(obj, URIRef) and obj not in seen and str(obj).startswith(str(iri) + "/"):
                    seen.add(obj)
                    todo.append(obj)
        return out

    def dereference(self, rest: str, accept: str) -> Response:
        iri = URIRef(self.base + quote(rest, safe="/-._~%"))
        if iri not in self.subjects:
            return self._404()
        ext = {v: k for k, v in DOC_TYPES.items()}[
            negotiate(accept, list(DOC_TYPES.values()), default="text/html") or "text/html"]
        return Response(303, headers={"Location": f"/doc/{quote(rest, safe='/-._~%')}.{ext}",
                                      "Vary": "Accept"})

    def document(self, rest: str) -> Response:
        stem, dot, ext = rest.rpartition(".")
        if not dot or ext not in DOC_TYPES:
            return self._404()
        iri = URIRef(self.base + quote(stem, safe="/-._~%"))
        triples = self.describe(iri)
        if not triples:
            return self._404()
        headers = {"Content-Location": f"/doc/{rest}", "Link": f'<{iri}>; rel="describes"'}
        if ext == "html":
            return self._html(self.site.resource(iri, triples), headers)
        body = serialize(triples, ext, self.base).encode("utf-8")
        return Response(200, body, {"Content-Type": f"{DOC_TYPES[ext]}; charset=utf-8", **headers})

    def ontology(self, path: str, accept: str) -> Response:
        want = "text/turtle" if path.endswith(".ttl") else "text/html" if path.endswith(".html") else (
            negotiate(accept, ["text/html", "text/turtle"], default="text/html"))
        text = ontology_file("ccus.ttl").read_text(encoding="utf-8")
        if want == "text/turtle":
            return Response(200, text.encode("utf-8"), {"Content-Type": "text/turtle; charset=utf-8"})
        return self._html(self.site.ontology(text))

    def dump(self, name: str) -> Response:
        stem, _, ext = name.rpartition(".")
        fmt = {suffix.lstrip("."): fmt for fmt, suffix in SUFFIX.items()}.get(ext)
        if stem != "ccus-kg" or fmt not in ("ttl", "nt", "jsonld"):
            return self._404()
        with self._lock:
            if fmt not in self._dumps:
                self._dumps[fmt] = serialize(self.kg.triples, fmt, self.base).encode("utf-8")
        return Response(200, self._dumps[fmt], {"Content-Type": f"{MEDIA_TYPES[fmt]}; charset=utf-8",
                                                "Content-Disposition": f'attachment; filename="{name}"'})

    def void(self) -> str:
        """VoID + DCAT description of the dataset: size, dumps, endpoint."""
        minter = self.kg.minter
        ds = minter.dataset()
        site = self.base.rsplit("/id/", 1)[0] if "/id/" in self.base else self.base.rstrip("/")
        triples: list[Triple] = [
            (ds, RDF.type, VOID.Dataset), (ds, RDF.type, DCAT.Dataset),
            (ds, DCTERMS.title, _lit("ccus-kg: CCUS policy knowledge graph", "en")),
            (ds, DCTERMS.license, URIRef(DATA_LICENSE)),
            (ds, VOID.triples, _typed(str(self.triple_count), XSD.integer)),
            (ds, VOID.entities, _typed(str(len(self.kg.corpus.policies())), XSD.integer)),
            (ds, VOID.sparqlEndpoint, URIRef(f"{site}/sparql")),
            (ds, VOID.uriSpace, _lit(self.base)),
            (ds, VOID.vocabulary, URIRef(str(CCUS._NS))),
        ]
        for fmt in ("ttl", "nt", "jsonld"):
            url = URIRef(f"{site}/dumps/ccus-kg{SUFFIX[fmt]}")
            dist = URIRef(f"{ds}/distribution/{fmt}")
            triples += [(ds, VOID.dataDump, url), (ds, DCAT.distribution, dist),
                        (dist, RDF.type, DCAT.Distribution), (dist, DCAT.downloadURL, url),
                        (dist, DCAT.mediaType, _lit(MEDIA_TYPES[fmt]))]
        return serialize(triples, "ttl", self.base)

    # --- pages ----------------------------------------------------------------------------

    def query_page(self, params: dict[str, str]) -> Response:
        queries = catalogue()
        name, sparql, error, table = params.get("name"), params.get("sparql"), None, None
        if name or sparql:
            try:
                if name:
                    if name not in queries:
                        raise QueryError(f"no query named '{name}'")
                    values = {k[2:]: v for k, v in params.items() if k.startswith("p.") and v != ""}
                    sparql = bind(queries[name], values)
                table = self.run(sparql or "")
            except (QueryError, QueryRefused, QueryTimeout, SyntaxError) as exc:
                error = str(exc)
        return self._html(self.site.query_page(queries, params, table, error))

    def _html(self, text: str, headers: dict[str, str] | None = None) -> Response:
        response = Response.text(200, text, "text/html")
        response.headers.update(headers or {})
        return response

    def _404(self) -> Response:
        return Response.text(404, self.site.not_found(), "text/html")


def check_read_only(text: str) -> None:
    """Refuse updates, LOAD and SERVICE before anything is evaluated."""
    bare = _STRINGS.sub(" ", text)
    if _SERVICE.search(bare):
        raise QueryRefused("SERVICE is refused: this endpoint never opens outbound connections")
    match = _UPDATE.search(bare)
    if match:
        raise QueryRefused(f"read-only endpoint: {match.group(1).upper()} is refused")


def negotiate(accept: str, offered: list[str], default: str) -> str | None:
    """The offered media type the Accept header prefers (q-values honoured)."""
    if not accept.strip():
        return default
    choices: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept.split(",")):
        media, *attrs = [part.strip() for part in item.split(";")]
        q = 1.0
        for attr in attrs:
            if attr.startswith("q="):
                try:
                    q = float(attr[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            choices.append((-q, position, media.lower()))
    for _, _, media in sorted(choices):
        if media in offered:
            return media
        if media in ("*/*", "application/*", "text/*"):
            kind = media.split("/")[0]
            if media == "*/*" or default.startswith(kind + "/"):
                return default
            return next((o for o in offered if o.startswith(kind + "/")), None)
    return None


def _solutions_bytes(names: list[str], rows: list[list[object]], fmt: ox.QueryResultsFormat) -> bytes:
    """Serialise (possibly capped) SELECT rows with Oxigraph's writers."""
    head = " ".join(f"?{n}" for n in names) or "?_"
    values = " ".join("(" + " ".join(_term(v) for v in row) + ")" for row in rows)
    store = ox.Store()
    query = f"SELECT {head} WHERE {{ VALUES ({head}) {{ {values} }} }}" if names else "SELECT * WHERE {}"
    return store.query(query).serialize(format=fmt)


def _term(value: object) -> str:
    if value is None:
        return "UNDEF"
    return str(value)


def _lit(text: str, lang: str | None = None) -> Node:
    return Literal(text, lang=lang)


def _typed(text: str, datatype: URIRef) -> Node:
    return Literal(text, datatype=datatype)


class _Handler(BaseHTTPRequestHandler):
    app: App
    server_version = "ccus-kg"
    protocol_version = "HTTP/1.1"

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        response = self.app.handle(method, self.path, headers, body)
        self.send_response(response.status)
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.path.startswith("/sparql"):
            self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(response.body)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:  # type: ignore[attr-defined]
            super().log_message(format, *args)


def make_server(app: App, host: str = "127.0.0.1", port: int = 8000, verbose: bool = False
                ) -> ThreadingHTTPServer:
    """A threading HTTP server bound to host:port (port 0 picks a free one)."""
    handler = type("Handler", (_Handler,), {"app": app})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    server.verbose = verbose  # type: ignore[attr-defined]
    return server


def serve_forever(app: App, host: str, port: int, ready: Callable[[str], None] | None = None) -> None:
    """Run until interrupted."""
    server = make_server(app, host, port, verbose=True)
    host_name, port_number = server.server_address[:2]
    url = urlunsplit(("http", f"{host_name}:{port_number}", "/", "", ""))
    if ready:
        ready(url)
    try:
        server.serve_forever()
    finally:
        server.server_close()


__all__ = ["App", "QueryRefused", "Response", "check_read_only", "make_server", "negotiate",
           "serve_forever"]
