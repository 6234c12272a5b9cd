"""Remote calls that cannot leak: http(s) only, no credentials across origins, bounded messages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner

from kg.build import load
from kg.cli import main
from kg.errors import KgError, StoreError
from kg.store import RemoteSource, push
from kg.urls import MAX_MESSAGE

from .conftest import minimal_record, write_record


class Recorder(BaseHTTPRequestHandler):
    """A loopback server whose behaviour each test sets; it records what reached it."""

    seen: ClassVar[list[tuple[str, str | None]]] = []
    redirect_to = ""
    body = b""
    status = 200

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        type(self).seen.append((self.path, self.headers.get("Authorization")))
        if type(self).redirect_to:
            self.send_response(307)
            self.send_header("Location", type(self).redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(type(self).status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(type(self).body)))
        self.end_headers()
        self.wfile.write(type(self).body)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up on a 20 MB body is the point of a test, not an error


def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def endpoint() -> Iterator[tuple[str, type[Recorder]]]:
    handler = type("Endpoint", (Recorder,), {"seen": [], "redirect_to": "", "body": b"", "status": 200})
    for url in serve(handler):
        yield url, handler


@pytest.fixture
def elsewhere() -> Iterator[tuple[str, type[Recorder]]]:
    handler = type("Elsewhere", (Recorder,), {"seen": [], "redirect_to": "", "body": b"{}", "status": 200})
    for url in serve(handler):
        yield url, handler


@pytest.fixture
def graph(tmp_path: Path):  # type: ignore[no-untyped-def]
    write_record(tmp_path / "seeds", minimal_record("one-policy"))
    return load(tmp_path / "seeds")


def test_query_redirect_to_another_origin_is_refused_and_sends_no_credentials(
        endpoint: tuple[str, type[Recorder]], elsewhere: tuple[str, type[Recorder]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCUS_KG_TOKEN", "secret-token")
    url, handler = endpoint
    other, other_handler = elsewhere
    handler.redirect_to = other + "/steal"
    with pytest.raises(StoreError, match=r"redirected to another origin .*: refused"):
        RemoteSource(url + "/sparql").query("ASK {}")
    assert handler.seen == [("/sparql", "Bearer secret-token")]
    assert other_handler.seen == []


def test_push_redirect_to_another_origin_is_refused(endpoint: tuple[str, type[Recorder]],
                                                    elsewhere: tuple[str, type[Recorder]], graph,  # type: ignore[no-untyped-def]
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCUS_KG_USER", "me")
    monkeypatch.setenv("CCUS_KG_PASSWORD", "pw")
    url, handler = endpoint
    other, other_handler = elsewhere
    handler.redirect_to = other + "/store"
    with pytest.raises(StoreError, match="redirected to another origin"):
        push(graph, url + "/store")
    assert other_handler.seen == []


def test_same_origin_redirect_is_followed(endpoint: tuple[str, type[Recorder]]) -> None:
    url, handler = endpoint
    # A 307 to the same origin: followed (urllib keeps the method's body only for 307/308 on GET-like
    # requests, so a POST query comes back as an HTTP error from urllib, never as a leak).
    handler.redirect_to = url + "/elsewhere-on-same-host"
    with pytest.raises(StoreError, match="answered 307"):
        RemoteSource(url + "/sparql").query("ASK {}")
    assert [path for path, _ in handler.seen] == ["/sparql"]


def test_server_errors_are_shown_bounded_and_without_control_characters(
        endpoint: tuple[str, type[Recorder]], graph) -> None:  # type: ignore[no-untyped-def]
    url, handler = endpoint
    handler.status = 500
    handler.body = b"\x1b[2J\x1b]0;owned\x07bad things" + b"A" * (20 * 1024 * 1024)
    with pytest.raises(StoreError) as caught:
        push(graph, url + "/store")
    message = str(caught.value)
    assert "\x1b" not in message and "\x07" not in message
    assert message.startswith(f"{url}/store refused the push (500): [2J ]0;owned bad thingsAAA")
    assert len(message) <= len(f"{url}/store refused the push (500): ") + MAX_MESSAGE


@pytest.mark.parametrize("endpoint_text", ["file:///etc/hostname#", "ftp://example.org/x", "http://",
                                           "javascript:alert(1)", "http://exa mple.org/", "http://h:port/"])
def test_push_refuses_anything_but_http_urls(tmp_path: Path, endpoint_text: str) -> None:
    write_record(tmp_path / "seeds", minimal_record("one-policy"))
    result = CliRunner().invoke(main, ["push", "--seeds", str(tmp_path / "seeds"), "--endpoint", endpoint_text])
    assert result.exit_code == 2
    assert "--endpoint must be an http(s) URL" in result.output
    assert "pushed" not in result.output and "Traceback" not in result.output


def test_remote_store_must_be_http(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["query", "policies-by-jurisdiction", "--store", "sparql:file:///etc/passwd"])
    assert result.exit_code == 2
    assert "--store sparql: must be an http(s) URL, got 'file:///etc/passwd'" in result.output


@pytest.mark.parametrize(("base", "message"), [
    ("not a url", "--base must be an http(s) URL without spaces"),
    ("urn:x:y/", "--base must be an http(s) URL, got 'urn:x:y/'"),
    ("https://example.org/id/?q=1", "--base must not have a query or fragment"),
    ("https://example.org/<id>/", "--base must be an http(s) URL without spaces"),
])
def test_malformed_base_is_a_usage_error(tmp_path: Path, base: str, message: str) -> None:
    write_record(tmp_path / "seeds", minimal_record("one-policy"))
    result = CliRunner().invoke(main, ["export", "--seeds", str(tmp_path / "seeds"), "--base", base])
    assert result.exit_code == 2
    assert message in result.output
    assert "internal error" not in result.output


def test_check_http_url_error_type() -> None:
    from kg.urls import check_http_url

    with pytest.raises(KgError, match="--x must be an http"):
        check_http_url("gopher://h/", "--x")
