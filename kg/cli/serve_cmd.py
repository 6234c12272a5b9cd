"""`ccus-kg serve`."""

from __future__ import annotations

from pathlib import Path

import click

from .common import base_option, err, handle_errors, out_option, print_findings, seeds_option


@click.command("serve")
@seeds_option
@out_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind; the default serves this machine only.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port (0 picks a free one).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Per-query time limit in seconds; the worker running a query past it is killed.")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Row cap for SELECT results and triples for CONSTRUCT (a cut result says so).")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=2, show_default=True,
              help="Query worker processes (each holds a copy of the graph).")
@click.option("--max-memory", type=click.IntRange(min=64), default=1024, show_default=True,
              help="Address-space cap of each query worker, in MB.")
@click.option("--threads", type=click.IntRange(min=9, max=512), default=256, show_default=True,
              help="HTTP request threads; queries may hold all but 8 (past that: 503), pages keep the rest.")
@click.option("--max-body", type=click.IntRange(min=1), default=1024, show_default=True,
              help="Largest request body accepted, in KB (413 past it).")
@click.option("--idle-timeout", type=click.IntRange(min=1), default=30, show_default=True,
              help="Seconds an idle keep-alive connection is kept open.")
@click.option("--allow-invalid", is_flag=True, help="Serve even when records have violations.")
@base_option
@handle_errors
def serve_command(seeds: Path, out_dir: Path, host: str, port: int, timeout: float, max_rows: int, workers: int,
                  max_memory: int, threads: int, max_body: int, idle_timeout: int, allow_invalid: bool,
                  base: str) -> None:
    """Serve the SPARQL endpoint, linked-data IRIs, dumps and HTML pages.

    Served from the build in --out (as `ccus-kg build` leaves it), built
    there first when the records changed since; the records are not mapped
    again. As `build` does, exit 1 on violations (each listed) unless
    --allow-invalid. /sparql speaks the SPARQL 1.1 Protocol (read-only;
    without a query it returns its service description); /id/... IRIs
    dereference by content negotiation; / lists the policies; /query runs
    named queries; /void.ttl describes the dataset. Queries run in worker
    processes that cannot open network connections, are killed at --timeout
    and capped at --max-memory.

    Example: ccus-kg serve --seeds seeds --port 8000 --timeout 5 --max-memory 512
    """
    from kg.server import App, from_build
    from kg.transport import Limits, serve_forever
    from kg.worker import MB

    kg = from_build(seeds, out_dir, base, allow_invalid, say=lambda line: err.print(line, markup=False))
    print_findings([f for f in kg.findings if f.severity.value == "violation"])
    limits = Limits(threads=threads, max_body=max_body * 1024, idle_timeout=idle_timeout)
    app = App(kg, timeout=timeout, max_rows=max_rows, workers=workers, max_memory=max_memory * MB,
              max_pending=threads - 8)

    def ready(url: str) -> None:
        err.print(f"serving {len(kg.corpus.policies())} policies, {app.triple_count} triples at {url} "
                  f"({workers} query workers, network blocked by {app.pool.guard}; Ctrl-C stops)")

    try:
        serve_forever(app, host, port, limits, ready)
    except KeyboardInterrupt:
        err.print("stopped")
