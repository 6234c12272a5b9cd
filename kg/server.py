"""HTTP routing: the SPARQL 1.1 Protocol, dereferenceable IRIs, dumps, VoID and HTML pages.

``App.handle(method, target, headers, body) -> Response`` is the whole site,
independent of any HTTP server (``kg.transport`` puts it behind waitress).
Pages, documents and dumps are answered from this process; every SPARQL
query text that arrives from outside is evaluated by ``kg.worker``'s pool of
confined worker processes (parsed check, no network, deadline, memory cap).
Read-only: updates are refused with 403. Every response carries CORS headers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from kg import pages
from kg.build import KnowledgeGraph
from kg.errors import DataError, QueryError
from kg.export import ntriples, serialize
from kg.facilities import load_landscape
from kg.landscape import scopes
from kg.landscape_pages import LandscapePages
from kg.lineage import Lineage
from kg.linked_data import LinkedData, negotiate
from kg.mapping import Mapped
from kg.namespaces import DCTERMS, DEFAULT_BASE, FORMATS, RDF, SD
from kg.queries import bind, catalogue
from kg.readers import DATA, read_manifest
from kg.records import content_root, load_corpus
from kg.results import to_csv, to_json, to_tsv, to_xml
from kg.sparql import Result
from kg.store import OxigraphSource, current_build, to_rdflib
from kg.vocab import vocabularies
from kg.worker import (
    MB,
    Answer,
    QueryBusy,
    QueryFailed,
    QueryPool,
    QueryRefused,
    QuerySyntax,
    QueryTimeout,
    QueryTooLarge,
    Request,
    Setup,
    check_read_only,
)

Triple = tuple[Node, Node, Node]

RESULT_TYPES = {
    "application/sparql-results+json": to_json,
    "application/json": to_json,
    "application/sparql-results+xml": to_xml,
    "application/xml": to_xml,
    "text/csv": to_csv,
    "text/tab-separated-values": to_tsv,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
TRUNCATED = "X-Result-Truncated"  # set to the row cap when a result was cut there
READ = "GET, HEAD, OPTIONS"
READ_POST = "GET, HEAD, POST, OPTIONS"
CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": f"{TRUNCATED}, Content-Location, Link, Location, Vary, Retry-After"}
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ, ")


@dataclass
class Response:
    """What a request gets: status, headers and body bytes."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, text: str, media: str = "text/plain") -> Response:
        return cls(status, text.encode("utf-8"), {"Content-Type": f"{media}; charset=utf-8"})


class BadRequest(Exception):
    """A request this site cannot read (bad encoding, repeated or invalid parameters): 400."""


def servable(kg: KnowledgeGraph, allow_invalid: bool = False) -> KnowledgeGraph:
    """Validate like ``build`` does; raise DataError on violations unless ``allow_invalid``."""
    kg.validate()
    count = kg.counts()["violation"]
    if count and not allow_invalid:
        raise DataError(f"{count} violation(s) in {kg.corpus.root}: not serving invalid data "
                        "(fix the records, or pass --allow-invalid)", kg.findings)
    return kg


def from_build(seeds: Path, out: Path, base: str = DEFAULT_BASE, allow_invalid: bool = False,
               say: Callable[[str], None] | None = None) -> KnowledgeGraph:
    """What ``serve`` serves: the build in ``out`` when current for ``seeds`` (rebuilt first when not).

    The records are read, since the pages show them, but neither mapped nor
    validated again: the triples are the build's N-Triples dump and the
    violations its manifest's count. Refusing invalid data names every
    violation, so that case alone loads and validates the corpus, as
    :func:`servable` always did. ``say`` hears the one line that says violations are served.
    """
    from kg.build import load  # looked up when called: the refusal is the one path that maps the corpus

    folder = current_build(out, seeds, base)
    violations = (read_manifest(folder) or {}).get("violations", 0)
    if violations and not allow_invalid:
        return servable(load(seeds, base))  # raises DataError listing them (or serves a fixed corpus)
    if violations and say is not None:
        say(f"note: serving records with {violations} violation(s) (--allow-invalid); ccus-kg validate lists them")
    corpus = load_corpus(seeds)
    root = content_root(seeds)
    if root.facilities is not None or root.countries is not None:
        load_landscape(root, corpus)
    triples: list[Triple] = [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))  # type: ignore[misc]
                             for t in ox.parse(path=str(folder / DATA), format=ox.RdfFormat.N_TRIPLES)]
    return KnowledgeGraph(corpus, Mapped(stated=triples), base)


class App:
    """The whole site as a function of (method, target, headers, body)."""

    def __init__(self, kg: KnowledgeGraph, timeout: float = 10.0, max_rows: int = 10_000, workers: int = 2,
                 max_memory: int = 1024 * MB, max_pending: int = 248, require_sandbox: bool = True):
        self.kg = kg
        self.base = kg.base
        self.timeout = timeout
        self.max_rows = max_rows
        self.store = ox.Store()  # trusted queries only: the lineage and the pages
        data = ntriples(kg.triples).encode("utf-8")
        self.store.load(data, ox.RdfFormat.N_TRIPLES)
        schemes = ntriples(vocabularies().graph).encode("utf-8")
        self.store.load(schemes, ox.RdfFormat.N_TRIPLES)
        self.triple_count = len(self.store)  # the data and the SKOS schemes, as the dumps and VoID count them
        self.subjects: dict[Node, list[Triple]] = {}
        for triple in set(kg.triples):
            self.subjects.setdefault(triple[0], []).append(triple)
        self._lock = threading.Lock()
        self._pending = threading.BoundedSemaphore(max_pending)
        self.site = pages.Site(kg, self.describe, catalogue(), Lineage.from_source(OxigraphSource(self.store)))
        self.landscape = LandscapePages(kg, self.site.lineage, scopes(OxigraphSource(self.store)))
        self.linked = LinkedData(kg, self.site, self.describe, self.triple_count)  # kg.linked_data: IRIs, VoID, dumps
        setup = Setup(data=data, graph=str(kg.minter.graph()), extra=schemes, base=self.base, max_rows=max_rows,
                      max_memory=max_memory, max_reply=max(16 * MB, max_memory // 4),
                      require_sandbox=require_sandbox)
        self.pool = QueryPool(setup, workers=workers, timeout=timeout)

    def close(self) -> None:
        """Stop the query workers."""
        self.pool.close()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- routing ------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes = b"") -> Response:
        """Route one request; never raises. Headers are keyed in lower case."""
        try:
            response = self._route(method, target, headers, body)
        except BadRequest as exc:
            response = Response.text(400, str(exc))
        except Exception as exc:  # a bug must not kill the server: say so, in one line
            response = Response.text(500, f"internal error: {type(exc).__name__}: {exc}")
        response.headers.update(CORS)
        return response

    def _route(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        parts = urlsplit(target)
        try:
            path = unquote(parts.path, errors="strict")
            multi = parse_qs(parts.query, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise BadRequest("the request target is not valid UTF-8") from None
        params = {k: v[-1] for k, v in multi.items()}
        accept = headers.get("accept", "*/*")
        allowed = READ_POST if path == "/sparql" else READ
        if method == "OPTIONS":
            return self.preflight(allowed, headers)
        if method not in allowed.split(", "):
            return Response(405, b"method not allowed\n", {"Allow": allowed, "Content-Type": "text/plain"})
        if path == "/sparql":
            return self.sparql(method, multi, headers, body)
        # --- kg.linked_data: the IRIs it knows, VoID, the dumps (its answer, or None to go on) ---
        linked = self.linked.answer(path, accept)
        if linked is not None:
            return Response(linked.status, linked.body, linked.headers)
        # --- end kg.linked_data ---
        if path in ("/", "/index.html"):
            return self._html(self.site.index())
        if path.startswith("/static/") or path == "/favicon.ico":
            found = pages.static("favicon.svg" if path == "/favicon.ico" else path[len("/static/"):])
            return Response(200, found[1], {"Content-Type": found[0]}) if found else self._404()
        if path == "/query":
            return self.query_page(params, multi)
        if path.startswith(("/facility/", "/jurisdiction/")) or path == "/map":
            page = self.landscape.route(path, params)
            return self._html(page) if page is not None else self._404()
        return self._404()

    def preflight(self, allowed: str, headers: dict[str, str]) -> Response:
        """CORS preflight: any origin may read, and POST queries to /sparql."""
        asked = headers.get("access-control-request-headers", "")
        allow_headers = asked if asked and set(asked) <= _TOKEN and len(asked) < 1000 else "Accept, Content-Type"
        return Response(204, b"", {"Allow": allowed, "Access-Control-Allow-Methods": allowed,
                                   "Access-Control-Allow-Headers": allow_headers,
                                   "Access-Control-Max-Age": "86400"})

    # --- SPARQL protocol ----------------------------------------------------------------

    def sparql(self, method: str, multi: dict[str, list[str]], headers: dict[str, str], body: bytes) -> Response:
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        accept = headers.get("accept", "*/*")
        fields = dict(multi)
        if "update" in fields:
            return Response.text(403, "read-only endpoint: SPARQL Update is refused")
        if method == "POST" and ctype == "application/x-www-form-urlencoded":
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                raise BadRequest("the request body is not valid UTF-8") from None
            if "update" in form:
                return Response.text(403, "read-only endpoint: SPARQL Update is refused")
            for key, values in form.items():
                fields[key] = fields.get(key, []) + values
        elif method == "POST" and ctype == "application/sparql-query":
            if "query" in fields:
                raise BadRequest("send the query either in the body or as the query parameter, not both")
            try:
                fields["query"] = [body.decode("utf-8")]
            except UnicodeDecodeError:
                raise BadRequest("the request body is not valid UTF-8") from None
        elif method == "POST" and ctype == "application/sparql-update":
            return Response.text(403, "read-only endpoint: SPARQL Update is refused")
        elif method == "POST":
            return Response.text(415, "send GET ?query=, a form POST, or POST application/sparql-query")
        texts = fields.get("query", [])
        if len(texts) > 1:
            raise BadRequest("the query parameter is repeated: send exactly one query")
        if not texts or not texts[0].strip():
            if not texts and negotiate(accept, ["text/html", *GRAPH_TYPES], "text/turtle") == "text/html":
                return Response(303, headers={"Location": "/query", "Vary": "Accept"})
            if not texts:
                return self.service_description(accept)
            return Response.text(400, "missing the query parameter")
        request = Request(texts[0], *self._dataset(fields))
        try:
            answer = self.run(request)
        except QueryRefused as exc:
            return Response.text(403, str(exc))
        except (QuerySyntax, QueryFailed) as exc:
            return Response.text(400, str(exc))
        except (QueryTimeout, QueryTooLarge, QueryBusy) as exc:
            response = Response.text(503, str(exc))
            response.headers["Retry-After"] = "5"
            return response
        response = self._serialise(answer, accept)
        response.headers["Vary"] = "Accept"
        return response

    @staticmethod
    def _dataset(fields: dict[str, list[str]]) -> tuple[list[str] | None, list[str] | None]:
        """default-graph-uri / named-graph-uri, honoured as the protocol says; bad IRIs are a 400."""
        graphs: list[list[str] | None] = []
        for key in ("default-graph-uri", "named-graph-uri"):
            values = fields.get(key)
            for value in values or []:
                try:
                    ox.NamedNode(value)
                except ValueError:
                    raise BadRequest(f"{key} is not an absolute IRI: {value!r}") from None
            graphs.append(values)
        if graphs[0] is None and graphs[1] is None:
            return None, None
        return graphs[0] or [], graphs[1] or []

    def run(self, request: Request) -> Answer:
        """Evaluate on a confined worker; at most ``max_pending`` requests wait or run at once."""
        if not self._pending.acquire(blocking=False):
            raise QueryBusy("too many queries are waiting: try again in a few seconds")
        try:
            return self.pool.run(request)
        finally:
            self._pending.release()

    def _serialise(self, answer: Answer, accept: str) -> Response:
        headers = {TRUNCATED: str(self.max_rows)} if answer.truncated else {}
        if answer.kind == "graph":
            media = negotiate(accept, list(GRAPH_TYPES), default="text/turtle")
            if media is None:
                return Response.text(406, "acceptable: " + ", ".join(GRAPH_TYPES))
            body = ox.serialize(answer.triples, format=GRAPH_TYPES[media])
            assert body is not None  # no output given: the bytes are returned
            return Response(200, body, {"Content-Type": f"{media}; charset=utf-8", **headers})
        media = negotiate(accept, list(RESULT_TYPES), default="application/sparql-results+json")
        if media is None:
            return Response.text(406, "acceptable: " + ", ".join(RESULT_TYPES))
        if answer.kind == "ask":
            result = Result("ask", boolean=answer.boolean)
        else:
            try:
                rows = [tuple(to_rdflib(v) for v in row) for row in answer.rows]
            except QueryError as exc:
                return Response.text(406, f"{exc}: no result format here can carry it")
            result = Result("select", vars=answer.vars, rows=rows)
        body = RESULT_TYPES[media](result).encode("utf-8")
        return Response(200, body, {"Content-Type": f"{media}; charset=utf-8", **headers})

    def service_description(self, accept: str) -> Response:
        """What /sparql says about itself when asked without a query (SPARQL 1.1 Service Description)."""
        media = negotiate(accept, list(GRAPH_TYPES), default="text/turtle")
        if media is None:
            return Response.text(406, "acceptable: " + ", ".join(GRAPH_TYPES))
        endpoint = URIRef(f"{self._site()}/sparql")
        dataset = self.kg.minter.dataset()
        triples: list[Triple] = [
            (endpoint, RDF.type, SD.Service), (endpoint, SD.endpoint, endpoint),
            (endpoint, SD.supportedLanguage, SD.SPARQL11Query), (endpoint, SD.feature, SD.UnionDefaultGraph),
            (endpoint, SD.defaultDataset, dataset), (dataset, RDF.type, SD.Dataset),
            (endpoint, DCTERMS.description, _lit(f"Read-only; at most {self.max_rows} results per query, "
                                                 f"{self.timeout:g} s per query; no SERVICE.", "en")),
        ]
        triples += [(endpoint, SD.resultFormat, FORMATS[name]) for name in
                    ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                     "Turtle", "JSON-LD", "N-Triples", "RDF_XML")]
        fmt = {"text/turtle": "ttl", "application/ld+json": "jsonld", "application/n-triples": "nt",
               "application/rdf+xml": "xml"}[media]
        return Response(200, serialize(triples, fmt, self.base).encode("utf-8"),
                        {"Content-Type": f"{media}; charset=utf-8", "Vary": "Accept"})

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

    def query_page(self, params: dict[str, str], multi: dict[str, list[str]] | None = None) -> Response:
        queries = catalogue()
        if any(len(v) > 1 for k, v in (multi or {}).items() if k in ("name", "sparql")):
            raise BadRequest("the name or sparql parameter is repeated: send one query")
        name, sparql, error, table = params.get("name"), params.get("sparql"), None, None
        truncated = None
        if name or sparql:
            try:
                if name:
                    if name not in queries:
                        raise QueryError(f"no query named '{name}'")
                    values = {k[2:]: v for k, v in params.items() if k.startswith("p.") and v != ""}
                    sparql = bind(queries[name], values)
                answer = self.run(Request(sparql or ""))
                table = (("graph", answer.triples) if answer.kind == "graph" else
                         ("ask", answer.boolean) if answer.kind == "ask" else ("select", answer.vars, answer.rows))
                truncated = self.max_rows if answer.truncated else None
            except (QueryError, QueryRefused, QuerySyntax, QueryFailed, QueryTimeout, QueryTooLarge,
                    QueryBusy) as exc:
                error = str(exc)
        response = self._html(self.site.query_page(queries, params, table, error, truncated))
        if truncated:
            response.headers[TRUNCATED] = str(truncated)
        return response

    def _site(self) -> str:
        """Where the site lives: the base IRI without its /id/ part."""
        return self.base.rsplit("/id/", 1)[0] if "/id/" in self.base else self.base.rstrip("/")

    def _html(self, text: str, headers: dict[str, str] | None = None) -> Response:
        response = Response.text(200, text, "text/html")
        response.headers.update(headers or {})
        return response

    def _404(self) -> Response:
        return Response.text(404, self.site.not_found(), "text/html")


def _lit(text: str, lang: str | None = None) -> Node:
    return Literal(text, lang=lang)




__all__ = ["App", "BadRequest", "QueryRefused", "Response", "check_read_only", "from_build", "negotiate", "servable"]
