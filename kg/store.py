"""One store interface, four implementations: the build's store, rdflib in memory, Oxigraph on disk, a remote endpoint.

``open_store("build" | "memory" | "oxigraph:PATH" | "sparql:QUERY_URL", seeds)``
gives a ``SparqlSource``: callers (query, lineage, in-force, analyze) cannot
tell which one answers, since every result comes back as rdflib terms.
``build`` (the default) is the Oxigraph store ``ccus-kg build`` leaves in its
output folder: used as it is when its manifest says it is current for the
corpus (kg.readers), rebuilt incrementally into that folder when not.
``push`` writes the graph into a named graph of any SPARQL 1.1 Graph Store.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

import pyoxigraph as ox

from kg import readers
from kg.errors import KgError, QueryError, StoreError
from kg.ontology_iris import DEFAULT_BASE
from kg.sparql import Result, SparqlSource, describe_syntax_error
from kg.urls import MAX_READ, check_http_url, same_origin, sanitize

if TYPE_CHECKING:
    from rdflib.term import Node

    from kg.build import KnowledgeGraph

TIMEOUT = 60.0
DEFAULT_OUT = Path("build")  # where `ccus-kg build` writes, and readers look, unless told otherwise
LOCK_WAIT = 600.0  # seconds a reader waits for another build into the same folder
Say = Callable[[str], None]


@dataclass(frozen=True)
class StoreSpec:
    """A parsed --store value."""

    kind: str  # "build", "memory", "oxigraph" or "sparql"
    target: str = ""

    @classmethod
    def parse(cls, text: str) -> StoreSpec:
        """build | memory | oxigraph:PATH | sparql:URL; anything else raises StoreError."""
        if text in ("build", "memory"):
            return cls(text)
        kind, sep, target = text.partition(":")
        if sep and kind == "oxigraph" and target:
            return cls("oxigraph", target)
        if sep and kind == "sparql":
            try:
                return cls("sparql", check_http_url(target, "--store sparql:"))
            except KgError as exc:
                raise StoreError(str(exc)) from None
        raise StoreError(f"--store must be build, memory, oxigraph:PATH or sparql:QUERY_URL, got '{text}'")


def dataset_ntriples(kg: KnowledgeGraph) -> bytes:
    """What a store holds: the data plus the SKOS schemes the queries read."""
    from kg.export import ntriples
    from kg.vocab import vocabularies

    return (ntriples(kg.triples) + ntriples(vocabularies().graph)).encode("utf-8")


def default_out() -> Path:
    """The build folder readers use when not told: $CCUS_KG_OUT, else ./build (as `ccus-kg build`)."""
    return Path(os.environ.get("CCUS_KG_OUT") or DEFAULT_OUT)


def open_store(spec: str | StoreSpec, seeds: Path, base: str = DEFAULT_BASE, out: Path | None = None,
               say: Say | None = None) -> SparqlSource:
    """A SparqlSource for --store; local stores are brought up to date with the seeds first.

    ``out`` is the build folder the ``build`` and ``oxigraph:`` stores come
    from; ``say`` hears one line on what happened (answered from the build,
    or rebuilt and why).
    """
    spec = spec if isinstance(spec, StoreSpec) else StoreSpec.parse(spec)
    out = default_out() if out is None else Path(out)
    if spec.kind == "memory":
        from kg.build import load

        return load(seeds, base).source()
    if spec.kind == "build":
        return built_store(out, seeds, base, say)
    if spec.kind == "oxigraph":
        return OxigraphSource.from_seeds(Path(spec.target), seeds, base, out, say)
    return RemoteSource(spec.target)


def current_build(out: Path, seeds: Path, base: str = DEFAULT_BASE, say: Say | None = None) -> Path:
    """The published set of ``out``, rebuilt first when its manifest is not current for ``seeds``.

    The rebuild is the incremental ``build`` with --allow-invalid semantics:
    readers answer what the records state, as they did before there was a
    store, and the manifest keeps the number of violations so the caller can
    say so. Another build holding the folder is waited for, then checked again.
    """
    say = say or (lambda _: None)
    folder = readers.current_set(out)
    status = readers.check(readers.read_manifest(folder) if folder else None, seeds, base)
    if status.current and folder is not None and (folder / readers.STORE).is_dir():
        say(f"answered from the build in {out}/ ({status.reason})")
        return folder
    from kg.build import build

    started = time.perf_counter()
    since = time.time_ns() - readers.MARGIN_NS
    built = _waiting(out, lambda: build(seeds, out, base, allow_invalid=True))
    folder = readers.current_set(out)
    if folder is None or not (folder / readers.STORE).is_dir() \
            or not readers.check(readers.read_manifest(folder), seeds, base).current:
        # the build found its dumps unchanged and published nothing (see readers.complete)
        _waiting(out, lambda: _complete(out, seeds, base, built.counts()["violation"], since))
        folder = readers.current_set(out)
    if folder is None:
        raise StoreError(f"{out}: the build published no output set")
    say(f"rebuilt {out}/ in {time.perf_counter() - started:.2f} s: {status.reason}")
    return folder


def _complete(out: Path, seeds: Path, base: str, violations: int, since_ns: int) -> None:
    from kg.outputs import locked

    with locked(out):
        folder = readers.current_set(out)
        if folder is not None:
            readers.complete(folder, seeds, base, violations, since_ns)


T = TypeVar("T")


def _waiting(out: Path, step: Callable[[], T]) -> T:
    """Run ``step``; while another build holds ``out``, wait for it (up to LOCK_WAIT) instead of failing."""
    from kg.outputs import BuildLocked

    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            return step()
        except BuildLocked:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.25)


def built_store(out: Path, seeds: Path, base: str = DEFAULT_BASE, say: Say | None = None) -> OxigraphSource:
    """The build's own Oxigraph store, current for ``seeds`` (opened read-only: many readers at once)."""
    folder = current_build(out, seeds, base, say)
    found = readers.read_manifest(folder) or {}
    if found.get("violations") and say is not None:
        say(f"note: the records have {found['violations']} violation(s); "
            "answers come from what they state (ccus-kg validate lists them)")
    try:
        return OxigraphSource.open(folder / readers.STORE, base, found.get("prefixes"))
    except StoreError:  # a build published a newer set and removed this one meanwhile
        newer = readers.current_set(out)
        if newer is None or newer == folder:
            raise
        return OxigraphSource.open(newer / readers.STORE, base, (readers.read_manifest(newer) or {}).get("prefixes"))


class OxigraphSource:
    """A persistent embedded Oxigraph store.

    Queries see the project's prefixes bound, as on the in-memory graph, and a
    syntax error is described from rdflib's parser when it finds one too, so
    the same query fails with the same message on either store.
    """

    def __init__(self, store: ox.Store, base: str = DEFAULT_BASE, prefixes: dict[str, str] | None = None):
        self.store = store
        self.base = base
        self._prefixes = prefixes

    @classmethod
    def open(cls, path: Path, base: str = DEFAULT_BASE, prefixes: dict[str, str] | None = None) -> OxigraphSource:
        """Open an existing store folder read-only (``prefixes``: the table it was built with, if known)."""
        try:
            return cls(ox.Store.read_only(str(path)), base, prefixes)
        except OSError as exc:
            raise StoreError(f"{path}: cannot open the Oxigraph store: {exc}") from exc

    def prefixes(self) -> dict[str, str]:
        """The prefixes bound for every query: the build's table when given, else kg.namespaces' (rdflib)."""
        if self._prefixes is None:
            from kg.namespaces import prefixes

            self._prefixes = prefixes(self.base)
        return self._prefixes

    @classmethod
    def from_seeds(cls, path: Path, seeds: Path, base: str = DEFAULT_BASE, out: Path | None = None,
                   say: Say | None = None) -> OxigraphSource:
        """Open the store at ``path``; when its manifest is not current, copy it from a current build in ``out``.

        Currency is told by the manifest (a stat per record file, a hash
        only where the stat differs), never by loading and mapping the corpus.
        """
        path = Path(path)
        mine = path / readers.MANIFEST
        try:
            found = json.loads(mine.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            found = None
        status = readers.check(found, seeds, base)
        if not status.current:
            out = default_out() if out is None else Path(out)
            folder = current_build(out, seeds, base, say)
            data = (folder / readers.DATA).read_bytes()
            from kg.export import ntriples
            from kg.vocab import vocabularies

            schemes = ntriples(vocabularies().graph).encode("utf-8")
            path.mkdir(parents=True, exist_ok=True)
            try:
                store = ox.Store(str(path))
            except OSError as exc:
                raise StoreError(f"{path}: cannot open the Oxigraph store: {exc}") from exc
            store.clear()
            store.bulk_load(data + schemes, ox.RdfFormat.N_TRIPLES)
            store.flush()
            tmp = mine.with_name(mine.name + ".tmp")
            shutil.copyfile(folder / readers.MANIFEST, tmp)
            os.replace(tmp, mine)
            if say is not None:
                say(f"loaded {path} from the build in {out}/ ({'a new store' if found is None else status.reason})")
            return cls(store, base, (readers.read_manifest(folder) or {}).get("prefixes"))
        if say is not None:
            say(f"answered from {path} ({status.reason})")
        try:
            return cls(ox.Store(str(path)), base, (found or {}).get("prefixes"))
        except OSError as exc:
            raise StoreError(f"{path}: cannot open the Oxigraph store: {exc}") from exc

    def query(self, text: str) -> Result:
        return from_oxigraph(self._run(text))

    def query_lexical(self, text: str) -> list[dict[str, str]]:
        """SELECT rows as text (IRIs, lexical forms, "" unbound): kg.sparql.lexical, without rdflib terms."""
        result = self._run(text)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("a query read as rows must be a SELECT")
        names = [v.value for v in result.variables]
        return [{n: "" if (v := row[n]) is None else v.value for n in names} for row in result]

    def _run(self, text: str) -> object:
        bound = self.prefixes()
        try:
            return self.store.query(text, prefixes=bound)
        except SyntaxError as exc:
            raise QueryError(_syntax_message(exc, text, bound)) from exc


def _syntax_message(exc: SyntaxError, text: str, bound: dict[str, str]) -> str:
    """The message the in-memory store gives for this query (rdflib's parser), else Oxigraph's own.

    Oxigraph lists what it expected in no fixed order; rdflib's parser is
    deterministic and is what `--store memory` always reported.
    """
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepareQuery(text, initNs=bound)
    except Exception as found:  # pyparsing and rdflib raise many types
        return describe_syntax_error(found, text, bound)
    return describe_syntax_error(exc, text, bound)


def from_oxigraph(result: object) -> Result:
    """A pyoxigraph query result as a kg.sparql.Result with rdflib terms."""
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [tuple(to_rdflib(row[n]) for n in names) for row in result]
        return Result("select", vars=names, rows=rows)
    if isinstance(result, ox.QueryTriples):
        return Result("graph", triples=[(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
                                        for t in result])
    return Result("ask", boolean=bool(result))


@overload
def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node: ...
@overload
def to_rdflib(term: object) -> Node | None: ...
def to_rdflib(term: object) -> Node | None:
    """One pyoxigraph term as the rdflib term it stands for (None for an unbound variable)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return _rdflib().URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return _rdflib().BNode(term.value)
    if isinstance(term, ox.Literal):
        return _literal(term.value, term.language, None if term.language else term.datatype.value)
    raise QueryError(f"unsupported term in a result: {term!r}")


@lru_cache(maxsize=1)
def _rdflib() -> Any:
    """rdflib, imported on the first term made: a `lineage` on the built store reads text and never needs it."""
    import rdflib

    return rdflib


@lru_cache(maxsize=1 << 17)
def _literal(value: str, language: str | None, datatype: str | None) -> Node:
    # rdflib parses typed values on creation (70 µs an xsd:date): rows repeat dates, codes and
    # names, and Literals are immutable, so one object serves every repeat.
    from kg.namespaces import XSD

    literal = _rdflib().Literal
    if language:
        return literal(value, lang=language)
    if datatype in (str(XSD.string), None):
        return literal(value)
    return literal(value, datatype=_rdflib().URIRef(datatype))



class RemoteSource:
    """A remote SPARQL 1.1 endpoint, read with the SPARQL protocol (form POST)."""

    def __init__(self, url: str, timeout: float = TIMEOUT):
        self.url = url
        self.timeout = timeout

    def query(self, text: str) -> Result:
        body = urllib.parse.urlencode({"query": text}).encode("utf-8")
        form = query_form(text)
        # Virtuoso answers a CONSTRUCT as SELECT rows of ?s ?p ?o when JSON comes first in Accept.
        accept = ("application/n-triples, application/sparql-results+json;q=0.9" if form in ("CONSTRUCT", "DESCRIBE")
                  else "application/sparql-results+json, application/n-triples;q=0.9")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept, **auth_headers()})
        try:
            with _opener(self.url)[0].open(request, timeout=self.timeout) as response:
                media = response.headers.get("Content-Type", "").split(";")[0].strip()
                payload = response.read()
        except urllib.error.HTTPError as exc:
            error = QueryError if exc.code == 400 else StoreError
            raise error(f"{self.url} answered {exc.code}{_hint(exc.code)}: {_server_message(exc)}") from exc
        except OSError as exc:
            raise StoreError(f"{self.url}: cannot reach the endpoint: {sanitize(str(exc))}") from exc
        if media in ("application/n-triples", "text/plain"):
            quads = ox.parse(payload, format=ox.RdfFormat.N_TRIPLES)
            return Result("graph", triples=[(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
                                            for q in quads])
        return parse_results_json(payload, ask=form == "ASK")


_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)*", re.IGNORECASE)
_FORM = re.compile(r"SELECT|CONSTRUCT|DESCRIBE|ASK", re.IGNORECASE)


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK: the first keyword after the prologue ("" when none)."""
    found = _FORM.match(text, _PROLOGUE.match(text).end())  # type: ignore[union-attr]
    return found.group(0).upper() if found else ""


def parse_results_json(payload: bytes, ask: bool = False) -> Result:
    """SPARQL 1.1 Query Results JSON -> Result with rdflib terms.

    Virtuoso 7 answers ASK with rows of one ``__ASK_RETVAL`` variable (one
    row holding 1 when true, no row when false) instead of a boolean.
    """
    data = json.loads(payload)
    if "boolean" in data:
        return Result("ask", boolean=bool(data["boolean"]))
    names = data["head"]["vars"]
    if ask and names == ["__ASK_RETVAL"]:
        bindings = data["results"]["bindings"]
        return Result("ask", boolean=bool(bindings) and bindings[0]["__ASK_RETVAL"]["value"] not in ("0", "false"))
    rows = []
    for binding in data["results"]["bindings"]:
        rows.append(tuple(_json_term(binding.get(n)) for n in names))
    return Result("select", vars=names, rows=rows)


def _json_term(value: dict[str, str] | None) -> Node | None:
    if value is None:
        return None
    from kg.namespaces import XSD

    kind = value["type"]
    rdflib = _rdflib()
    if kind == "uri":
        return rdflib.URIRef(value["value"])
    if kind == "bnode":
        return rdflib.BNode(value["value"])
    if "xml:lang" in value:
        return rdflib.Literal(value["value"], lang=value["xml:lang"])
    datatype = value.get("datatype")
    if datatype and datatype != str(XSD.string):
        return rdflib.Literal(value["value"], datatype=rdflib.URIRef(datatype))
    return rdflib.Literal(value["value"])


def auth_headers() -> dict[str, str]:
    """Credentials from the environment (never the command line)."""
    token = os.environ.get("CCUS_KG_TOKEN")
    if token:
        return {"Authorization": f"Bearer {token}"}
    user, password = os.environ.get("CCUS_KG_USER"), os.environ.get("CCUS_KG_PASSWORD")
    if user and password is not None:
        pair = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Authorization": f"Basic {pair}"}
    return {}


def push(kg: KnowledgeGraph, endpoint: str, graph: str | None = None, timeout: float = TIMEOUT) -> int:
    """PUT the graph (data + SKOS schemes) into one named graph of a Graph Store; returns triples sent.

    PUT replaces the graph whole on the server, so pushing twice leaves the
    same triples, and a refused push leaves the previous graph as it was.
    """
    check_http_url(endpoint, "--endpoint")
    target = graph or str(kg.minter.graph())
    separator = "&" if "?" in endpoint else "?"
    url = f"{endpoint}{separator}{urllib.parse.urlencode({'graph': target})}"
    body = dataset_ntriples(kg)
    opener, digest = _opener(endpoint)
    request = urllib.request.Request(url, data=body, method="PUT", headers={
        "Content-Type": "application/n-triples", **auth_headers()})
    try:
        if digest is not None:
            _check_credentials(opener, url, timeout)
            digest.authorize(request)
        with opener.open(request, timeout=timeout) as response:
            response.read(MAX_READ)
    except urllib.error.HTTPError as exc:
        raise StoreError(f"{endpoint} refused the push ({exc.code}){_hint(exc.code)}: {_server_message(exc)}") from exc
    except OSError as exc:
        raise StoreError(f"{endpoint}: cannot reach the graph store: {sanitize(str(exc))}") from exc
    return body.count(b"\n")


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only within the origin the request was sent to.

    urllib would forward the Authorization header to any host a server names;
    credentials meant for one endpoint must never reach another.
    """

    def redirect_request(self, req: urllib.request.Request, fp: object, code: int, msg: str,
                         headers: object, newurl: str) -> urllib.request.Request | None:
        if not same_origin(req.full_url, newurl):
            raise StoreError(f"{sanitize(req.full_url, 120)} redirected to another origin "
                             f"({sanitize(newurl, 120)}): refused, so no credentials leave the endpoint's origin")
        return super().redirect_request(req, fp, code, msg, headers, newurl)  # type: ignore[arg-type]


class _DigestWhenAsked(urllib.request.HTTPDigestAuthHandler):
    """Answer a Digest challenge with CCUS_KG_USER / CCUS_KG_PASSWORD, once.

    Basic credentials go out with the first request (most stores want them);
    a Digest-only store such as Virtuoso's ``/sparql-graph-crud-auth`` answers
    those with a bare 401, so the request is asked once more without them to
    learn the scheme. The password manager holds the credentials for the
    endpoint's origin only, and a refused Digest answer is a refusal, not a
    reason to ask again.
    """

    challenge: dict[str, str] | None = None

    def http_error_401(self, req: urllib.request.Request, fp: object, code: int, msg: str,
                       headers: object) -> object:
        sent = req.get_header("Authorization") or ""
        challenges = [c.lower() for c in headers.get_all("WWW-Authenticate") or []]  # type: ignore[attr-defined]
        if sent.startswith("Digest "):
            return None
        if sent.startswith("Basic "):
            if any(c.startswith("digest") for c in challenges):
                req.remove_header("Authorization")
            elif not challenges and not getattr(req, "_asked_bare", False):
                req.remove_header("Authorization")
                req._asked_bare = True  # type: ignore[attr-defined]
                return self.parent.open(req, timeout=req.timeout)  # type: ignore[attr-defined]
            else:
                return None
        return super().http_error_401(req, fp, code, msg, headers)  # type: ignore[arg-type]

    def retry_http_digest_auth(self, req: urllib.request.Request, auth: str) -> object:
        _, _, text = auth.partition(" ")
        self.challenge = urllib.request.parse_keqv_list(list(filter(None, urllib.request.parse_http_list(text))))
        return super().retry_http_digest_auth(req, auth)

    def authorize(self, req: urllib.request.Request) -> None:
        """Sign ``req`` with the challenge learnt, so a large body goes out once, already authorized.

        Virtuoso closes the connection on an unauthorized PUT without reading
        its body: the client would see a broken pipe instead of the 401.
        """
        if self.challenge is not None:
            signed = self.get_authorization(req, self.challenge)
            if signed:
                req.remove_header("Authorization")
                req.add_unredirected_header("Authorization", f"Digest {signed}")


def _opener(url: str) -> tuple[urllib.request.OpenerDirector, _DigestWhenAsked | None]:
    """Same-origin redirects, and Digest credentials (from the environment) for this origin alone."""
    user, password = os.environ.get("CCUS_KG_USER"), os.environ.get("CCUS_KG_PASSWORD")
    if not user or password is None or os.environ.get("CCUS_KG_TOKEN"):
        return urllib.request.build_opener(_SameOriginRedirects()), None
    parts = urllib.parse.urlsplit(url)
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, f"{parts.scheme}://{parts.netloc}/", user, password)  # type: ignore[arg-type]
    digest = _DigestWhenAsked(manager)
    return urllib.request.build_opener(_SameOriginRedirects(), digest), digest


def _check_credentials(opener: urllib.request.OpenerDirector, url: str, timeout: float) -> None:
    """A bodyless HEAD first: a wrong password is told by a 401, and the Digest challenge is learnt.

    Other answers (404 for a graph not there yet, 405 or 501 from a store
    without HEAD) say nothing about the credentials and are let through.
    """
    probe = urllib.request.Request(url, method="HEAD", headers=auth_headers())
    try:
        with opener.open(probe, timeout=timeout) as response:
            response.read(0)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise


def _hint(code: int) -> str:
    return " (check CCUS_KG_USER / CCUS_KG_PASSWORD or CCUS_KG_TOKEN)" if code == 401 else ""


def _server_message(error: urllib.error.HTTPError) -> str:
    """A server's error body, read bounded and printed without control characters."""
    try:
        raw = error.read(MAX_READ)
    except OSError:
        raw = b""
    return sanitize(raw.decode("utf-8", "replace")) or sanitize(str(error.reason))


__all__ = [
    "DEFAULT_OUT",
    "OxigraphSource",
    "RemoteSource",
    "StoreSpec",
    "auth_headers",
    "built_store",
    "current_build",
    "dataset_ntriples",
    "default_out",
    "from_oxigraph",
    "open_store",
    "parse_results_json",
    "push",
    "query_form",
    "to_rdflib",
]
