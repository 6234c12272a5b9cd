"""The named query library: exact rows on a fixture corpus, both engines, safe parameters, the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from kg.build import KnowledgeGraph, load
from kg.cli import main
from kg.errors import QueryError
from kg.export import ntriples
from kg.queries import bind, catalogue, run
from kg.results import plain, to_csv, to_json, to_tsv
from kg.sparql import GraphSource, Result

from .conftest import FIXTURES, ROOT, SEEDS, minimal_record, write_record
from .fixtures_queries import query_corpus

QUERIES = catalogue()
# Parameters for the fixture corpus, and the exact rows each query must return there.
CASES: dict[str, tuple[dict[str, str], list[tuple[str, ...]]]] = {
    "bilingual-coverage": ({}, [("ca-ab-ccs-2010", "en", "zh"), ("no-storage-2010", "en", "zh"),
                                ("no-storage-2014", "en", "zh")]),
    "cluster-members": ({"cluster": "north sea storage"}, [
        ("gb-energy-act-2008", "GB", "2008-11-26", "Active"), ("no-storage-2010", "NO", "2010-06-01", "Superseded"),
        ("no-storage-2014", "NO", "2014-12-19", "Active")]),
    "coverage-matrix": ({}, [("CA-AB", "0", "0", "1", "0", "0", "0", "0", "0", "1"),
                             ("GB", "0", "0", "1", "0", "0", "0", "0", "0", "1"),
                             ("NO", "0", "0", "2", "0", "0", "0", "0", "0", "2")]),
    "current-version": ({"id": "no-storage-2010"}, [
        ("no-storage-2014", "Storage Regulations 2014@en", "2014-12-19", "Active")]),
    "dangling-references": ({}, [("ca-ab-ccs-2010", "supersedes", "ca-ghost-2000")]),
    "jurisdiction-comparison": ({}, [("CA-AB", "1", "mrv", "1", "50"), ("GB", "1", "strategic", "1", "90"),
                                     ("NO", "2", "mrv", "2", "70"), ("NO", "2", "statutory", "2", "80")]),
    "jurisdiction-timeline": ({"jurisdiction": "CA"}, [("2010-12-02", "ca-ab-ccs-2010", "Active", "")]),
    "legal-weight-distribution": ({}, [("CA-AB", "", "Fiscal Incentive", "1"), ("GB", "1", "Primary Legislation", "1"),
                                       ("NO", "2", "Regulation", "2")]),
    "lineage-chain": ({"id": "no-storage-2014"}, [
        ("no-storage-2010", "predecessor", "2010-06-01", "Storage Regulations 2010@en"),
        ("no-storage-2014", "self", "2014-12-19", "Storage Regulations 2014@en")]),
    "lineage-nodes": ({}, [
        ("ca-ab-ccs-2010", "Carbon Capture and Storage Statutes Amendment Act, 2010@en", "CA-AB", "CA", "2010-12-02",
         "Active", "", "true", "false", "false"),  # its legal weight 'Fiscal Incentive' maps to no concept
        ("gb-energy-act-2008", "Energy Act 2008@en", "GB", "GB", "2008-11-26", "Active", "Primary Legislation",
         "true", "false", "false"),
        ("no-storage-2010", "Storage Regulations 2010@en", "NO", "NO", "2010-06-01", "Superseded", "Regulation",
         "true", "false", "false"),
        ("no-storage-2014", "Storage Regulations 2014@en", "NO", "NO", "2014-12-19", "Active", "Regulation",
         "true", "false", "false")]),
    "lineage-edges": ({}, [("ca-ghost-2000", "ca-ab-ccs-2010", "supersedes", "ca-ghost-2000"),
                           ("no-storage-2010", "no-storage-2014", "supersedes", "")]),
    "lineage-clusters": ({}, [("ca-ab-ccs-2010", "alberta-ccs-framework", "Alberta CCS Framework"),
                              ("gb-energy-act-2008", "north-sea-storage", "North Sea Storage"),
                              ("no-storage-2010", "north-sea-storage", "North Sea Storage"),
                              ("no-storage-2014", "north-sea-storage", "North Sea Storage")]),
    "lineage-milestones": ({}, [("no-storage-2014", "1", "2014-12-19", "adopted", "Adopted by royal decree."),
                                ("no-storage-2014", "2", "2015-01", "in-force", "In force.")]),
    # adopted on 2014-12-19 but in force from January 2015: the 2010 regulations still apply that day
    "in-force": ({"date": "2014-12-19", "jurisdiction": "NO"}, [
        ("no-storage-2010", "Storage Regulations 2010@en", "NO", "2010-06-01", "")]),
    "policy-ids": ({}, [("ca-ab-ccs-2010",), ("gb-energy-act-2008",), ("no-storage-2010",), ("no-storage-2014",)]),
    "policies-by-jurisdiction": ({"jurisdiction": "NO", "status": "Active"}, [
        ("no-storage-2014", "Storage Regulations 2014@en", "2014-12-19", "Active", "Storage")]),
    "rank-by-dimension": ({"dimension": "mrv"}, [("no-storage-2010", "80", "NO", ""),
                                                 ("no-storage-2014", "60", "NO", "Art. 3@en"),
                                                 ("ca-ab-ccs-2010", "50", "CA-AB", "s. 116@en")]),
    "regulatory-gaps": ({"pillar": "financialAssurance"}, [("CA-AB", "financialAssurance"),
                                                          ("GB", "financialAssurance")]),
    "regulatory-matrix": ({}, [("CA-AB", "0", "0", "0", "0", "1", "0", "1"), ("GB", "0", "0", "0", "0", "1", "0", "1"),
                               ("NO", "0", "0", "1", "0", "1", "0", "0")]),
    "review-queue": ({"auditedBefore": "2026-01-01"}, [
        ("ca-ab-ccs-2010", "never audited", ""), ("ca-ab-ccs-2010", "not verified", "unverified"),
        ("gb-energy-act-2008", "not verified", "draft"), ("no-storage-2010", "audit due", "2025-01-01"),
        ("no-storage-2014", "AI-authored", "Gemini Intelligence"), ("no-storage-2014", "not verified", "unverified")]),
    "strong-claims-weak-evidence": ({}, [("gb-energy-act-2008", "strategic", "90"), ("no-storage-2010", "mrv", "80")]),
    "instrument-scope": ({"jurisdiction": "NO"}, [("no-storage-2010", "NO", "Storage", "liability_transfer"),
                                                  ("no-storage-2014", "NO", "Storage", "financial_assurance")]),
    "pillar-coverage": ({}, [("CA-AB", "liability_transfer", "1", "ca-ab-ccs-2010"),
                             ("CA-AB", "pore_space_rights", "1", "ca-ab-ccs-2010"),
                             ("GB", "liability_transfer", "1", "gb-energy-act-2008"),
                             ("GB", "pore_space_rights", "1", "gb-energy-act-2008"),
                             ("NO", "financial_assurance", "1", "no-storage-2014"),
                             ("NO", "liability_transfer", "1", "no-storage-2010")]),
    # This fixture has no facilities: the facility queries' exact rows are asserted on a content root with
    # facilities, on both engines, in tests/test_landscape.py.
    "facility-policies": ({"id": "no-facility", "date": "2024-01-01"}, []),
    "facilities-by-policy": ({"policy": "no-storage-2014"}, []),
    "operating-capacity": ({}, []),
    "link-disagreements": ({}, []),
}

# The typed legal relationships, on the corpus of tests/fixtures/relations (see test_in_force.py).
RELATION_CASES: dict[str, list[tuple[dict[str, str], list[tuple[str, ...]]]]] = {
    "amendment-history": [({"id": "no-storage-act-2001"}, [
        ("no-storage-amendment-2005", "Storage (Amendment) Act 2005 (test)@en", "2005-05-10", "2006-01-01"),
        ("no-storage-amendment-2010", "Storage (Amendment) Act 2010 (test)@en", "2010-02-01", "2010-02-01"),
        ("no-storage-amendment-2015", "Storage (Temporary Measures) Act 2015 (test)@en", "2015-06-01", "2015-06-01"),
        ("no-storage-amendment-2024", "Storage (Amendment) Act 2024 (test)@en", "2024-03-01", "2026-07-01"),
        ("no-storage-bill-2026", "Storage (Amendment) Bill 2026 (test)@en", "2026-01-15", "")]),  # a draft
        ({"id": "int-protocol-1996"}, [
            ("int-protocol-amendment-2006", "Amendment to Annex 1 of the Storage Protocol 2006 (test)@en", "2006-11-02",
             "2007-02-10"),
            ("int-protocol-amendment-2009", "Amendment to Article 6 of the Storage Protocol 2009 (test)@en",
             "2009-10-30", "")])],  # provisionally applied only
    "transpositions": [({"id": "eu-storage-directive-2009"}, [
        ("DK", "dk-storage-transposition-2011", "Storage Transposition Act 2011 (test)@en", "2011-06-01", "2011-06-01"),
        ("DK", "dk-storage-act-2016", "Storage Act 2016 (test)@en", "2016-01-01", "2016-07-01")])],
    "implementing-instruments": [({"id": "no-storage-act-2001"}, [
        ("no-storage-regulations-2002", "Storage Regulations 2002 (test)@en", "NO", "2002-01-01", "2002-01-01")])],
    "as-amended": [
        ({"id": "no-storage-act-2001", "date": "2017-01-01"}, [
            ("no-storage-act-2001", "instrument", "Storage Act 2001 (test)@en", "2001-03-01", "true"),
            ("no-storage-amendment-2005", "amendment", "Storage (Amendment) Act 2005 (test)@en", "2005-05-10", "true"),
            ("no-storage-amendment-2010", "amendment", "Storage (Amendment) Act 2010 (test)@en", "2010-02-01", "true"),
            ("no-storage-amendment-2015", "amendment", "Storage (Temporary Measures) Act 2015 (test)@en",
             "2015-06-01", "true")]),
        ({"id": "no-storage-act-2001", "date": "2026-07-01"}, [
            ("no-storage-act-2001", "instrument", "Storage Act 2001 (test)@en", "2001-03-01", "true"),
            ("no-storage-amendment-2005", "amendment", "Storage (Amendment) Act 2005 (test)@en", "2005-05-10", "true"),
            ("no-storage-amendment-2010", "amendment", "Storage (Amendment) Act 2010 (test)@en", "2010-02-01", "true"),
            ("no-storage-amendment-2024", "amendment", "Storage (Amendment) Act 2024 (test)@en", "2024-03-01",
             "true")]),
        ({"id": "no-storage-act-2001", "date": "2001-06-30"}, [  # passed, not yet in force
            ("no-storage-act-2001", "instrument", "Storage Act 2001 (test)@en", "2001-03-01", "false")]),
        ({"id": "int-protocol-1996", "date": "2020-01-01"}, [
            ("int-protocol-1996", "instrument", "Storage Protocol 1996 (test)@en", "1996-11-07", "true"),
            ("int-protocol-amendment-2006", "amendment", "Amendment to Annex 1 of the Storage Protocol 2006 (test)@en",
             "2006-11-02", "true")])],
}


def numeric(text: str) -> str:
    """Engines print a decimal mean as 70, 70.0 or 70.0E0: compare the number."""
    return re.sub(r"^(\d+)(\.0+)?(E0)?$", r"\1", text)


@pytest.fixture(scope="module")
def fixture_kg(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    return load(query_corpus(tmp_path_factory.mktemp("queries")))


@pytest.fixture(scope="module")
def oxigraph(fixture_kg: KnowledgeGraph) -> ox.Store:
    store = ox.Store()
    store.load(ntriples(fixture_kg.graph()).encode(), ox.RdfFormat.N_TRIPLES)
    return store


def rows_of(result: Result) -> list[tuple[str, ...]]:
    return [tuple(numeric(plain(v)) for v in row) for row in result.rows]


def test_at_least_twelve_queries_each_with_a_case() -> None:
    assert len(QUERIES) >= 12
    assert set(CASES) | set(RELATION_CASES) <= set(QUERIES)
    assert set(QUERIES) - set(CASES) - set(RELATION_CASES) == set()


@pytest.fixture(scope="module")
def relations() -> dict[str, object]:
    graph = load(FIXTURES / "relations").graph()
    store = ox.Store()
    store.load(ntriples(graph).encode(), ox.RdfFormat.N_TRIPLES)
    return {"rdflib": GraphSource(graph), "oxigraph": store}


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("name", sorted(RELATION_CASES))
def test_relation_queries_return_exactly_the_expected_rows_on_both_engines(
        name: str, engine: str, relations: dict[str, object]) -> None:
    for params, expected in RELATION_CASES[name]:
        text = bind(QUERIES[name], params)
        if engine == "rdflib":
            rows = rows_of(relations["rdflib"].query(text))  # type: ignore[attr-defined]
        else:
            result = relations["oxigraph"].query(text)  # type: ignore[attr-defined]
            names = [v.value for v in result.variables]
            rows = [tuple(numeric(_ox_plain(s[v])) for v in names) for s in result]
        assert rows == expected, params


@pytest.mark.parametrize("name", sorted(CASES))
def test_query_returns_exactly_the_expected_rows(name: str, fixture_kg: KnowledgeGraph) -> None:
    params, expected = CASES[name]
    assert rows_of(run(fixture_kg.source(), QUERIES[name], params)) == expected


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_rdflib_and_oxigraph_agree(name: str, fixture_kg: KnowledgeGraph, oxigraph: ox.Store) -> None:
    params = CASES.get(name, ({}, []))[0] or QUERIES[name].examples()
    text = bind(QUERIES[name], params)
    ours = rows_of(GraphSource(fixture_kg.graph()).query(text))
    theirs = [tuple(numeric(_ox_plain(s[v])) for v in [x.value for x in oxigraph.query(text).variables])
              for s in oxigraph.query(text)]
    assert sorted(ours) == sorted(theirs)


def test_pillar_coverage_gives_one_row_per_instrument_with_the_count_on_each(tmp_path: Path) -> None:
    # Two Norwegian instruments address liability transfer (one of them in English and Chinese): two rows,
    # each saying 2, the same on both engines; a list of ids in one cell had no order SPARQL fixes.
    write_record(tmp_path / "en", minimal_record("no-a-2014", regulatory={
        "liability_transfer": "To the State", "pore_space_rights": "The State"}))
    write_record(tmp_path / "en", minimal_record("no-b-2014", regulatory={"liability_transfer": "After 20 years"}))
    write_record(tmp_path / "zh", minimal_record("no-b-2014", title="条例", country="挪威", status="现行",
                                                 regulatory={"liability_transfer": "二十年后"}))
    write_record(tmp_path / "en", minimal_record("no-c-2014"))
    write_record(tmp_path / "en", minimal_record("gb-d-2014", country="United Kingdom",
                                                 regulatory={"liability_transfer": "After closure"}))
    graph = load(tmp_path).graph()
    store = ox.Store()
    store.load(ntriples(graph).encode(), ox.RdfFormat.N_TRIPLES)
    for params, expected in [
        ({}, [("GB", "liability_transfer", "1", "gb-d-2014"), ("NO", "liability_transfer", "2", "no-a-2014"),
              ("NO", "liability_transfer", "2", "no-b-2014"), ("NO", "pore_space_rights", "1", "no-a-2014")]),
        ({"jurisdiction": "NO"}, [("NO", "liability_transfer", "2", "no-a-2014"),
                                  ("NO", "liability_transfer", "2", "no-b-2014"),
                                  ("NO", "pore_space_rights", "1", "no-a-2014")])]:
        text = bind(QUERIES["pillar-coverage"], params)
        assert rows_of(GraphSource(graph).query(text)) == expected
        result = store.query(text)
        names = [v.value for v in result.variables]
        assert names == ["code", "pillar", "instruments", "id"]
        assert [tuple(numeric(_ox_plain(s[v])) for v in names) for s in result] == expected


def _ox_plain(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return f"{term.value}@{term.language}" if term.language else term.value
    return term.value  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_runs_with_its_examples_on_the_seeds(name: str) -> None:
    result = run(load(SEEDS).source(), QUERIES[name], QUERIES[name].examples())
    assert result.kind == "select"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_runs_with_its_examples_on_the_hub(name: str, hub: Path) -> None:
    result = run(_hub_source(hub), QUERIES[name], QUERIES[name].examples())
    assert result.kind == "select"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_runs_with_its_examples_on_the_shipped_bilingual_corpus(name: str) -> None:
    from .fixtures_hub import HUB_LIKE

    result = run(_hub_source(HUB_LIKE), QUERIES[name], QUERIES[name].examples())
    assert result.kind == "select"


_HUB: dict[Path, GraphSource] = {}


def _hub_source(hub: Path) -> GraphSource:
    if hub not in _HUB:
        _HUB[hub] = load(hub).source()
    return _HUB[hub]


def test_every_query_has_a_header_and_a_documented_parameter_list() -> None:
    for query in QUERIES.values():
        assert query.title and query.description, query.name
        for param in query.params:
            assert param.help and param.example is not None, (query.name, param.name)
            assert f"?{param.name}" in query.text.split("\n", len(query.params) + 3)[-1]


def test_every_query_is_named_in_a_test() -> None:
    tests = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    assert [n for n in QUERIES if f'"{n}"' not in tests] == []


def test_sparql_syntax_in_a_string_parameter_is_a_plain_value(fixture_kg: KnowledgeGraph) -> None:
    evil = 'x" } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #'
    text = bind(QUERIES["policies-by-jurisdiction"], {"jurisdiction": evil})
    assert 'VALUES (?jurisdiction ?status) { ("x\\" } ; DROP ALL' in text
    assert run(fixture_kg.source(), "policies-by-jurisdiction", {"jurisdiction": evil}).rows == []
    assert len(fixture_kg.graph()) == len(load(query_corpus_path(fixture_kg)).graph())


def query_corpus_path(kg: KnowledgeGraph) -> Path:
    return kg.corpus.root


@pytest.mark.parametrize(("params", "message"), [
    ({"jurisdiction": "NO", "colour": "red"}, "has no parameter colour"),
    ({}, "needs --param jurisdiction=VALUE"),
])
def test_unknown_and_missing_parameters(params: dict[str, str], message: str, fixture_kg: KnowledgeGraph) -> None:
    with pytest.raises(QueryError, match=message):
        run(fixture_kg.source(), "policies-by-jurisdiction", params)


@pytest.mark.parametrize(("name", "params", "message"), [
    ("review-queue", {"auditedBefore": "2026-13-01"}, "auditedBefore must be xsd:date, got '2026-13-01'"),
    ("strong-claims-weak-evidence", {"minScore": "seventy"}, "minScore must be xsd:integer, got 'seventy'"),
])
def test_ill_typed_parameters(name: str, params: dict[str, str], message: str, fixture_kg: KnowledgeGraph) -> None:
    with pytest.raises(QueryError, match=re.escape(message)):
        run(fixture_kg.source(), name, params)


def test_typed_binding_is_a_typed_term() -> None:
    text = bind(QUERIES["review-queue"], {"auditedBefore": "2026-01-01"})
    assert '("2026-01-01"^^<http://www.w3.org/2001/XMLSchema#date>)' in text


def test_result_formats(fixture_kg: KnowledgeGraph) -> None:
    result = run(fixture_kg.source(), "current-version", {"id": "no-storage-2010"})
    data = json.loads(to_json(result))
    assert data["head"]["vars"] == ["current", "title", "issued", "statusName"]
    assert data["results"]["bindings"][0]["title"] == {"type": "literal", "value": "Storage Regulations 2014",
                                                       "xml:lang": "en"}
    assert data["results"]["bindings"][0]["issued"]["datatype"] == "http://www.w3.org/2001/XMLSchema#date"
    assert to_csv(result).splitlines()[1] == "no-storage-2014,Storage Regulations 2014,2014-12-19,Active"
    assert to_tsv(result).splitlines()[1] == ('"no-storage-2014"\t"Storage Regulations 2014"@en\t'
                                              '"2014-12-19"^^<http://www.w3.org/2001/XMLSchema#date>\t"Active"')
    ask = Result("ask", boolean=True)
    assert json.loads(to_json(ask)) == {"head": {}, "boolean": True}
    assert isinstance(URIRef("x"), URIRef) and isinstance(Literal(1), Literal)


def test_cli_runs_by_name_file_and_stdin(tmp_path: Path, fixture_kg: KnowledgeGraph) -> None:
    seeds = str(fixture_kg.corpus.root)
    runner = CliRunner()
    by_name = runner.invoke(main, ["query", "current-version", "--seeds", seeds, "-p", "id=no-storage-2010",
                                   "--format", "csv"])
    assert by_name.exit_code == 0, by_name.output
    assert by_name.stdout.splitlines()[1] == "no-storage-2014,Storage Regulations 2014,2014-12-19,Active"
    rq = tmp_path / "mine.rq"
    rq.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/ccus-kg/ontology#Policy> }")
    by_file = runner.invoke(main, ["query", str(rq), "--seeds", seeds, "--format", "json"])
    assert json.loads(by_file.stdout)["results"]["bindings"][0]["n"]["value"] == "4"
    by_stdin = runner.invoke(main, ["query", "-", "--seeds", seeds, "--format", "md"], input=rq.read_text())
    assert by_stdin.stdout == "| n |\n| --- |\n| 4 |\n"
    construct = runner.invoke(main, ["query", "-", "--seeds", seeds, "--format", "nt"],
                              input="CONSTRUCT WHERE { ?p <https://w3id.org/ccus-kg/ontology#supersedes> ?q }")
    assert construct.stdout.count(" .\n") == 2


@pytest.mark.parametrize(("args", "message"), [
    (["query", "no-such-query"], "no query named 'no-such-query'"),
    (["query", "current-versio"], "did you mean current-version?"),
    (["query", "current-version", "-p", "idno-storage-2010"], "is not name=value"),
    (["query", "-", "--format", "csv"], "SPARQL syntax error at line 1, column"),
])
def test_cli_errors_exit_2_without_traceback(args: list[str], message: str, fixture_kg: KnowledgeGraph) -> None:
    result = CliRunner().invoke(main, [*args, "--seeds", str(fixture_kg.corpus.root)], input="SELECT ?x WHERE { ?x }")
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_list_json() -> None:
    result = CliRunner().invoke(main, ["query", "--list", "--format", "json"])
    listing = json.loads(result.stdout)
    assert [q["name"] for q in listing] == sorted(QUERIES)
    review = next(q for q in listing if q["name"] == "review-queue")
    assert review["params"] == [{"name": "auditedBefore", "type": "xsd:date", "required": True,
                                 "help": "Audits older than this date are due", "example": "2026-01-01",
                                 "default": None}]


@pytest.mark.parametrize("name", ["lineage-nodes", "lineage-clusters", "lineage-milestones", "lineage-edges"])
def test_rows_as_text_are_the_same_from_rdflib_and_from_oxigraph_without_rdflib_terms(
        name: str, relations: dict[str, object]) -> None:
    """What lineage reads: an IRI, a literal's lexical form, "" unbound; Oxigraph gives it without rdflib."""
    from kg.queries import text_rows
    from kg.store import OxigraphSource

    memory = text_rows(relations["rdflib"], name)  # type: ignore[arg-type]
    oxigraph = text_rows(OxigraphSource(relations["oxigraph"]), name)  # type: ignore[arg-type]
    assert sorted(map(sorted, (r.items() for r in memory))) == sorted(map(sorted, (r.items() for r in oxigraph)))
    assert memory or name == "lineage-clusters"  # the fixture has no cluster
    assert all(isinstance(v, str) and type(v) is str for row in oxigraph for v in row.values())


def test_a_named_query_is_read_from_its_own_file(tmp_path: Path) -> None:
    """Running one query does not parse the others (a malformed header elsewhere is not its problem)."""
    from kg.queries import named

    (tmp_path / "good.rq").write_text("# title: Good\nSELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    (tmp_path / "bad.rq").write_text("# param: nonsense\nSELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    assert named("good", tmp_path).title == "Good"
    with pytest.raises(QueryError, match=r"bad\.rq:1: a param header reads"):
        named("bad", tmp_path)
    (tmp_path / "bad.rq").unlink()
    with pytest.raises(QueryError, match=r"^no query named 'missing'$"):
        named("missing", tmp_path)
