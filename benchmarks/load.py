"""Load test of `ccus-kg serve` on 127.0.0.1: N requests, C in flight, zero errors expected.

    python benchmarks/load.py --seeds seeds --requests 2000 --concurrency 8 [--json]

Bounded in count and time (each request times out after 10 s); the server is
started in this process on a free port and stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kg.build import load
from kg.server import App, make_server

QUERY = ("PREFIX ccus: <https://w3id.org/ccus-kg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
         "SELECT ?p ?t WHERE { ?p a ccus:Policy ; dcterms:title ?t } ORDER BY ?p LIMIT 50")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=Path("seeds"))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    kg = load(args.seeds)
    app = App(kg)
    server = make_server(app, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    base = f"http://{host}:{port}"
    pid = sorted(kg.corpus.policies())[0]
    targets = [f"{base}/sparql?query={urllib.parse.quote(QUERY)}", f"{base}/doc/policy/{pid}.html",
               f"{base}/", f"{base}/doc/policy/{pid}.ttl"]

    def one(i: int) -> tuple[int, float]:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(targets[i % len(targets)], timeout=10) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = 0
        return status, time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        results = list(pool.map(one, range(args.requests)))
    elapsed = time.perf_counter() - started
    server.shutdown()
    server.server_close()
    latencies = sorted(t for _, t in results)
    report = {
        "requests": args.requests, "concurrency": args.concurrency,
        "errors": sum(1 for s, _ in results if s != 200),
        "seconds": round(elapsed, 3), "requests_per_second": round(args.requests / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "p95_ms": round(latencies[int(0.95 * len(latencies))] * 1000, 1),
        "policies": len(kg.corpus.policies()),
    }
    print(json.dumps(report) if args.json else
          f"{report['requests']} requests, {report['concurrency']} in flight: {report['errors']} errors, "
          f"{report['requests_per_second']} req/s, p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms "
          f"({report['policies']} policies)")


if __name__ == "__main__":
    main()
