"""A real `ccus-kg serve` process on loopback, and a plain HTTP client that does not follow redirects."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
LIFETIME = 900  # seconds: a server left behind by a killed test run stops by itself


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def media(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, accept: str = "*/*") -> Reply:
    """One GET, redirects not followed."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with _OPENER.open(request, timeout=60) as response:
            return Reply(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())


@contextmanager
def serving(seeds: Path = SEEDS, base: str | None = None) -> Iterator[str]:
    """Run `ccus-kg serve` on 127.0.0.1 and a free port; yield its URL (no trailing slash)."""
    port = free_port()
    out = tempfile.TemporaryDirectory(prefix="ccus-kg-serve-")  # serve builds here first, never into the checkout
    command = ["timeout", str(LIFETIME), sys.executable, "-m", "kg", "serve", "--seeds", str(seeds),
               "--host", "127.0.0.1", "--port", str(port), "--out", out.name]
    if base:
        command += ["--base", base]
    with out, tempfile.TemporaryFile() as log:  # the server logs every request: an unread pipe would fill and block it
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, cwd=ROOT)
        try:
            yield _ready(process, log, f"http://127.0.0.1:{port}")
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _ready(process: subprocess.Popen[bytes], log: IO[bytes], url: str) -> str:
    """Wait until the server answers (or fail with its log)."""
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"ccus-kg serve exited: {log.read().decode(errors='replace')}")
        try:
            if fetch(url + "/").status == 200:
                return url
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("ccus-kg serve did not answer within 120 s")
        time.sleep(0.2)
