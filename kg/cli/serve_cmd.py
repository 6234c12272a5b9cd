"""`ccus-kg serve`."""

from __future__ import annotations

from pathlib import Path

import click

from kg.build import load

from .common import base_option, err, handle_errors, print_findings, seeds_option


@click.command("serve")
@seeds_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind; the default serves this machine only.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port (0 picks a free one).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Per-query time limit in seconds.")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Row cap for SELECT results and triples for CONSTRUCT.")
@base_option
@handle_errors
def serve_command(seeds: Path, host: str, port: int, timeout: float, max_rows: int, base: str) -> None:
    """Serve the SPARQL endpoint, linked-data IRIs, dumps and HTML pages.

    /sparql speaks the SPARQL 1.1 Protocol (read-only); /id/... IRIs
    dereference by content negotiation; / lists the policies; /query runs
    named queries; /void.ttl describes the dataset.

    Example: ccus-kg serve --seeds seeds --port 8000
    """
    from kg.server import App, serve_forever

    kg = load(seeds, base)
    print_findings([f for f in kg.findings if f.severity.value == "violation"])
    app = App(kg, timeout=timeout, max_rows=max_rows)

    def ready(url: str) -> None:
        err.print(f"serving {len(kg.corpus.policies())} policies, {app.triple_count} triples at {url} "
                  "(Ctrl-C stops)")

    try:
        serve_forever(app, host, port, ready)
    except KeyboardInterrupt:
        err.print("stopped")
