"""Exports: deterministic bytes, valid for independent parsers, isomorphic across formats."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import to_isomorphic

from kg.build import load
from kg.cli import main
from kg.errors import ExportError
from kg.export import FORMATS, ntriples, serialize, turtle, with_schemes

from .conftest import FIXTURES, REFERENCE_COPY, SEEDS

GOLDEN = FIXTURES / "golden" / "cn-miit-industrial-plan-2022.ttl"
OX_FORMAT = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "trig": ox.RdfFormat.TRIG,
             "xml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD}
RDFLIB_FORMAT = {"ttl": "turtle", "nt": "nt", "trig": "trig", "xml": "xml", "jsonld": "json-ld"}


@pytest.fixture(scope="module")
def reference_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reference")
    shutil.copy(REFERENCE_COPY / "cn-miit-industrial-plan-2022.md", folder)
    return folder


def test_reference_turtle_matches_the_golden_file_byte_for_byte(reference_only: Path) -> None:
    assert turtle(load(reference_only).triples) == GOLDEN.read_text(encoding="utf-8")


def _graph_of(text: str, fmt: str) -> Graph:
    if fmt != "trig":
        return Graph().parse(data=text, format=RDFLIB_FORMAT[fmt])
    dataset = Dataset()
    dataset.parse(data=text, format="trig")
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_parses_independently_to_the_same_graph(fmt: str, bilingual: Path) -> None:
    kg = load(bilingual)
    text = serialize(kg.triples, fmt)
    quads = list(ox.parse(text.encode("utf-8"), format=OX_FORMAT[fmt]))
    assert len({(q.subject, q.predicate, q.object) for q in quads}) == len(set(kg.triples))
    expected = Graph()
    for t in kg.triples:
        expected.add(t)
    assert to_isomorphic(_graph_of(text, fmt)) == to_isomorphic(expected)


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_runs_give_identical_bytes_across_hash_seeds(fmt: str, bilingual: Path, tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"{seed}.{fmt}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "kg", "export", "--seeds", str(bilingual), "--format", fmt,
                        "-o", str(out)], check=True, env=env, capture_output=True)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def _bilingual_titles(seeds: Path) -> list[tuple[str, int]]:
    """(policy IRI, number of languages among en and zh of its titles) from the exported Turtle."""
    result = CliRunner().invoke(main, ["export", "--seeds", str(seeds), "--format", "ttl"])
    assert result.exit_code == 0, result.output
    g = Graph().parse(data=result.stdout, format="turtle")
    return sorted((str(r[0]), int(r[1])) for r in g.query("""
        PREFIX ccus: <https://w3id.org/ccus-kg/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?p (COUNT(DISTINCT LANG(?t)) AS ?langs) WHERE {
          ?p a ccus:Policy ; dcterms:title ?t . FILTER(LANG(?t) IN ("en", "zh"))
        } GROUP BY ?p"""))


def test_hub_export_has_76_bilingual_policies(hub: Path) -> None:
    rows = _bilingual_titles(hub)
    assert len(rows) == 76
    assert {langs for _, langs in rows} == {2}


def test_shipped_hub_like_export_has_its_7_bilingual_policies() -> None:
    from .fixtures_hub import POLICIES

    assert _bilingual_titles(POLICIES) == [(f"https://w3id.org/ccus-kg/id/policy/{pid}", 2) for pid in [
        "au-baseline-scheme", "ca-capture-credit", "ca-reduction-plan", "cn-ets-pilot", "eu-storage-directive",
        "my-tax-allowance", "ng-flaring-rule-2023"]]


def test_ntriples_escapes_control_characters() -> None:
    s = URIRef("https://w3id.org/ccus-kg/id/policy/x")
    text = ntriples([(s, URIRef("https://w3id.org/ccus-kg/ontology#description"),
                      Literal('a "quoted"\r\nline\\', lang="en"))])
    assert text == ('<https://w3id.org/ccus-kg/id/policy/x> <https://w3id.org/ccus-kg/ontology#description> '
                    '"a \\"quoted\\"\\r\\nline\\\\"@en .\n')
    assert len(list(ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES))) == 1


def test_unknown_format_is_an_export_error() -> None:
    with pytest.raises(ExportError, match="unknown format 'csv'"):
        serialize([], "csv")


def test_export_cli_writes_a_file_atomically(tmp_path: Path, reference_only: Path) -> None:
    out = tmp_path / "dump.ttl"
    result = CliRunner().invoke(main, ["export", "--seeds", str(reference_only), "-o", str(out)])
    assert result.exit_code == 0, result.output
    # The golden data and the SKOS schemes beside it: a dump that validates on its own.
    assert out.read_text(encoding="utf-8") == turtle(with_schemes(load(reference_only).triples))
    assert GOLDEN.read_text(encoding="utf-8").split("\n\n", 1)[1] in out.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["dump.ttl"]  # no temp file left behind


def test_streamed_and_spliceable_writers_give_the_same_bytes(tmp_path: Path) -> None:
    """dump() streams Turtle; the block functions the incremental build splices with rebuild each dump."""
    from kg.export import dump, jsonld_blocks, nt_blocks, nt_lines, turtle_blocks

    triples = load(SEEDS).triples
    dump(triples, "ttl", tmp_path / "seeds.ttl")
    assert (tmp_path / "seeds.ttl").read_bytes() == turtle(triples).encode("utf-8")
    # N-Triples spliced per subject is the plain sort of every distinct line (">" sorts after "/").
    assert ntriples(triples) == "".join(sorted({line + "\n" for line in nt_lines(triples)}))
    assert set(jsonld_blocks(triples)) == set(nt_blocks(triples)) == set(turtle_blocks(triples))  # @id -> subject
