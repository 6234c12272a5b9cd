"""Untrusted SPARQL runs here: a pool of worker processes, each confined, killed at the deadline.

Three independent walls stand between a query and the network:

1. ``check_read_only`` decides on the *parsed* query (rdflib's SPARQL parser
   and algebra, which also expands ``\\uXXXX`` escapes): SERVICE anywhere
   (``SERVICE ?var``, ``SERVICE SILENT``, nested groups, subqueries) and
   every update form are refused, and a query that this parser cannot read
   is refused too (fail closed: the engine is never handed text the check
   did not understand).
2. The engine only ever gets ``Store.query`` (never ``update``), so LOAD and
   the other update operations cannot be expressed. pyoxigraph 0.5 has no
   switch to turn its SERVICE client off, hence the third wall.
3. The worker process cannot open a socket at all (``kg.sandbox``: a seccomp
   filter on Linux), and its address space is capped.

The check runs inside the worker too, so even parsing hostile text is bound
by the deadline and the memory cap. At the deadline the worker is killed
(SIGKILL) and a fresh one is started in the background.
"""

from __future__ import annotations

import collections
import functools
import multiprocessing
import pickle
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from kg.errors import KgError

MB = 1024 * 1024
_UPDATE_WORDS = {"Load": "LOAD", "Clear": "CLEAR", "Drop": "DROP", "Create": "CREATE", "Add": "ADD",
                 "Move": "MOVE", "Copy": "COPY", "InsertData": "INSERT", "DeleteData": "DELETE",
                 "DeleteWhere": "DELETE", "Modify": "INSERT/DELETE"}


class WorkerError(KgError):
    """A query worker could not be started or confined (exit code 2)."""


class QueryRefused(Exception):
    """A request the endpoint will not evaluate (an update, SERVICE, LOAD)."""


class QuerySyntax(SyntaxError):
    """The query cannot be parsed (by the safety check or by the engine)."""


class QueryTimeout(Exception):
    """A query that ran past the configured time limit; its worker was killed."""


class QueryTooLarge(Exception):
    """A query that needed more memory, or a bigger answer, than allowed."""


class QueryBusy(Exception):
    """Every worker stayed busy for the whole wait: try again later."""


class QueryFailed(Exception):
    """The engine could not evaluate the query (a runtime error in the query)."""


def check_read_only(text: str) -> None:
    """Refuse SERVICE and updates on the parsed query; refuse what cannot be parsed.

    >>> check_read_only('SELECT ?s WHERE { ?s ?p "SERVICE" } # SERVICE')
    >>> check_read_only('SELECT * { SERVICE SILENT ?x { ?a ?b ?c } }')
    Traceback (most recent call last):
    ...
    kg.worker.QueryRefused: SERVICE is refused: this endpoint never opens outbound connections
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        tree = parseQuery(text)
    except ParseException as exc:
        try:
            update = parseUpdate(text)
        except Exception:  # not an update either: report the query parser's error
            raise QuerySyntax(f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg} "
                              "(queries are checked by a strict parser before they run)") from None
        words = sorted({_UPDATE_WORDS.get(op.name, op.name.upper()) for op in update.request}) or ["UPDATE"]
        raise QueryRefused(f"read-only endpoint: {', '.join(words)} is refused") from None
    except Exception as exc:  # the parser failed in another way: fail closed
        raise QuerySyntax(f"SPARQL syntax error: the query cannot be checked ({type(exc).__name__})") from None
    if "ServiceGraphPattern" in _names(tree):
        raise QueryRefused("SERVICE is refused: this endpoint never opens outbound connections")
    try:
        algebra = translateQuery(tree).algebra
    except Exception as exc:
        raise QuerySyntax(f"SPARQL error: the query cannot be checked ({type(exc).__name__}: {exc})") from None
    if "ServiceGraphPattern" in _names(algebra):
        raise QueryRefused("SERVICE is refused: this endpoint never opens outbound connections")


def _names(node: Any) -> set[str]:
    """Every CompValue name in a parse tree or algebra expression, however deeply nested."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    found: set[str] = set()
    todo, seen = [node], set()
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, CompValue):
            found.add(item.name)
            todo.extend(item.values())
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset, ParseResults)):
            todo.extend(item)
    return found


# --- the worker process ---------------------------------------------------------------------


@dataclass
class Setup:
    """What a worker needs to start: the data, where it goes, and its limits."""

    data: bytes  # N-Triples, loaded into the named graph ``graph``
    graph: str
    extra: bytes  # N-Triples loaded into the default graph (the SKOS schemes)
    base: str
    max_rows: int
    max_memory: int  # bytes of address space
    max_reply: int  # bytes of pickled answer
    require_sandbox: bool = True


@dataclass
class Request:
    """One query and the dataset the protocol asked for (None = the union of all graphs)."""

    text: str
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    checked: bool = True  # tests turn the parse check off to prove the sandbox alone holds


@dataclass
class Answer:
    """A result with pyoxigraph terms: ('select', vars, rows) / ('graph', triples) / ('ask', bool)."""

    kind: str
    vars: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    triples: list[Any] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False


def _worker_main(conn: Connection, setup: Setup) -> None:
    """Confine this process, load the data, then answer requests until the pipe closes."""
    from kg.sandbox import SandboxError, cap_memory, deny_network

    try:
        guard = deny_network()
    except SandboxError as exc:
        if setup.require_sandbox:
            conn.send(("failed", f"cannot confine the query worker: {exc}"))
            return
        guard = "none"
    cap_memory(setup.max_memory)
    import pyoxigraph as ox

    store = ox.Store()
    store.load(setup.data, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(setup.graph))
    store.load(setup.extra, ox.RdfFormat.N_TRIPLES)
    check_read_only("ASK {}")  # import and warm the parser before the first deadline starts
    conn.send(("ready", guard))
    while True:
        try:
            request: Request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple = ("ok", _evaluate(store, setup, request))
        except MemoryError:
            conn.send(("memory", None))
            return  # the heap may be in any state: let a fresh worker take over
        except (QueryRefused, QuerySyntax) as exc:
            reply = (type(exc).__name__, str(exc))
        except SyntaxError as exc:
            reply = ("QuerySyntax", f"SPARQL syntax error: {exc}")
        except PermissionError as exc:  # the sandbox stopped an outbound connection
            reply = ("QueryRefused", f"outbound connection refused: {exc}")
        except Exception as exc:
            reply = ("QueryFailed", f"query failed: {exc}")
        payload = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        if len(payload) > setup.max_reply:
            payload = pickle.dumps(("QueryTooLarge", f"the answer is larger than {setup.max_reply // MB} MB"))
        conn.send_bytes(payload)


@functools.lru_cache(maxsize=256)
def _verdict(text: str) -> tuple[str, str] | None:
    """The check's outcome for one query text, remembered: parsing costs ~15 ms, and clients repeat queries."""
    try:
        check_read_only(text)
    except (QueryRefused, QuerySyntax) as exc:
        return type(exc).__name__, str(exc)
    return None


def _check(text: str) -> None:
    if len(text) > 16_384:  # too long to be worth remembering: checked each time
        check_read_only(text)
        return
    verdict = _verdict(text)
    if verdict:
        raise {"QueryRefused": QueryRefused, "QuerySyntax": QuerySyntax}[verdict[0]](verdict[1])


def _evaluate(store: Any, setup: Setup, request: Request) -> Answer:
    import pyoxigraph as ox

    if request.checked:
        _check(request.text)
    options: dict[str, Any] = {"base_iri": setup.base}
    if request.default_graphs is None and request.named_graphs is None:
        options["use_default_graph_as_union"] = True
    else:
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs or []]
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs or []]
    result = store.query(request.text, **options)
    limit = setup.max_rows
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        answer = Answer("select", vars=names)
        for row in result:
            if len(answer.rows) == limit:
                answer.truncated = True
                break
            answer.rows.append([row[n] for n in names])
        return answer
    if isinstance(result, ox.QueryTriples):
        answer = Answer("graph")
        for triple in result:
            if len(answer.triples) == limit:
                answer.truncated = True
                break
            answer.triples.append(triple)
        return answer
    return Answer("ask", boolean=bool(result))


# --- the pool, in the server process ----------------------------------------------------------


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Connection


@dataclass(eq=False)
class _Waiter:
    event: threading.Event = field(default_factory=threading.Event)
    worker: _Worker | None = None


class QueryPool:
    """N confined worker processes; a query gets one, or waits for one, and is killed at its deadline."""

    def __init__(self, setup: Setup, workers: int = 2, timeout: float = 10.0, start_timeout: float = 120.0):
        self.setup = setup
        self.timeout = timeout
        self.start_timeout = start_timeout
        self._ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._free: list[_Worker] = []
        self._waiters: collections.deque[_Waiter] = collections.deque()
        self._handoff = threading.Lock()
        self._live: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.guard = "none"
        for _ in range(workers):
            self._release(self._spawn())

    def _acquire(self, wait: float) -> _Worker:
        """A free worker, first come first served: a request that waited is never overtaken."""
        with self._handoff:
            if self._free and not self._waiters:
                return self._free.pop()
            waiter = _Waiter()
            self._waiters.append(waiter)
        waiter.event.wait(wait)
        with self._handoff:
            if waiter.worker is None:
                self._waiters.remove(waiter)
                raise QueryBusy("every query worker is busy: try again in a few seconds")
            return waiter.worker

    def _release(self, worker: _Worker) -> None:
        with self._handoff:
            if self._waiters:
                waiter = self._waiters.popleft()
                waiter.worker = worker
                waiter.event.set()
            else:
                self._free.append(worker)

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_worker_main, args=(child, self.setup), daemon=True,
                                    name="ccus-kg-query")
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._live.add(worker)
        if not parent.poll(self.start_timeout):
            self._kill(worker)
            raise WorkerError(f"a query worker did not start within {self.start_timeout:g} s")
        try:
            status, detail = parent.recv()
        except EOFError:
            self._kill(worker)
            raise WorkerError(f"a query worker died while loading the data (exit code {process.exitcode}): "
                              "is --max-memory too small for this graph?") from None
        if status != "ready":
            self._kill(worker)
            raise WorkerError(detail)
        self.guard = detail
        return worker

    def _kill(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        with self._lock:
            self._live.discard(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker now; start its successor in the background."""
        self._kill(worker)

        def respawn() -> None:
            if not self._closed:
                try:
                    fresh = self._spawn()
                    if self._closed:  # the pool was closed while this one started
                        self._kill(fresh)
                    else:
                        self._release(fresh)
                except WorkerError:
                    time.sleep(1)
                    threading.Thread(target=respawn, daemon=True).start()

        threading.Thread(target=respawn, daemon=True, name="ccus-kg-respawn").start()

    def pids(self) -> list[int]:
        """The process ids of the live workers (tests watch them)."""
        with self._lock:
            return sorted(w.process.pid for w in self._live)

    def run(self, request: Request, wait: float | None = None) -> Answer:
        """Evaluate on a free worker within the deadline; raise a Query* error otherwise."""
        # a worker killed at its deadline is back after a fresh start (~1-2 s): wait for that too
        worker = self._acquire(self.timeout + 10 if wait is None else wait)
        healthy = False
        try:
            worker.conn.send(request)
            if not worker.conn.poll(self.timeout):
                raise QueryTimeout(f"the query ran past the {self.timeout:g} s limit and was stopped")
            try:
                status, detail = pickle.loads(worker.conn.recv_bytes())
            except (EOFError, OSError):
                raise QueryTooLarge(f"the query needed more than the {self.setup.max_memory // MB} MB "
                                    "memory limit and was stopped") from None
            if status == "memory":
                raise QueryTooLarge(f"the query needed more than the {self.setup.max_memory // MB} MB "
                                    "memory limit and was stopped")
            healthy = True
        finally:
            if healthy:
                self._release(worker)
            else:
                self._replace(worker)
        if status == "ok":
            return detail
        raise {"QueryRefused": QueryRefused, "QuerySyntax": QuerySyntax, "QueryFailed": QueryFailed,
               "QueryTooLarge": QueryTooLarge}[status](detail)

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._live)
        for worker in workers:
            self._kill(worker)


__all__ = ["Answer", "QueryBusy", "QueryFailed", "QueryPool", "QueryRefused", "QuerySyntax", "QueryTimeout",
           "QueryTooLarge", "Request", "Setup", "WorkerError", "check_read_only"]
