"""`ccus-kg serve`: the SPARQL protocol with a real client, linked data, pages, a load test."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, VOID
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from kg.build import build, load
from kg.iris import Minter
from kg.namespaces import CCUS
from kg.server import App, check_read_only, negotiate
from kg.transport import Limits, address, make_server
from kg.transport import stop as stop_server

from .conftest import minimal_record, write_record

M = Minter()


def lineage_corpus(root: Path) -> Path:
    """Three instruments in a chain, in two languages, with a cluster and milestones."""
    chain = [("no-storage-2010", "2010-06-01", "Superseded", [], "no-storage-2014"),
             ("no-storage-2014", "2014-12-19", "Superseded", ["no-storage-2010"], "no-storage-2020"),
             ("no-storage-2020", "2020-03-01", "Active", ["no-storage-2014"], "")]
    for pid, date, status, before, after in chain:
        evolution = {"supersedes": before, "supersededBy": after, "clusters": ["North Sea Storage"],
                     "milestones": [{"date": date, "event": "Adopted by the government"}]}
        analysis = {d: {"score": 40 + i * 10, "citation": f"Section {i}", "label": d.title()}
                    for i, d in enumerate(("incentive", "market", "mrv", "statutory", "strategic"))}
        write_record(root / "en", minimal_record(pid, title=f"Storage regulations {date[:4]}", pubDate=date,
                                                 year=int(date[:4]), status=status, evolution=evolution,
                                                 analysis=analysis))
        write_record(root / "zh", minimal_record(pid, title=f"封存条例 {date[:4]}", pubDate=date, year=int(date[:4]),
                                                 status={"Active": "现行", "Superseded": "已被取代"}[status],
                                                 country="挪威", evolution=evolution, analysis=analysis))
    return root


def start(app: App, limits: Limits | None = None) -> tuple[str, Callable[[], None]]:
    """Serve ``app`` with the production transport on a free loopback port; stop() ends it."""
    server = make_server(app, "127.0.0.1", 0, limits or Limits())
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()

    def stop() -> None:
        stop_server(server)
        thread.join(10)
        app.close()

    return address(server), stop


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, App]]:
    root = lineage_corpus(tmp_path_factory.mktemp("corpus"))
    app = App(load(root), timeout=5.0, max_rows=1000)
    url, stop = start(app)
    yield url, app
    stop()


def get(url: str, accept: str = "*/*", method: str = "GET", data: bytes | None = None,
        ctype: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers={"Accept": accept})
    if ctype:
        request.add_header("Content-Type", ctype)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


QUERY = """PREFIX ccus: <https://w3id.org/ccus-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?id ?title WHERE { ?p a ccus:Policy ; dcterms:identifier ?id ; dcterms:title ?title .
  FILTER(LANG(?title) = "zh") } ORDER BY ?id"""
EXPECTED = [("no-storage-2010", "封存条例 2010"), ("no-storage-2014", "封存条例 2014"),
            ("no-storage-2020", "封存条例 2020")]


@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"])
def test_sparqlwrapper_select_json(site: tuple[str, App], method: str) -> None:
    url, _ = site
    client = SPARQLWrapper(url + "/sparql")
    client.setQuery(QUERY)
    client.setReturnFormat(JSON)
    if method == "POST":
        client.setMethod("POST")
    elif method == "POSTDIRECTLY":
        client.setMethod("POST")
        client.setRequestMethod("postdirectly")
    rows = client.query().convert()["results"]["bindings"]
    assert [(r["id"]["value"], r["title"]["value"]) for r in rows] == EXPECTED
    assert rows[0]["title"]["xml:lang"] == "zh"


def test_sparqlwrapper_xml_csv_ask_construct(site: tuple[str, App]) -> None:
    url, _ = site
    client = SPARQLWrapper(url + "/sparql")
    client.setQuery(QUERY)
    client.setReturnFormat(XML)
    xml = client.query().convert()
    assert [b.firstChild.data for b in xml.getElementsByTagName("literal")][:2] == ["no-storage-2010", "封存条例 2010"]
    client.setReturnFormat(CSV)
    rows = list(csv.reader(io.StringIO(client.query().convert().decode("utf-8"))))
    assert rows == [["id", "title"], *[list(r) for r in EXPECTED]]
    client.setQuery("ASK { ?p <https://w3id.org/ccus-kg/ontology#supersedes> ?q }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True
    client.setQuery("CONSTRUCT { ?a <https://w3id.org/ccus-kg/ontology#supersedes> ?b } "
                    "WHERE { ?a <https://w3id.org/ccus-kg/ontology#supersedes> ?b }")
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert set(graph) == {(M.policy("no-storage-2014"), CCUS.supersedes, M.policy("no-storage-2010")),
                          (M.policy("no-storage-2020"), CCUS.supersedes, M.policy("no-storage-2014"))}


def test_tsv_and_jsonld_by_accept(site: tuple[str, App]) -> None:
    url, _ = site
    q = urllib.parse.quote(QUERY)
    status, headers, body = get(f"{url}/sparql?query={q}", accept="text/tab-separated-values")
    assert status == 200 and headers["content-type"].startswith("text/tab-separated-values")
    assert body.decode().splitlines()[0] == "?id\t?title"
    construct = urllib.parse.quote("CONSTRUCT WHERE { ?s <https://w3id.org/ccus-kg/ontology#score> ?o }")
    status, headers, body = get(f"{url}/sparql?query={construct}", accept="application/ld+json")
    assert status == 200 and headers["content-type"].startswith("application/ld+json")
    assert len(Graph().parse(data=body, format="json-ld")) == 15


@pytest.mark.parametrize(("query", "status", "message"), [
    ("DROP ALL", 403, "read-only endpoint: DROP is refused"),
    ("INSERT DATA { <http://a> <http://b> <http://c> }", 403, "read-only endpoint: INSERT is refused"),
    ("LOAD <http://example.org/data.ttl>", 403, "read-only endpoint: LOAD is refused"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 403, "SERVICE is refused"),
    ("SELECT ?x WHERE { ?x ?y }", 400, "SPARQL syntax error"),
])
def test_refusals_and_errors(site: tuple[str, App], query: str, status: int, message: str) -> None:
    url, _ = site
    got, _, body = get(url + "/sparql", method="POST", data=query.encode(), ctype="application/sparql-query")
    assert got == status
    assert message in body.decode()


def test_update_parameter_and_update_media_type_are_forbidden(site: tuple[str, App]) -> None:
    url, _ = site
    form = urllib.parse.urlencode({"update": "CLEAR ALL"}).encode()
    assert get(url + "/sparql", method="POST", data=form, ctype="application/x-www-form-urlencoded")[0] == 403
    assert get(url + "/sparql", method="POST", data=b"CLEAR ALL", ctype="application/sparql-update")[0] == 403


def test_keywords_inside_strings_and_iris_are_not_refused() -> None:
    check_read_only('SELECT ?x WHERE { ?x ?p "DROP ALL; SERVICE" . ?x ?q <http://x.org/load> } # INSERT')


def test_time_limit_and_row_cap(tmp_path: Path) -> None:
    with App(load(lineage_corpus(tmp_path)), timeout=0.5, max_rows=2, workers=1) as app:
        heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
        response = app.handle("GET", "/sparql?query=" + urllib.parse.quote(heavy), {"accept": "application/json"})
        assert response.status == 503
        assert response.body == b"the query ran past the 0.5 s limit and was stopped"
        assert response.headers["Retry-After"] == "5"
        capped = app.handle("GET", "/sparql?query=" + urllib.parse.quote("SELECT * WHERE { ?s ?p ?o }"),
                            {"accept": "application/sparql-results+json"})
        assert len(json.loads(capped.body)["results"]["bindings"]) == 2
        assert capped.headers["X-Result-Truncated"] == "2"
        graph = app.handle("GET", "/sparql?query=" + urllib.parse.quote("CONSTRUCT WHERE { ?s ?p ?o }"),
                           {"accept": "application/n-triples"})
        assert len(graph.body.decode().splitlines()) == 2 and graph.headers["X-Result-Truncated"] == "2"
        whole = app.handle("GET", "/sparql?query=" + urllib.parse.quote("SELECT * WHERE { ?s ?p ?o } LIMIT 2"), {})
        assert "X-Result-Truncated" not in whole.headers
        page = app.handle("GET", "/query?sparql=" + urllib.parse.quote("SELECT * WHERE { ?s ?p ?o }"), {})
        assert page.headers["X-Result-Truncated"] == "2"
        assert ('<p class="error" id="truncated">Only the first 2 results are shown: the answer was cut at '
                "this server's row cap.") in page.body.decode()


def test_cors_preflight_and_headers_on_every_read_resource(site: tuple[str, App]) -> None:
    url, _ = site
    request = urllib.request.Request(url + "/sparql", method="OPTIONS", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, POST, OPTIONS"
        assert response.headers["Access-Control-Allow-Headers"] == "content-type, accept"
        assert response.headers["Access-Control-Max-Age"] == "86400"
    q = urllib.parse.quote(QUERY)
    for path in ("/", f"/sparql?query={q}", "/sparql", "/id/policy/no-storage-2014", "/doc/policy/no-storage-2014.ttl",
                 "/doc/policy/no-storage-2014.html", "/dumps/ccus-kg.ttl", "/void.ttl", "/ontology", "/query",
                 "/static/style.css", "/nope"):
        _status, headers, _ = get(url + path, accept="text/turtle")
        assert headers["access-control-allow-origin"] == "*", path
        assert "X-Result-Truncated" in headers["access-control-expose-headers"], path


def test_vary_accept_wherever_negotiated(site: tuple[str, App]) -> None:
    url, _ = site
    q = urllib.parse.quote(QUERY)
    for path in (f"/sparql?query={q}", "/sparql", "/ontology", "/id/policy/no-storage-2014"):
        assert get(url + path, accept="text/turtle")[1]["vary"] == "Accept", path
    assert "vary" not in get(url + "/ontology.ttl")[1]


def test_dataset_parameters_are_honoured(site: tuple[str, App]) -> None:
    url, _ = site
    count = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <https://w3id.org/ccus-kg/ontology#Policy> }"
    graph = str(M.graph())

    def n(extra: str, query: str = count) -> str:
        body = get(f"{url}/sparql?query={urllib.parse.quote(query)}{extra}", accept="text/csv")[2]
        return body.decode().splitlines()[1]

    assert n("") == "3"  # no dataset: the union of every graph
    assert n("&default-graph-uri=" + urllib.parse.quote(graph)) == "3"
    assert n("&default-graph-uri=" + urllib.parse.quote("http://example.org/no-such-graph")) == "0"
    assert n("&named-graph-uri=" + urllib.parse.quote(graph)) == "0"  # an empty default graph
    in_graph = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?p a <https://w3id.org/ccus-kg/ontology#Policy> } }"
    assert n("&named-graph-uri=" + urllib.parse.quote(graph), in_graph) == graph
    form = urllib.parse.urlencode({"query": count, "default-graph-uri": "http://example.org/none"}).encode()
    body = get(url + "/sparql", accept="text/csv", method="POST", data=form,
               ctype="application/x-www-form-urlencoded")[2]
    assert body.decode().splitlines()[1] == "0"


def test_sparqlwrapper_defaults_construct_and_describe_as_rdfxml(site: tuple[str, App]) -> None:
    url, _ = site
    client = SPARQLWrapper(url + "/sparql")
    client.setQuery("CONSTRUCT { ?a <https://w3id.org/ccus-kg/ontology#supersedes> ?b } "
                    "WHERE { ?a <https://w3id.org/ccus-kg/ontology#supersedes> ?b }")
    graph = client.query().convert()  # SPARQLWrapper's default: RDF/XML, parsed into an rdflib Graph
    assert set(graph) == {(M.policy("no-storage-2014"), CCUS.supersedes, M.policy("no-storage-2010")),
                          (M.policy("no-storage-2020"), CCUS.supersedes, M.policy("no-storage-2014"))}
    client.setQuery(f"DESCRIBE <{M.policy('no-storage-2020')}>")
    graph = client.query().convert()
    assert (M.policy("no-storage-2020"), CCUS.supersedes, M.policy("no-storage-2014")) in graph
    client.setQuery(QUERY)  # and a SELECT with every default
    rows = client.query().convert().getElementsByTagName("result")
    assert len(rows) == 3


def test_service_description_at_sparql_without_a_query(site: tuple[str, App]) -> None:
    url, _ = site
    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    for accept, fmt in (("text/turtle", "turtle"), ("application/rdf+xml", "xml"), ("*/*", "turtle"),
                        ("application/ld+json", "json-ld"), ("application/n-triples", "nt")):
        status, headers, body = get(url + "/sparql", accept=accept)
        assert status == 200
        graph = Graph().parse(data=body, format=fmt)
        endpoint = URIRef("https://w3id.org/ccus-kg/sparql")
        assert (endpoint, RDF.type, sd.Service) in graph
        assert (endpoint, sd.supportedLanguage, sd.SPARQL11Query) in graph
        assert (endpoint, sd.resultFormat, URIRef("http://www.w3.org/ns/formats/RDF_XML")) in graph
    status, headers, _ = get(url + "/sparql", accept="text/html,application/xhtml+xml,*/*;q=0.8")
    assert (status, headers["location"]) == (303, "/query")


@pytest.mark.parametrize(("how", "fmt"), [("application/ld+json", "json-ld"), ("application/n-triples", "nt"),
                                          ("application/rdf+xml", "xml"), ("text/turtle", "turtle"),
                                          ("/ontology.jsonld", "json-ld"), ("/ontology.nt", "nt"),
                                          ("/ontology.rdf", "xml")])
def test_ontology_negotiates_every_rdf_format(site: tuple[str, App], how: str, fmt: str) -> None:
    url, _ = site
    status, _headers, body = get(url + how, accept="*/*") if how.startswith("/") else get(url + "/ontology", how)
    assert status == 200
    graph = Graph().parse(data=body, format=fmt)
    assert (CCUS.Policy, RDF.type, OWL.Class) in graph
    assert (CCUS.supersedes, OWL.inverseOf, CCUS.supersededBy) in graph


def test_documents_in_rdfxml(site: tuple[str, App]) -> None:
    url, _ = site
    status, headers, _ = get(url + "/id/policy/no-storage-2014", accept="application/rdf+xml")
    assert (status, headers["location"]) == (303, "/doc/policy/no-storage-2014.rdf")
    status, headers, body = get(url + headers["location"])
    assert headers["content-type"] == "application/rdf+xml; charset=utf-8"
    graph = Graph().parse(data=body, format="xml")
    assert (M.policy("no-storage-2014"), CCUS.supersedes, M.policy("no-storage-2010")) in graph


@pytest.mark.parametrize(("accept", "ext"), [("text/html", "html"), ("text/turtle", "ttl"),
                                              ("application/ld+json", "jsonld"), ("application/n-triples", "nt"),
                                              ("text/turtle;q=0.5, application/ld+json", "jsonld")])
def test_policy_iri_dereferences_by_content_negotiation(site: tuple[str, App], accept: str, ext: str) -> None:
    url, _ = site
    status, headers, _ = get(url + "/id/policy/no-storage-2014", accept=accept)
    assert status == 303
    assert headers["location"] == f"/doc/policy/no-storage-2014.{ext}"
    status, headers, body = get(url + headers["location"])
    assert status == 200
    assert headers["content-location"] == f"/doc/policy/no-storage-2014.{ext}"
    if ext in ("ttl", "nt", "jsonld"):
        g = Graph().parse(data=body, format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[ext])
        assert (M.policy("no-storage-2014"), CCUS.supersedes, M.policy("no-storage-2010")) in g
        assert (M.assessment("no-storage-2014", "mrv"), CCUS.score, Literal(60)) in g


@pytest.mark.parametrize("path", ["/id/cluster/north-sea-storage", "/id/jurisdiction/NO",
                                  "/id/policy/no-storage-2014/assessment/mrv"])
def test_other_iris_dereference(site: tuple[str, App], path: str) -> None:
    url, _ = site
    status, headers, _ = get(url + path, accept="text/turtle")
    assert status == 303
    status, _, body = get(url + headers["location"])
    assert status == 200
    assert (URIRef(M.base + path[len("/id/"):]), None, None) in Graph().parse(data=body, format="turtle")


def test_unknown_iri_is_404(site: tuple[str, App]) -> None:
    url, _ = site
    assert get(url + "/id/policy/nope-1999", accept="text/turtle")[0] == 404
    assert get(url + "/doc/policy/nope-1999.html")[0] == 404


def test_void_dumps_and_ontology(site: tuple[str, App]) -> None:
    url, app = site
    status, _, body = get(url + "/void.ttl")
    void = Graph().parse(data=body, format="turtle")
    assert int(void.value(M.dataset(), VOID.triples)) == app.triple_count
    dumps = sorted(str(o) for o in void.objects(M.dataset(), VOID.dataDump))
    assert dumps == [f"https://w3id.org/ccus-kg/dumps/ccus-kg.{e}" for e in ("jsonld", "nt", "rdf", "trig", "ttl")]
    status, headers, body = get(url + "/dumps/ccus-kg.ttl")
    assert status == 200 and len(Graph().parse(data=body, format="turtle")) == app.triple_count
    status, headers, body = get(url + "/ontology", accept="text/turtle")
    assert headers["content-type"].startswith("text/turtle")
    assert (CCUS.Policy, None, None) in Graph().parse(data=body, format="turtle")
    status, headers, body = get(url + "/ontology", accept="text/html")
    assert b"ccus:supersedes" in body and "取代".encode() in body


def test_index_and_policy_pages(site: tuple[str, App]) -> None:
    url, _ = site
    index = get(url + "/")[2].decode()
    assert index.count('<tr data-jur="NO"') == 3
    assert "cdn" not in index.lower() and "https://" not in index.split("<main>")[0]
    page = get(url + "/doc/policy/no-storage-2014.html")[2].decode()
    for text in ("Storage regulations 2014", "封存条例 2014", 'aria-label="dimension scores"',
                 'href="/doc/policy/no-storage-2010.html"', 'href="/doc/policy/no-storage-2020.html"',
                 "North Sea Storage", "Adopted by the government", "evolution.supersededBy", "已被取代"):
        assert text in page, text


def test_query_page_runs_a_named_query(site: tuple[str, App]) -> None:
    url, _ = site
    page = get(url + "/query?name=policies-by-jurisdiction&p.jurisdiction=NO&p.status=Active")[2].decode()
    assert 'id="result-count">1 result<' in page
    assert "no-storage-2020" in page


def test_configured_base_is_served(tmp_path: Path) -> None:
    root = lineage_corpus(tmp_path)
    with App(load(root, base="http://example.org/kg/id/"), workers=1) as app:
        check_served_base(app)


def check_served_base(app: App) -> None:
    response = app.handle("GET", "/id/policy/no-storage-2020", {"accept": "text/turtle"})
    assert response.status == 303
    doc = app.handle("GET", response.headers["Location"], {})
    graph = Graph().parse(data=doc.body, format="turtle")
    assert (URIRef("http://example.org/kg/id/policy/no-storage-2020"), CCUS.supersedes,
            URIRef("http://example.org/kg/id/policy/no-storage-2014")) in graph


def test_negotiate_honours_q_values() -> None:
    offered = ["text/html", "text/turtle"]
    assert negotiate("text/turtle;q=0.9, text/html;q=0.1", offered, "text/html") == "text/turtle"
    assert negotiate("*/*", offered, "text/html") == "text/html"
    assert negotiate("image/png", offered, "text/html") is None


def test_load_2000_requests_8_at_a_time_without_errors(site: tuple[str, App]) -> None:
    """Bounded: 2,000 requests to 127.0.0.1, 8 in flight, each with a 10 s timeout."""
    url, _ = site
    q = urllib.parse.quote(QUERY)
    targets = [f"{url}/sparql?query={q}", f"{url}/doc/policy/no-storage-2014.html", f"{url}/",
               f"{url}/doc/policy/no-storage-2014.ttl"]

    def one(i: int) -> tuple[int, float]:
        started = time.perf_counter()
        status = get(targets[i % len(targets)], accept="application/sparql-results+json")[0]
        return status, time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, range(2000)))
    elapsed = time.perf_counter() - started
    errors = [s for s, _ in results if s != 200]
    latencies = sorted(t for _, t in results)
    print(f"load: 2000 requests in {elapsed:.2f} s = {2000 / elapsed:.0f} req/s, "
          f"p95 {latencies[int(0.95 * len(latencies))] * 1000:.1f} ms")
    assert errors == []


def test_the_serve_command_starts_serves_and_stops(tmp_path: Path) -> None:
    """`ccus-kg serve` itself: validates, prints where it listens and what guards the workers, answers."""
    root = lineage_corpus(tmp_path / "seeds")
    # Ctrl-C as a terminal delivers it: the child starts with SIGINT at its default even where the test runner
    # ignores it (an ignored signal stays ignored across exec, and Python then never raises KeyboardInterrupt).
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--seeds", str(root), "--port", "0",
                                "--workers", "1"], stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "COLUMNS": "300", "CCUS_KG_OUT": str(tmp_path / "build")},
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        banner = process.stderr.readline() if process.stderr else ""
        match = re.search(r"serving 3 policies, \d+ triples at (http://127\.0\.0\.1:\d+/) \(1 query workers, "
                          r"network blocked by seccomp; Ctrl-C stops\)", banner)
        assert match, banner
        status, headers, body = get(match.group(1) + "sparql?query=" + urllib.parse.quote("ASK {}"),
                                    accept="application/sparql-results+json")
        assert (status, json.loads(body)["boolean"]) == (200, True)
        assert headers["server"] == "ccus-kg"
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(30) == 0


# --- serving the build: the store `build` leaves, never a re-mapped corpus -------------------------------------

SERVED = ["/", "/doc/policy/no-storage-2014.html", "/id/policy/no-storage-2014", "/void.ttl", "/dumps/ccus-kg.nt",
          "/dumps/ccus-kg.ttl", "/doc/cluster/north-sea-storage.html",
          "/query?name=policies-by-jurisdiction&p.jurisdiction=NO&p.status=Active",
          "/sparql?query=" + urllib.parse.quote("SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o")]


def test_serve_answers_from_a_current_build_without_mapping_and_as_the_mapped_corpus_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from kg.server import from_build

    pipeline, mapping = importlib.import_module("kg.build"), importlib.import_module("kg.mapping")
    incremental = importlib.import_module("kg.incremental")

    root = lineage_corpus(tmp_path / "seeds")
    out = tmp_path / "build"
    time.sleep(0.05)  # a build trusts no file written in the clock tick it began: this one must stay current
    build(root, out)
    expected = App(load(root), workers=1)

    def mapped(*args: object, **kwargs: object) -> None:
        raise AssertionError("the corpus was loaded or mapped again")

    monkeypatch.setattr(pipeline, "load", mapped)
    monkeypatch.setattr(mapping, "map_policy", mapped)
    monkeypatch.setattr(incremental, "map_policy", mapped)
    served = App(from_build(root, out), workers=1)
    try:
        for target in SERVED:
            want = expected.handle("GET", target, {"accept": "application/sparql-results+json"})
            got = served.handle("GET", target, {"accept": "application/sparql-results+json"})
            assert (got.status, got.headers, got.body) == (want.status, want.headers, want.body), target
        rows = json.loads(got.body)["results"]["bindings"]
        assert len(rows) == served.triple_count
    finally:
        expected.close()
        served.close()


def test_serve_on_a_changed_corpus_builds_first_and_serves_the_change(tmp_path: Path) -> None:
    from kg.readers import current_set
    from kg.server import from_build

    root = lineage_corpus(tmp_path / "seeds")
    out = tmp_path / "build"
    build(root, out)
    before = current_set(out)
    record = root / "en" / "no-storage-2020.md"
    record.write_text(record.read_text(encoding="utf-8").replace("Storage regulations 2020", "Storage rules 2020"),
                      encoding="utf-8")
    with App(from_build(root, out), workers=1) as app:
        page = app.handle("GET", "/doc/policy/no-storage-2020.html", {}).body.decode()
    assert "Storage rules 2020" in page and "Storage regulations 2020" not in page
    assert current_set(out) not in (None, before)


def test_serve_refuses_a_build_with_violations_naming_each(tmp_path: Path) -> None:
    """The manifest counts the violations; the refusal lists them as `build` does (exit 1)."""
    from click.testing import CliRunner

    from kg.cli import main

    root = lineage_corpus(tmp_path / "seeds")
    write_record(root / "en", minimal_record("xx-bad-2020", pubDate="2020-01-01", year=2019))
    out = tmp_path / "build"
    refused = CliRunner().invoke(main, ["serve", "--seeds", str(root), "--out", str(out), "--port", "0"])
    assert refused.exit_code == 1
    assert "1 violation(s) in" in refused.output and "not serving invalid data" in refused.output
    assert "xx-bad-2020.md" in refused.output  # the violation itself, with its file


def test_serve_with_allow_invalid_says_how_many_violations_it_serves(tmp_path: Path) -> None:
    from kg.server import from_build

    root = lineage_corpus(tmp_path / "seeds")
    write_record(root / "en", minimal_record("xx-bad-2020", pubDate="2020-01-01", year=2019))
    heard: list[str] = []
    with App(from_build(root, tmp_path / "build", allow_invalid=True, say=heard.append), workers=1) as app:
        assert app.handle("GET", "/doc/policy/xx-bad-2020.html", {}).status == 200
    assert heard == ["note: serving records with 1 violation(s) (--allow-invalid); ccus-kg validate lists them"]
