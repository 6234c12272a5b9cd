"""`ccus-kg push`."""

from __future__ import annotations

from pathlib import Path

import click

from kg.errors import DataError
from kg.urls import check_http_url

from .common import base_option, handle_errors, out, seeds_option


@click.command("push")
@click.option("--endpoint", required=True, metavar="GSP_URL",
              help="The SPARQL 1.1 Graph Store HTTP Protocol endpoint, e.g. http://127.0.0.1:7878/store.")
@click.option("--graph", metavar="IRI", default=None,
              help="The named graph to replace (default: the project's graph IRI under --base).")
@click.option("--allow-invalid", is_flag=True, help="Push even when records have violations.")
@seeds_option
@base_option
@handle_errors
def push_command(endpoint: str, graph: str | None, allow_invalid: bool, seeds: Path, base: str) -> None:
    """Replace one named graph of a triple store with the knowledge graph (HTTP PUT).

    Credentials come from CCUS_KG_TOKEN (bearer) or CCUS_KG_USER and
    CCUS_KG_PASSWORD (basic), never from the command line. Records with
    violations are refused before anything is sent.

    Example: ccus-kg push --endpoint http://127.0.0.1:7878/store
    """
    check_http_url(endpoint, "--endpoint")  # a usage error before any work, and never file: or the like
    if graph is not None:
        check_http_url(graph, "--graph")
    from kg.build import load
    from kg.store import push

    kg = load(seeds, base)
    report = kg.validate()
    if not report.conforms and not allow_invalid:
        raise DataError(f"{report.counts()['violation']} violation(s) in {seeds}: nothing pushed", report.findings)
    sent = push(kg, endpoint, graph)
    out.print(f"pushed {sent} triples into <{graph or kg.minter.graph()}> at {endpoint}")
