"""`ccus-kg serve` attacked: outbound requests, runaway queries, memory, malformed HTTP, unsafe links.

A TCP listener on 127.0.0.1 stands in for every address an attacker would
make the server call; after all the attacks it must have seen no connection.
"""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import load
from kg.cli import main
from kg.errors import DataError
from kg.server import App, servable
from kg.transport import Limits
from kg.worker import MB, QueryRefused, Request, WorkerError

from .conftest import minimal_record, write_record
from .test_server import lineage_corpus, start

pytestmark = pytest.mark.slow  # worker processes, sandboxes, deadlines, memory caps and a listener on real sockets


class Listener:
    """Counts every TCP connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.seen: list[tuple[str, int]] = []
        self.sock.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while self.running:
            try:
                conn, peer = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.seen.append(peer)
            conn.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    found = Listener()
    socket.create_connection(("127.0.0.1", found.port), timeout=5).close()  # the listener does listen
    deadline = time.monotonic() + 5
    while not found.seen and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(found.seen) == 1
    found.seen.clear()
    yield found
    found.close()


def serve(app: App, limits: Limits | None = None) -> tuple[str, Callable[[], None]]:
    return start(app, limits)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, App]]:
    app = App(load(lineage_corpus(tmp_path_factory.mktemp("corpus"))), timeout=5.0, max_rows=1000)
    url, stop = serve(app, Limits(max_body=64 * 1024, max_header=8 * 1024, idle_timeout=2))
    yield url, app
    stop()


def raw(url: str, data: bytes, timeout: float = 10) -> bytes:
    """Send bytes as they are, 1 KB at a time, stopping early if the server has already answered
    (as a careful client does); return everything it answers until it closes or goes quiet."""
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        try:
            for start in range(0, len(data), 1024):
                # a server that has refused the request answers first: give it time to (a loaded machine
                # is slow), so that the client stops sending before the server closes the connection
                if select.select([sock], [], [], 0.02 if start else 0.002)[0]:
                    break
                sock.sendall(data[start:start + 1024])
        except (ConnectionResetError, BrokenPipeError):
            pass  # the server closed while we were still sending: read what it answered
        chunks = []
        sock.settimeout(1.0)
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except (TimeoutError, ConnectionResetError):
            pass
    return b"".join(chunks)


def status_of(reply: bytes) -> int:
    assert reply.startswith((b"HTTP/1.1 ", b"HTTP/1.0 ")), reply[:200]
    return int(reply[9:12])


# --- 1. no outbound connection -----------------------------------------------------------------

def attacks(port: int) -> list[tuple[str, int, str]]:
    """(query, status, message) — every way we know to smuggle SERVICE or an update past a check."""
    target = f"http://127.0.0.1:{port}/admin"
    body = "{ ?a ?b ?c }"
    service = f"SERVICE <{target}> {body}"
    refused = (403, "SERVICE is refused")
    unreadable = (400, "SPARQL syntax error")
    cases = [
        (f"PREFIX ex: <http://e/> SELECT * WHERE {{ BIND(ex:a\\# AS ?x) {service} }}", *unreadable),
        (f"PREFIX ex: <http://e/> SELECT * WHERE {{ BIND(ex:a\\' AS ?x) {service} }}", *refused),
        (f"PREFIX ex: <http://e/> SELECT * WHERE {{ BIND(ex:a\\\" AS ?x) {service} }}", *refused),
        (f"PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ex:p\\#q ?o . {service} }}", *unreadable),
        (f"SELECT * WHERE {{ \\u0053ERVICE <{target}> {body} }}", *refused),
        (f"SELECT * WHERE {{ \\U00000053ervice <{target}> {body} }}", *refused),
        (f"SELECT * WHERE {{ SERVICE <http\\u003A//127.0.0.1:{port}/> {body} }}", *refused),
        (f"SELECT * WHERE {{ VALUES ?e {{ <{target}> }} SERVICE ?e {body} }}", *refused),
        (f"SELECT * WHERE {{ SERVICE SILENT <{target}> {body} }}", *refused),
        (f"SELECT * WHERE {{ VALUES ?e {{ <{target}> }} SERVICE SILENT ?e {body} }}", *refused),
        (f"select * where {{ service <{target}> {body} }}", *refused),
        (f"SELECT * WHERE {{ {{ {{ {{ {service} }} }} }} }}", *refused),
        (f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ {service} }} }}", *refused),
        (f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ {service} }} }}", *refused),
        (f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ {service} }} }}", *refused),
        (f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ {service} }} }}", *refused),
        (f"SELECT * WHERE {{ {{ SELECT * WHERE {{ {service} }} }} }}", *refused),
        (f"SELECT * WHERE {{ GRAPH ?g {{ {service} }} }}", *refused),
        (f"ASK {{ {service} }}", *refused),
        (f"CONSTRUCT {{ ?a ?b ?c }} WHERE {{ {service} }}", *refused),
        (f"DESCRIBE ?a WHERE {{ {service} }}", *refused),
        (f"SELECT * WHERE {{ ?s ?p \"#\" . # \" }} }}\n{service} }}", *refused),
        (f"SELECT * WHERE {{ ?s ?p '''}}\n''' . {service} }}", *refused),
        (f"SELECT * WHERE {{ ?s ?p ?o . {service} }} # SERVICE", *refused),
        # valid SPARQL that rdflib's grammar cannot read: refused all the same (fail closed)
        (f"SELECT * WHERE {{ ?s ?p <http://e/x#y> . {service} }}", *unreadable),
        (f"SELECT * WHERE {{ ?s ?p <x#> . {service} }}", *unreadable),  # relative IRI, no BASE: fail closed
        (f"# SERVICE\nSELECT * WHERE {{ ?s ?p ?o }} \n#}}\n{service}", *unreadable),
        (f"PREFIX e: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE e:admin {body} }}", *refused),
        (f"BASE <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE <admin> {body} }}", *refused),
        (f"SELECT * WHERE {{ SERVICE/**/<{target}> {body} }}", *unreadable),
        (f"SELECT * WHERE {{ SERVICE\t\n<{target}>{body} }}", *refused),
        (f"LOAD <{target}>", 403, "read-only endpoint: LOAD is refused"),
        (f"LOAD SILENT <{target}> INTO GRAPH <http://e/g>", 403, "read-only endpoint: LOAD is refused"),
        ("DROP ALL", 403, "read-only endpoint: DROP is refused"),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", 403, "read-only endpoint: INSERT is refused"),
        (f"SELECT * WHERE {{ ?s ?p ?o }} ; LOAD <{target}>", *unreadable),
        (f"SELECT * WHERE {{ ?s ?p ?o }}\nSERVICE <{target}> {body}", *unreadable),
        (f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }} LIMIT 1", 200, ""),  # FROM names a graph, fetches nothing
    ]
    return cases


def test_every_attack_is_refused_and_the_listener_sees_nothing(site: tuple[str, App], listener: Listener) -> None:
    url, _ = site
    for query, status, message in attacks(listener.port):
        for how in ("get", "form", "direct", "page"):
            if how == "get":
                request = urllib.request.Request(f"{url}/sparql?query={urllib.parse.quote(query)}")
            elif how == "form":
                request = urllib.request.Request(f"{url}/sparql", data=urllib.parse.urlencode({"query": query})
                                                 .encode(), headers={"Content-Type":
                                                                     "application/x-www-form-urlencoded"})
            elif how == "direct":
                request = urllib.request.Request(f"{url}/sparql", data=query.encode(),
                                                 headers={"Content-Type": "application/sparql-query"})
            else:
                request = urllib.request.Request(f"{url}/query?sparql={urllib.parse.quote(query)}")
            try:
                with urllib.request.urlopen(request, timeout=20) as response:
                    got, text = response.status, response.read().decode()
            except urllib.error.HTTPError as exc:
                got, text = exc.code, exc.read().decode()
            if how == "page":  # the HTML page shows the same refusal as a message
                assert got == 200, (query, text[:300])
                assert message in text, (query, how)
            else:
                assert (got, message in text) == (status, True), (query, how, got, text[:300])
    for update in (f"LOAD <http://127.0.0.1:{listener.port}/x>", "CLEAR ALL"):
        form = urllib.parse.urlencode({"update": update}).encode()
        request = urllib.request.Request(f"{url}/sparql", data=form,
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=20)
        assert refused.value.code == 403
    time.sleep(0.3)
    assert listener.seen == []


def test_the_worker_itself_cannot_connect(site: tuple[str, App], listener: Listener) -> None:
    """With the parse check switched off, the engine tries SERVICE and the sandbox stops it."""
    _, app = site
    assert app.pool.guard == "seccomp"
    for query in (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?a ?b ?c }} }}",
                  f"SELECT * WHERE {{ SERVICE <http://localhost:{listener.port}/sparql> {{ ?a ?b ?c }} }}"):
        with pytest.raises(QueryRefused, match="outbound connection refused: Permission denied"):
            app.pool.run(Request(query, checked=False))
    # SILENT turns the failure into an empty solution; still no connection
    answer = app.pool.run(Request(f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{listener.port}/> "
                                  "{ ?a ?b ?c } }", checked=False))
    assert answer.rows == [[None, None, None]]
    time.sleep(0.3)
    assert listener.seen == []


def test_sandbox_blocks_every_socket_in_a_process() -> None:
    code = ("import socket\nfrom kg.sandbox import deny_network\nprint(deny_network())\n"
            "for family in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX):\n"
            "    try:\n        socket.socket(family, socket.SOCK_STREAM)\n        print('open', family)\n"
            "    except PermissionError:\n        print('refused')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["seccomp", "refused", "refused", "refused"]


# --- 2. bounded work ----------------------------------------------------------------------------

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_runaway_query_is_killed_at_the_deadline_and_others_are_served(tmp_path: Path) -> None:
    app = App(load(lineage_corpus(tmp_path)), timeout=1.5, workers=1)
    url, stop = serve(app)
    try:
        [pid] = app.pool.pids()
        box: dict[str, object] = {}

        def runaway() -> None:
            started = time.monotonic()
            try:
                urllib.request.urlopen(f"{url}/sparql?query={urllib.parse.quote(RUNAWAY)}", timeout=30)
            except urllib.error.HTTPError as exc:
                box["status"], box["body"] = exc.code, exc.read().decode()
            box["seconds"] = time.monotonic() - started

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.5)
        assert (_cpu_ticks(pid) or 0) > 0  # it is working
        # meanwhile the pages are served without delay
        for path in ("/", "/doc/policy/no-storage-2014.html", "/sparql", "/ontology"):
            started = time.monotonic()
            with urllib.request.urlopen(url + path, timeout=5) as response:
                assert response.status == 200
            assert time.monotonic() - started < 2.0, path  # generous: CI machines are shared
        thread.join(30)
        assert box["status"] == 503
        assert box["body"] == "the query ran past the 1.5 s limit and was stopped"
        assert box["seconds"] < 1.5 + 1.0
        # the process that ran it is gone: its CPU stopped within a second of the deadline
        assert _cpu_ticks(pid) is None
        assert not Path(f"/proc/{pid}").exists()
        # a fresh worker takes over
        deadline = time.monotonic() + 60
        while not app.pool.pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert app.pool.pids() and app.pool.pids() != [pid]
        ask = urllib.parse.quote("ASK { ?s ?p ?o }")
        with urllib.request.urlopen(f"{url}/sparql?query={ask}", timeout=30) as response:
            assert json.loads(response.read())["boolean"] is True
    finally:
        stop()


def test_memory_stays_under_the_cap(tmp_path: Path) -> None:
    cap = 256 * MB
    app = App(load(lineage_corpus(tmp_path)), timeout=60, workers=1, max_memory=cap)
    try:
        [pid] = app.pool.pids()
        limits = Path(f"/proc/{pid}/limits").read_text()
        assert any(line.startswith("Max address space") and f"{cap}" in line for line in limits.splitlines())
        peak = {"vm": 0, "rss": 0}
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except (FileNotFoundError, ProcessLookupError):
                    return
                for line in status.splitlines():
                    if line.startswith(("VmSize:", "VmRSS:")):
                        key = "vm" if line.startswith("VmSize") else "rss"
                        peak[key] = max(peak[key], int(line.split()[1]) * 1024)
                time.sleep(0.005)

        watcher = threading.Thread(target=watch)
        watcher.start()
        heavy = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
        started = time.monotonic()
        response = app.handle("GET", "/sparql?query=" + urllib.parse.quote(heavy), {"accept": "text/csv"})
        done.set()
        watcher.join()
        assert response.status == 503
        assert response.body == b"the query needed more than the 256 MB memory limit and was stopped"
        assert time.monotonic() - started < 60
        assert 100 * MB < peak["rss"] <= peak["vm"] <= cap
    finally:
        app.close()


# --- 2. malformed HTTP: always a 4xx, never a 500 or a silent close -----------------------------

QUERY = "SELECT ?s WHERE { ?s a <https://w3id.org/ccus-kg/ontology#Policy> } ORDER BY ?s"


@pytest.mark.parametrize(("request_bytes", "status"), [
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: abc\r\n\r\n",
     400),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: -5\r\n\r\n",
     400),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nASK", 400),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 4\r\n\r\n"
     b"\xff\xfe\x00A", 400),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
     b"Content-Length: 9\r\n\r\nquery=%ff", 400),
    (b"GET /sparql?query=%ff%fe HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET /doc/\xff\xfe.html HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET /sparql?query=ASK%7B%7D&query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"POST /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
     b"Content-Length: 15\r\n\r\nquery=ASK%7B%7D", 400),
    (b"GET /sparql?query=ASK%7B%7D&default-graph-uri=not%20an%20iri HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET /query?sparql=ASK%7B%7D&sparql=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nASK", 415),
    (b"PUT /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405),
    (b"DELETE /id/policy/no-storage-2014 HTTP/1.1\r\nHost: x\r\n\r\n", 405),
    (b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n", 405),
    (b"HELLO\r\n\r\n", 400),
    # the oversized ones stop where the server has seen enough to refuse (what it never reads, it cannot ack)
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 10_000 + b"\r\n\r\n", 431),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 100000\r\n\r\n",
     413),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n" + b"".join(b"5800\r\n" + b"#" * 0x5800 + b"\r\n" for _ in range(3)), 413),
    (b"GET /sparql?query=SELECT%20%3Fx%20WHERE%20%7B%20%3Fx%20%3Fy%20%7D HTTP/1.1\r\nHost: x\r\n\r\n", 400),
])
def test_malformed_requests_get_a_4xx(site: tuple[str, App], request_bytes: bytes, status: int) -> None:
    url, _ = site
    reply = raw(url, request_bytes)
    assert status_of(reply) == status, reply[:300]


def test_405_names_the_allowed_methods(site: tuple[str, App]) -> None:
    url, _ = site
    reply = raw(url, b"PUT /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    assert b"\r\nAllow: GET, HEAD, POST, OPTIONS\r\n" in reply
    reply = raw(url, b"POST /ontology HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    assert status_of(reply) == 405 and b"\r\nAllow: GET, HEAD, OPTIONS\r\n" in reply


def test_chunked_body_then_a_second_request_on_the_same_connection(site: tuple[str, App]) -> None:
    url, _ = site
    query = QUERY.encode()
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (query[:10], query[10:])) + b"0\r\n\r\n"
    reply = raw(url, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Accept: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
                + b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
                  b"Connection: close\r\n\r\n")
    assert status_of(reply) == 200
    assert reply.count(b"HTTP/1.1 200 OK") == 2
    body = reply.split(b"\r\n\r\n", 1)[1]
    assert body.startswith(b"s\r\nhttps://w3id.org/ccus-kg/id/policy/no-storage-2010\r\n")
    assert b'"boolean": true' in reply


def test_idle_connections_are_closed(site: tuple[str, App]) -> None:
    url, _ = site
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        started = time.monotonic()
        assert sock.recv(1) == b""  # the server closed the idle connection (configured: 2 s)
        assert 1.5 < time.monotonic() - started < 12


def test_blank_node_in_a_result(site: tuple[str, App]) -> None:
    url, _ = site
    for accept, check in (("application/sparql-results+json", b'"type": "bnode"'),
                          ("application/sparql-results+xml", b"<bnode>"), ("text/csv", b"_:"),
                          ("text/tab-separated-values", b"_:")):
        request = urllib.request.Request(f"{url}/sparql?query={urllib.parse.quote('SELECT (BNODE() AS ?b) {}')}",
                                         headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=20) as response:
            assert response.status == 200
            assert check in response.read()
    construct = urllib.parse.quote("CONSTRUCT { _:x <http://e/p> 1 } WHERE {}")
    request = urllib.request.Request(f"{url}/sparql?query={construct}", headers={"Accept": "application/rdf+xml"})
    with urllib.request.urlopen(request, timeout=20) as response:
        assert b"rdf:nodeID" in response.read()


# --- 3. only valid data, only web links ----------------------------------------------------------

def _javascript_corpus(root: Path) -> Path:
    write_record(root, minimal_record("no-bad-2020", url="javascript:alert(document.domain)"))
    return root


def test_serve_refuses_invalid_records(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--seeds", str(_javascript_corpus(tmp_path / "seeds")), "--port", "0",
                                       "--out", str(tmp_path / "build")])
    assert result.exit_code == 1
    assert "not serving invalid data (fix the records, or pass --allow-invalid)" in result.output
    assert "url" in result.output
    with pytest.raises(DataError, match=r"^1 violation\(s\) in "):
        servable(load(tmp_path / "seeds"))


def test_pages_never_link_a_javascript_url(tmp_path: Path) -> None:
    with App(servable(load(_javascript_corpus(tmp_path)), allow_invalid=True), workers=1) as app:
        page = app.handle("GET", "/doc/policy/no-bad-2020.html", {}).body.decode()
        assert "javascript:alert(document.domain)" in page  # shown as text ...
        assert 'href="javascript' not in page.lower()  # ... never as a link
        query = urllib.parse.quote("SELECT ?x WHERE { VALUES ?x { <javascript:alert(1)> <https://example.org/ok> } }")
        page = app.handle("GET", f"/query?sparql={query}", {}).body.decode()
        assert 'href="javascript' not in page.lower() and "javascript:alert(1)" in page
        assert '<a href="https://example.org/ok">' in page


def test_a_memory_cap_too_small_for_the_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WorkerError, match=r"^a query worker died while loading the data \(exit code -?\d+\): "
                                          r"is --max-memory too small for this graph\?$"):
        App(load(lineage_corpus(tmp_path)), workers=1, max_memory=20 * MB)


def test_head_sends_the_headers_only(site: tuple[str, App]) -> None:
    url, _ = site
    reply = raw(url, b"HEAD /doc/policy/no-storage-2014.ttl HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = reply.partition(b"\r\n\r\n")
    assert status_of(reply) == 200 and body == b""
    lengths = [int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
    assert len(lengths) == 1 and lengths[0] > 1000
