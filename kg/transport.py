"""The HTTP server around ``App.handle``: waitress (a production WSGI server), with its limits set.

Waitress parses HTTP: keep-alive, chunked request bodies, pipelining, bad
Content-Length and oversized headers or bodies (answered 400 / 413 / 431
before the app sees them). It reads bodies into a buffer before the app runs
and writes responses itself, so a slow client holds a connection, not one of
the request threads. This module only translates WSGI to ``App.handle``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlunsplit

from waitress.server import BaseWSGIServer, MultiSocketServer, create_server
from waitress.wasyncore import close_all

from kg.server import App, Response


@dataclass(frozen=True)
class Limits:
    """What one connection and one request may use (see `ccus-kg serve --help`)."""

    threads: int = 256  # requests handled at once; App's max_pending (threads - 8) of them may be queries
    backlog: int = 2048  # connections the kernel queues before accept
    connection_limit: int = 1000  # open connections; past it waitress stops accepting (they queue)
    max_body: int = 1024 * 1024  # request body bytes (413 past it)
    max_header: int = 64 * 1024  # request line + headers bytes (431 past it)
    idle_timeout: int = 30  # seconds an idle keep-alive connection is kept


def wsgi(app: App) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """A WSGI application that routes every request through ``app.handle``."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        raw = environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
                   if key.startswith("HTTP_")}
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").lower()] = environ[key]
        try:
            target = raw.encode("latin-1").decode("utf-8")  # WSGI hands the raw bytes over as latin-1
        except UnicodeError:
            response = Response.text(400, "the request target is not valid UTF-8")
        else:
            if "://" in target.split("?", 1)[0]:  # absolute-form target (a proxy request): keep the path
                target = "/" + target.split("://", 1)[1].partition("/")[2]
            body = environ["wsgi.input"].read() if method in ("POST", "PUT", "PATCH") else b""
            response = app.handle(method, target, headers, body)
        status = f"{response.status} {_reason(response.status)}"
        out = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        out.append(("Content-Length", str(len(response.body))))
        start_response(status, out)
        return [b""] if method == "HEAD" else [response.body]

    return application


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def make_server(app: App, host: str = "127.0.0.1", port: int = 8000, limits: Limits = Limits()
                ) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server bound to host:port (port 0 picks a free one), not yet running."""
    return create_server(
        wsgi(app), host=host, port=port, threads=limits.threads, backlog=limits.backlog,
        connection_limit=limits.connection_limit, max_request_body_size=limits.max_body,
        max_request_header_size=limits.max_header, channel_timeout=limits.idle_timeout,
        cleanup_interval=min(10, limits.idle_timeout), asyncore_use_poll=True, ident="ccus-kg",
        expose_tracebacks=False)


def address(server: BaseWSGIServer | MultiSocketServer) -> str:
    """The URL a server listens on, without a trailing slash."""
    return urlunsplit(("http", f"{server.effective_host}:{server.effective_port}", "", "", ""))  # type: ignore


def stop(server: BaseWSGIServer | MultiSocketServer) -> None:
    """Close the listening socket and every connection; `run()` returns."""
    server.task_dispatcher.shutdown()  # type: ignore[union-attr]
    close_all(getattr(server, "_map", None) or server.map)  # type: ignore[union-attr]


def serve_forever(app: App, host: str, port: int, limits: Limits = Limits(),
                  ready: Callable[[str], None] | None = None) -> None:
    """Run until interrupted, then stop the query workers."""
    server = make_server(app, host, port, limits)
    if ready:
        ready(address(server) + "/")
    try:
        server.run()
    finally:
        app.close()


__all__ = ["Limits", "address", "make_server", "serve_forever", "stop", "wsgi"]
