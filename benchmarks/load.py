"""Load test of `ccus-kg serve` on 127.0.0.1: C concurrent clients for S seconds; zero errors expected.

    python benchmarks/load.py --seeds seeds --clients 200 --seconds 30 [--keep-alive] [--json]

The server is the real command (`python -m kg serve`, waitress and the query
workers) started as a child process on a free loopback port and stopped at
the end. The clients run in a few processes (so their own GIL does not
inflate the latencies), each client a thread that sends one request after
another — by default each on a new connection, which exercises the accept
backlog — with a 30 s timeout. Requests cycle through a SPARQL query, a
policy page, the index and a policy's Turtle. Bounded: the run stops after
--seconds; every request times out after --request-timeout.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

QUERY = ("PREFIX ccus: <https://w3id.org/ccus-kg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
         "SELECT ?p ?t WHERE { ?p a ccus:Policy ; dcterms:title ?t } ORDER BY ?p LIMIT 50")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def client_process(port: int, targets: list[str], clients: int, until: float, keep_alive: bool, timeout: float,
                   out: multiprocessing.Queue) -> None:
    """Run ``clients`` threads until ``until`` (a time.time()); put (status or error, seconds) pairs."""
    results: list[tuple[str, float]] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        mine: list[tuple[str, float]] = []
        conn: http.client.HTTPConnection | None = None
        i = index
        while time.time() < until:
            target = targets[i % len(targets)]
            i += 1
            started = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                conn.request("GET", target, headers={"Accept": "application/sparql-results+json, text/html;q=0.9, "
                                                     "text/turtle;q=0.8",
                                                     **({} if keep_alive else {"Connection": "close"})})
                response = conn.getresponse()
                body = response.read()
                outcome = str(response.status)
                if response.status != 200:
                    outcome += " " + body[:120].decode("utf-8", "replace")
                if not keep_alive or response.will_close:
                    conn.close()
                    conn = None
            except TimeoutError:
                outcome, conn = "timeout", None
            except ConnectionRefusedError:
                outcome, conn = "refused", None
            except OSError as exc:
                outcome, conn = type(exc).__name__, None
            except http.client.HTTPException as exc:
                outcome, conn = type(exc).__name__, None
            mine.append((outcome, time.perf_counter() - started))
        if conn is not None:
            conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(results)


def percentile(sorted_values: list[float], p: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(p * len(sorted_values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=Path("seeds"))
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--processes", type=int, default=4, help="client processes the clients are spread over")
    parser.add_argument("--keep-alive", action="store_true", help="reuse each client's connection")
    parser.add_argument("--request-timeout", type=float, default=30.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("serve_args", nargs="*", help="passed to `ccus-kg serve` (after --), e.g. -- --threads 64")
    args = parser.parse_args()

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--seeds", str(args.seeds), "--port", str(port),
                               *args.serve_args],
                              stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "200"})
    try:
        banner = ""
        while "serving" not in banner:
            line = server.stderr.readline() if server.stderr else ""
            if not line:
                raise SystemExit(f"the server did not start: {banner}")
            banner += line
        policies = re.search(r"serving (\d+) policies", banner)
        threading.Thread(target=lambda: server.stderr and server.stderr.read(), daemon=True).start()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/sparql?query=" + urllib.parse.quote(
            "SELECT ?id WHERE { ?p <http://purl.org/dc/terms/identifier> ?id } ORDER BY ?id LIMIT 1"),
            headers={"Accept": "application/sparql-results+json"})
        pid = json.loads(conn.getresponse().read())["results"]["bindings"][0]["id"]["value"]
        conn.close()
        targets = [f"/sparql?query={urllib.parse.quote(QUERY)}", f"/doc/policy/{pid}.html", "/",
                   f"/doc/policy/{pid}.ttl"]
        until = time.time() + args.seconds
        queue: multiprocessing.Queue = multiprocessing.Queue()
        share = [args.clients // args.processes + (1 if i < args.clients % args.processes else 0)
                 for i in range(args.processes)]
        started = time.perf_counter()
        procs = [multiprocessing.Process(target=client_process, args=(port, targets, n, until, args.keep_alive,
                                                                      args.request_timeout, queue))
                 for n in share if n]
        for proc in procs:
            proc.start()
        results = [item for _ in procs for item in queue.get(timeout=args.seconds + args.request_timeout + 60)]
        for proc in procs:
            proc.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(30)
    outcomes: dict[str, int] = {}
    for outcome, _ in results:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    latencies = sorted(t for _, t in results)
    report = {
        "clients": args.clients, "seconds": round(elapsed, 1), "keep_alive": args.keep_alive,
        "requests": len(results), "requests_per_second": round(len(results) / elapsed, 1),
        "outcomes": dict(sorted(outcomes.items())),
        "errors": sum(n for k, n in outcomes.items() if k != "200"),  # any other status, or no answer
        "refused": outcomes.get("refused", 0), "timed_out": outcomes.get("timeout", 0),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "policies": int(policies.group(1)) if policies else None,
    }
    print(json.dumps(report) if args.json else
          f"{report['clients']} clients for {report['seconds']} s: {report['requests']} requests "
          f"({report['requests_per_second']} req/s), outcomes {report['outcomes']}; "
          f"{report['refused']} refused, {report['timed_out']} timed out; p50 {report['p50_ms']} ms, "
          f"p99 {report['p99_ms']} ms, max {report['max_ms']} ms ({report['policies']} policies)")
    if report["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
