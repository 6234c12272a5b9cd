"""Addresses given on the command line or by a server: checked before anything uses them.

Only absolute http(s) URLs with a host reach the network (no ``file:``, no
``javascript:``), and what a remote server says back is shown bounded and
without the control characters that could rewrite a terminal.
"""

from __future__ import annotations

import re
import urllib.parse

from kg.errors import KgError

MAX_MESSAGE = 300  # characters of a server's error body shown to the user
MAX_READ = 64 * 1024  # bytes of a server's error body read at all

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f-\x9f]')
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")


def check_http_url(value: str, what: str) -> str:
    """``value`` when it is an absolute http(s) URL with a host; else a KgError naming ``what``.

    >>> check_http_url("file:///etc/hostname#", "--endpoint")
    Traceback (most recent call last):
    kg.errors.KgError: --endpoint must be an http(s) URL, got 'file:///etc/hostname#'
    """
    shown = sanitize(value, 120)
    if _IRI_FORBIDDEN.search(value):
        raise KgError(f"{what} must be an http(s) URL without spaces or <>\"{{}}|\\^` characters, got '{shown}'")
    try:
        parts = urllib.parse.urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise KgError(f"{what} must be an http(s) URL, got '{shown}'") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KgError(f"{what} must be an http(s) URL, got '{shown}'")
    return value


def check_base(value: str) -> str:
    """A base IRI for minting: an http(s) URL ending with '/', without query or fragment."""
    check_http_url(value, "--base")
    parts = urllib.parse.urlsplit(value)
    if parts.query or parts.fragment or "#" in value or "?" in value:
        raise KgError(f"--base must not have a query or fragment, got '{sanitize(value, 120)}'")
    return value


def same_origin(a: str, b: str) -> bool:
    """True when two URLs share scheme, host and port (where credentials may go)."""
    pa, pb = urllib.parse.urlsplit(a), urllib.parse.urlsplit(b)
    default = {"http": 80, "https": 443}
    return (pa.scheme, (pa.hostname or "").lower(), pa.port or default.get(pa.scheme)) == \
        (pb.scheme, (pb.hostname or "").lower(), pb.port or default.get(pb.scheme))


def sanitize(text: str, limit: int = MAX_MESSAGE) -> str:
    """A remote message made safe to print: control characters folded to spaces, cut at ``limit``.

    >>> sanitize("bad\\x1b[31m red\\x1b[0m\\nline", 40)
    'bad [31m red [0m line'
    """
    flat = _CONTROL.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


__all__ = ["MAX_MESSAGE", "MAX_READ", "check_base", "check_http_url", "same_origin", "sanitize"]
