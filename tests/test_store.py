"""Stores and push: rdflib, embedded Oxigraph and a real `oxigraph serve` give the same answers."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import load
from kg.cli import main
from kg.errors import StoreError
from kg.queries import catalogue, run
from kg.results import plain
from kg.store import (
    OxigraphSource,
    RemoteSource,
    StoreSpec,
    auth_headers,
    open_store,
    parse_results_json,
    push,
    query_form,
)

from .fixtures_queries import query_corpus
from .test_queries import CASES, numeric

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving_oxigraph(location: Path) -> Iterator[str]:
    """A real Oxigraph server on 127.0.0.1 over ``location``, its base URL while the block runs."""
    assert Path(OXIGRAPH).exists(), "the oxigraph server comes with the test extra (pip install '.[test]')"
    port = free_port()
    process = subprocess.Popen([OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                                "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                detail = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"oxigraph did not start: {detail}") from None
            time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server on 127.0.0.1, stopped at the end of the module."""
    with serving_oxigraph(tmp_path_factory.mktemp("oxigraph-server")) as url:
        yield url


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return query_corpus(tmp_path_factory.mktemp("store-corpus"))


def count(url: str) -> int:
    result = RemoteSource(url + "/query").query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(result.rows[0][0])


def rows(source: object, name: str) -> list[tuple[str, ...]]:
    params = CASES.get(name, ({}, []))[0] or catalogue()[name].examples()
    result = run(source, name, params)  # type: ignore[arg-type]
    return sorted(tuple(numeric(plain(v)) for v in row) for row in result.rows)


def test_push_then_every_named_query_answers_the_same_on_all_three_stores(
        oxigraph_server: str, corpus: Path, tmp_path: Path) -> None:
    # The query corpus has a dangling reference on purpose (a violation): push it anyway.
    result = CliRunner().invoke(main, ["push", "--endpoint", oxigraph_server + "/store", "--seeds", str(corpus),
                                       "--allow-invalid"])
    assert result.exit_code == 0, result.output
    memory = open_store("memory", corpus)
    embedded = open_store(f"oxigraph:{tmp_path / 'store'}", corpus)
    remote = open_store(f"sparql:{oxigraph_server}/query", corpus)
    for name in sorted(catalogue()):
        expected = rows(memory, name)
        assert rows(embedded, name) == expected, name
        assert rows(remote, name) == expected, name


def test_pushing_twice_leaves_the_same_triples(oxigraph_server: str, corpus: Path) -> None:
    kg = load(corpus)
    sent = push(kg, oxigraph_server + "/store")
    first = count(oxigraph_server)
    assert push(kg, oxigraph_server + "/store") == sent
    assert count(oxigraph_server) == first == sent


def test_failed_push_exits_non_zero_and_leaves_the_graph_intact(oxigraph_server: str, corpus: Path) -> None:
    kg = load(corpus)
    push(kg, oxigraph_server + "/store")
    before = count(oxigraph_server)
    result = CliRunner().invoke(main, ["push", "--endpoint", oxigraph_server + "/no-such-path",
                                       "--seeds", str(corpus), "--allow-invalid"])
    assert result.exit_code == 2
    assert "refused the push (404)" in result.stderr
    with pytest.raises(StoreError, match="cannot reach the graph store"):
        push(kg, f"http://127.0.0.1:{free_port()}/store", timeout=2)
    assert count(oxigraph_server) == before


def test_push_refuses_invalid_data(oxigraph_server: str, tmp_path: Path) -> None:
    from .conftest import minimal_record, write_record

    write_record(tmp_path, minimal_record("no-a-2014", year=2015))
    result = CliRunner().invoke(main, ["push", "--endpoint", oxigraph_server + "/store", "--seeds", str(tmp_path)])
    assert result.exit_code == 1
    assert "nothing pushed" in result.stderr
    assert "year 2015 differs" in result.stderr


def test_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CCUS_KG_TOKEN", "CCUS_KG_USER", "CCUS_KG_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    assert auth_headers() == {}
    monkeypatch.setenv("CCUS_KG_USER", "ana")
    monkeypatch.setenv("CCUS_KG_PASSWORD", "s3cret")
    assert auth_headers() == {"Authorization": "Basic YW5hOnMzY3JldA=="}
    monkeypatch.setenv("CCUS_KG_TOKEN", "tok")
    assert auth_headers() == {"Authorization": "Bearer tok"}
    options = {opt for p in main.commands["push"].params for opt in getattr(p, "opts", [])}
    assert not {o for o in options if "pass" in o or "token" in o or "user" in o}


def test_embedded_store_reloads_only_when_the_seeds_change(corpus: Path, tmp_path: Path) -> None:
    work = tmp_path / "seeds"
    shutil.copytree(corpus, work)
    path = tmp_path / "store"
    out = tmp_path / "build"
    first = OxigraphSource.from_seeds(path, work, out=out)
    n = len(first.store)
    stamp = (path / "manifest.json").read_text()
    del first
    said: list[str] = []
    again = OxigraphSource.from_seeds(path, work, out=out, say=said.append)
    assert len(again.store) == n and (path / "manifest.json").read_text() == stamp
    assert said == [f"answered from {path} (current for 5 record files)"]
    del again
    (work / "en" / "ca-ab-ccs-2010.md").unlink()
    smaller = OxigraphSource.from_seeds(path, work, out=out)
    assert len(smaller.store) < n


@pytest.mark.parametrize(("text", "message"), [
    ("postgres:x", "--store must be build, memory, oxigraph:PATH or sparql:QUERY_URL"),
    ("sparql:ftp://x", "--store sparql: must be an http"),
    ("oxigraph:", "--store must be build, memory"),
])
def test_bad_store_spec(text: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        StoreSpec.parse(text)


def test_query_cli_on_each_store(oxigraph_server: str, corpus: Path, tmp_path: Path) -> None:
    push(load(corpus), oxigraph_server + "/store")
    outputs = []
    for store in ("build", "memory", f"oxigraph:{tmp_path / 'cli-store'}", f"sparql:{oxigraph_server}/query"):
        result = CliRunner().invoke(main, ["query", "current-version", "--seeds", str(corpus), "--store", store,
                                           "-p", "id=no-storage-2010", "--format", "csv"])
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] == outputs[2] == outputs[3]
    assert outputs[0].splitlines()[1] == "no-storage-2014,Storage Regulations 2014,2014-12-19,Active"


def test_remote_errors_are_clean(oxigraph_server: str) -> None:
    from kg.errors import QueryError

    with pytest.raises(QueryError, match="answered 400"):
        RemoteSource(oxigraph_server + "/query").query("SELECT ?x WHERE { ?x }")
    with pytest.raises(StoreError, match="cannot reach the endpoint"):
        RemoteSource(f"http://127.0.0.1:{free_port()}/query", timeout=2).query("ASK {}")


def test_lineage_in_force_and_analyze_answer_the_same_on_each_store(oxigraph_server: str, corpus: Path,
                                                                     tmp_path: Path) -> None:
    push(load(corpus), oxigraph_server + "/store")
    answers = []
    for store in ("build", "memory", f"oxigraph:{tmp_path / 'lineage-store'}", f"sparql:{oxigraph_server}/query"):
        common = ["--seeds", str(corpus), "--store", store, "--format", "json"]
        runs = [CliRunner().invoke(main, args + common) for args in (
            ["lineage", "no-storage-2010"], ["in-force", "--date", "2015-02-01"], ["analyze"])]
        assert all(r.exit_code == 0 for r in runs), [r.output for r in runs]
        answers.append([r.stdout for r in runs])
    assert answers[0] == answers[1] == answers[2] == answers[3]
    assert '"current": [\n    "no-storage-2014"\n  ]' in answers[0][0]


@pytest.mark.parametrize(("text", "form"), [
    ("SELECT ?s WHERE { ?s ?p ?o }", "SELECT"),
    ("# title: x\nPREFIX ccus: <https://w3id.org/ccus-kg/ontology#>\nprefix : <urn:x>\nBASE <urn:b>\n construct {}",
     "CONSTRUCT"),
    ("PREFIX x: <urn:a>\n# a comment naming SELECT\nDESCRIBE <urn:x>", "DESCRIBE"),
    ("ask{}", "ASK"),
    ("INSERT DATA {}", ""),
])
def test_query_form_reads_past_the_prologue(text: str, form: str) -> None:
    assert query_form(text) == form


def test_virtuoso_ask_rows_are_read_as_a_boolean() -> None:
    # Virtuoso 7 answers ASK with a one-variable table instead of {"boolean": ...}.
    true = (b'{"head": {"link": [], "vars": ["__ASK_RETVAL"]}, "results": {"bindings": [{"__ASK_RETVAL": '
            b'{"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "1"}}]}}')
    false = b'{"head": {"link": [], "vars": ["__ASK_RETVAL"]}, "results": {"bindings": []}}'
    assert parse_results_json(true, ask=True).kind == "ask"
    assert parse_results_json(true, ask=True).boolean is True
    assert parse_results_json(false, ask=True).boolean is False
    assert parse_results_json(true).rows != []  # a SELECT that happens to use the name stays a table
    assert parse_results_json(b'{"boolean": false}', ask=True).boolean is False
