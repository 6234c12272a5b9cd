"""SHACL validation: every shape has a failing fixture asserting file, field and severity."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, RDFS, SH, SKOS

from kg.build import load
from kg.cli import main
from kg.errors import Finding, Severity
from kg.iris import Minter, rule_iri
from kg.mapping import Mapped
from kg.namespaces import CCUS, DCTERMS, SHAPES
from kg.records import Corpus, load_corpus
from kg.validation import Report, validate, validate_fast

from .conftest import REFERENCE_COPY, ROOT, minimal_record, write_record
from .fixtures_landscape import facility

M = Minter()
V, W = Severity.VIOLATION, Severity.WARNING


def rec(record_id: str = "no-a-2014", **fields: Any) -> dict[str, Any]:
    return minimal_record(record_id, **fields)


def bilingual(en: dict[str, Any], zh: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {"en": [en], "zh": [zh]}


def run_validation(root: Path, corpus: dict[str, list[dict[str, Any]]] | list[dict[str, Any]],
                   drop: Callable[[tuple], bool] | None = None,
                   replace: dict[tuple, tuple] | None = None) -> list[Finding]:
    """Write the corpus, map it, optionally edit the stated graph, validate."""
    if isinstance(corpus, list):
        corpus = {"": corpus}
    for folder, records in corpus.items():
        for data in records:
            write_record(root / folder if folder else root, data)
    kg = load(root)
    stated = [t for t in kg.mapped.stated if not (drop and drop(t))]
    for old, new in (replace or {}).items():
        stated = [new if t == old else t for t in stated]
    report = validate_fast(kg.corpus, Mapped(stated=stated), M, kg.findings)
    assert report.findings == validate(kg.corpus, Mapped(stated=stated), M, kg.findings).findings
    return report.findings


def rule(finding: Finding) -> str:
    return finding.rule.rsplit("#", 1)[-1]


P = M.policy("no-a-2014")
CASES: dict[str, tuple[Any, ...]] = {
    # shape: (corpus, expected (file suffix, field, severity)[, drop, replace])
    "Policy-identifier": ([rec("no_a")], ("no_a.md", "id", V)),
    "Policy-title": ([rec()], ("no-a-2014.md", "title", V), lambda t: t[1] == DCTERMS.title),
    "Policy-issued": (bilingual(rec(), rec(pubDate="2014-12-20")), ("en/no-a-2014.md", "pubDate", V)),
    "Policy-issued-present": ([{k: v for k, v in rec().items() if k != "pubDate"}],
                              ("no-a-2014.md", "pubDate", W)),
    "Policy-year": (bilingual(rec(), rec(year=2015)), ("en/no-a-2014.md", "year", V)),
    "Policy-url": ([rec(url="ftp://example.org/a")], ("no-a-2014.md", "url", V)),
    "Policy-url-present": ([rec(url="")], ("no-a-2014.md", "url", W)),
    "Policy-status": (bilingual(rec(), rec(status="Repealed")), ("en/no-a-2014.md", "status", V)),
    "Policy-category": (bilingual(rec(), rec(category="Market")), ("en/no-a-2014.md", "category", V)),
    "Policy-legalWeight": (bilingual(rec(), rec(legalWeight="Guidance")),
                           ("en/no-a-2014.md", "legalWeight", V)),
    "Policy-reviewStatus": (bilingual(rec(), rec(reviewStatus="draft")),
                            ("en/no-a-2014.md", "reviewStatus", V)),
    "Policy-jurisdiction": (bilingual(rec(), rec(country="中国")), ("en/no-a-2014.md", "country", V)),
    "Policy-jurisdiction-present": ([rec(country="Atlantis")], ("no-a-2014.md", "country", W)),
    "UnmappedValue": ([rec(legalWeight="Fiscal Incentive")], ("no-a-2014.md", "legalWeight", W)),
    "ValueInRecordLanguage": ([rec(status="现行")], ("no-a-2014.md", "status", W)),
    "YearMatchesIssued": ([rec(year=2015)], ("no-a-2014.md", "year", V)),
    "ActiveNotInFuture": ([rec(pubDate="2999-01-01", year=2999)], ("no-a-2014.md", "pubDate", V)),
    "Provenance-author": ([rec(provenance={"reviewer": "", "lastAuditDate": "2026-11-24"})],
                          ("no-a-2014.md", "provenance.author", W)),
    "Provenance-lastAuditDate": (
        bilingual(rec(), rec(provenance={"author": "ccus-kg project", "lastAuditDate": "2026-11-20"})),
        ("en/no-a-2014.md", "provenance.lastAuditDate", V)),
    "Agent-label": ([rec()], ("no-a-2014.md", "provenance.author", V),
                    lambda t: t[1] == RDFS.label and "/agent/" in str(t[0])),
    "VerifiedWithoutReviewer": ([rec(reviewStatus="verified")], ("no-a-2014.md", "provenance.reviewer", W)),
    "AuditBeforeIssue": ([rec(provenance={"author": "ccus-kg project", "lastAuditDate": "2010-01-01"})],
                         ("no-a-2014.md", "provenance.lastAuditDate", W)),
    "Assessment-score": (bilingual(rec(analysis={"mrv": {"score": 50, "citation": "Art. 1"}}),
                                   rec(analysis={"mrv": {"score": 60, "citation": "Art. 1"}})),
                         ("en/no-a-2014.md", "analysis.mrv.score", V)),
    "Assessment-dimension": ([rec(analysis={"mrv": {"score": 50, "citation": "Art. 1"}})],
                             ("no-a-2014.md", "analysis.mrv", V), lambda t: t[1] == CCUS.dimension),
    "ScoreWithoutCitation": ([rec(analysis={"mrv": {"score": 50, "citation": ""}})],
                             ("no-a-2014.md", "analysis.mrv.citation", W)),
    "AiEvidenceInVerified": ([rec(reviewStatus="verified",
                                  provenance={"author": "ccus-kg project", "reviewer": "Jane Doe",
                                              "lastAuditDate": "2026-11-24"},
                                  analysis={"mrv": {"score": 50, "citation": "Art. 1",
                                                    "evidence": "[AI-Generated] Requires monitoring."}})],
                             ("no-a-2014.md", "analysis.mrv.evidence", W)),
    "Milestone-type": ([rec(evolution={"milestones": [{"date": "2014", "event": "Adopted.", "type": "adopted"},
                                                      {"date": "2020", "event": "Budget.", "type": "budget"}]})],
                       ("no-a-2014.md", "evolution.milestones[1].type", W)),
    "Jurisdiction-notation": ([rec()], ("no-a-2014.md", "country", V), None,
                              {(M.jurisdiction("NO"), SKOS.notation, Literal("NO")):
                               (M.jurisdiction("NO"), SKOS.notation, Literal("Norway"))}),
    "Jurisdiction-label": ([rec()], ("no-a-2014.md", "country", V),
                           lambda t: t[1] == RDFS.label and "/jurisdiction/" in str(t[0])),
    "Cluster-label": ([rec(evolution={"clusters": ["North Sea Storage"]})],
                      ("no-a-2014.md", "evolution.clusters[0]", V),
                      lambda t: t[1] == RDFS.label and "/cluster/" in str(t[0])),
    "LinkTargetExists": ([rec(evolution={"supersedes": ["no-ghost-2000"]})],
                         ("no-a-2014.md", "evolution.supersedes[0]", V)),
    "NoSelfSupersession": ([rec(evolution={"supersedes": ["no-a-2014"]})],
                           ("no-a-2014.md", "evolution.supersedes[0]", V)),
    "NoLineageCycle": ([rec(evolution={"supersedes": ["no-b-2014"], "supersededBy": "no-b-2014"},
                            status="Superseded"),
                        rec("no-b-2014", evolution={"supersedes": ["no-a-2014"], "supersededBy": "no-a-2014"},
                            status="Superseded")],
                       ("no-a-2014.md", "evolution.supersedes[0]", V)),
    "DirectionsAgree": ([rec(evolution={"supersedes": ["no-b-2010"]}),
                         rec("no-b-2010", pubDate="2010-01-01", year=2010, status="Superseded",
                             evolution={"supersededBy": "no-c-2012"}),
                         rec("no-c-2012", pubDate="2012-01-01", year=2012,
                             evolution={"supersedes": ["no-b-2010"]})],
                        ("no-a-2014.md", "evolution.supersedes[0]", V)),
    "DirectionStatedTwice": ([rec(evolution={"supersedes": ["no-b-2010"]}),
                              rec("no-b-2010", pubDate="2010-01-01", year=2010, status="Superseded",
                                  evolution={"supersededBy": ""})],
                             ("no-a-2014.md", "evolution.supersedes[0]", W)),
    "SuccessorNotEarlier": ([rec(evolution={"supersedes": ["no-b-2016"]}),
                             rec("no-b-2016", pubDate="2016-01-01", year=2016, status="Superseded",
                                 evolution={"supersededBy": "no-a-2014"})],
                            ("no-a-2014.md", "evolution.supersedes[0]", V)),
    "SupersededNotActive": ([rec(evolution={"supersedes": ["no-b-2010"]}),
                             rec("no-b-2010", pubDate="2010-01-01", year=2010, status="Active",
                                 evolution={"supersededBy": "no-a-2014"})],
                            ("no-b-2010.md", "status", V)),
    "SupersededNamesSuccessor": ([rec(status="Superseded")], ("no-a-2014.md", "evolution.supersededBy", V)),
    "NearDuplicateCluster": ([rec(evolution={"clusters": ["EU ETS"]}),
                              rec("no-b-2015", evolution={
                                  "clusters": ["European Union Emissions Trading System"]})],
                             ("no-a-2014.md", "evolution.clusters[0]", W)),
    "Source-url": ([rec(sources=[{"url": "ftp://example.org/g", "title": "Gazette", "supports": ["pubDate"]}])],
                   ("no-a-2014.md", "sources[0].url", V)),
    "Source-url-present": ([rec(sources=[{"title": "Gazette", "supports": ["pubDate"]}])],
                           ("no-a-2014.md", "sources[0].url", W)),
    "Source-supports": ([rec(sources=[{"url": "https://example.org/g", "title": "Gazette"}])],
                        ("no-a-2014.md", "sources[0].supports", W)),
    "NotIssuedBeforeTarget": ([rec(evolution={"amends": ["no-b-2016"]}),
                               rec("no-b-2016", pubDate="2016-01-01", year=2016)],
                              ("no-a-2014.md", "evolution.amends[0]", V)),
    "LinkTypesAgree": ([rec(evolution={"amends": ["no-b-2010"]}),
                        rec("no-b-2010", pubDate="2010-01-01", year=2010, status="Repealed",
                            evolution={"repealedBy": ["no-a-2014"]})],
                       ("no-a-2014.md", "evolution.amends[0]", V)),
    "RepealedNotActive": ([rec(evolution={"repeals": "no-b-2010"}),
                           rec("no-b-2010", pubDate="2010-01-01", year=2010)],
                          ("no-b-2010.md", "status", V)),
    "EndedWithoutEnd": ([rec(status="Repealed")], ("no-a-2014.md", "status", W)),
    "AmendedAfterRepeal": ([rec(evolution={"amends": ["no-b-2010"]}),
                            rec("no-b-2010", pubDate="2010-01-01", year=2010, status="Repealed", evolution={
                                "milestones": [{"date": "2012-06-30", "event": "Repealed.", "type": "repealed"}]})],
                           ("no-a-2014.md", "evolution.amends[0]", V)),
}

ENDED = {"milestones": [{"date": "2012-06-30", "event": "Repealed.", "type": "repealed"}]}
# shape -> a corpus on which it reports nothing (the clean fixture below passes every shape too).
PASSING: dict[str, list[dict[str, Any]]] = {
    "Source-url": [rec(sources=[{"url": "https://example.org/g", "title": "Gazette", "supports": ["pubDate"]}])],
    "NotIssuedBeforeTarget": [rec(evolution={"amends": ["no-b-2010"], "implements": "no-b-2010"}),
                              rec("no-b-2010", pubDate="2010-01-01", year=2010,
                                  evolution={"implementedBy": ["no-a-2014"]})],
    "LinkTypesAgree": [rec(evolution={"amends": ["no-b-2010"], "repeals": ["no-b-2010"]}),
                       rec("no-b-2010", pubDate="2010-01-01", year=2010, status="Repealed",
                           evolution={"repealedBy": ["no-a-2014"], **ENDED})],
    "RepealedNotActive": [rec(evolution={"repeals": "no-b-2010"}),
                          rec("no-b-2010", pubDate="2010-01-01", year=2010, status="Repealed")],
    "EndedWithoutEnd": [rec(status="Repealed", evolution=ENDED),
                        rec("no-b-2010", pubDate="2010-01-01", year=2010, status="Superseded"),
                        rec("no-c-2012", pubDate="2012-01-01", year=2012, evolution={"supersedes": ["no-b-2010"]})],
    "AmendedAfterRepeal": [rec("no-a-2011", pubDate="2011-01-01", year=2011, evolution={"amends": ["no-b-2010"]}),
                           rec("no-b-2010", pubDate="2010-01-01", year=2010, status="Repealed", evolution=ENDED)],
    "NearDuplicateCluster": [rec(evolution={"clusters": ["EU ETS", "Net Zero Strategy 2021"]}),
                             rec("no-b-2015", evolution={"clusters": ["UK ETS", "Net Zero Strategy 2050"]})],
}
# Facility shapes: records in a content root's facilities/ folder.
CASES.update({
    "Facility-capacity": ({"facilities": [facility(capacity=-1.0)]}, ("facilities/no-f.md", "capacity", V)),
    "Facility-estimatedCapacity": ({"facilities": [facility(estimatedCapacity=-2.0)]},
                                   ("facilities/no-f.md", "estimatedCapacity", V)),
    "Geometry-latitude": ({"facilities": [facility(coordinates=[95.0, 10.0])]},
                          ("facilities/no-f.md", "coordinates[0]", V)),
    "Geometry-longitude": ({"facilities": [facility(coordinates=[59.0, 190.0])]},
                           ("facilities/no-f.md", "coordinates[1]", V)),
    "InsideCountry": ({"facilities": [facility(coordinates=[40.0, -100.0])]}, ("facilities/no-f.md", "coordinates", W)),
    "RelatedPolicyExists": ({"facilities": [facility(relatedPolicies=["no-ghost-2000"])]},
                            ("facilities/no-f.md", "relatedPolicies[0]", V)),
    "YearsInOrder": ({"facilities": [facility(announcement="2010", operation="2005")]},
                     ("facilities/no-f.md", "operation", V)),
})


def constraint_shapes() -> set[str]:
    """Shapes that report results themselves: property shapes and SPARQL node shapes."""
    g = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    names = {str(s) for s in g.subjects(SH.path, None)} | {str(s) for s in g.subjects(SH.sparql, None)}
    return {n.rsplit("#", 1)[1] for n in names}


def test_every_shape_has_a_violating_fixture() -> None:
    assert constraint_shapes() == set(CASES)


def test_the_clean_fixture_passes_every_shape(tmp_path: Path) -> None:
    corpus = [rec(evolution={"supersedes": ["no-b-2010"], "clusters": ["North Sea Storage"], "amends": "no-c-2012",
                             "repeals": ["no-d-2011"]},
                  analysis={"mrv": {"score": 60, "citation": "Art. 3", "evidence": "Monitoring plan."}},
                  sources=[{"url": "https://example.org/gazette", "title": "Gazette",
                            "supports": ["pubDate", "evolution.amends"]}]),
              rec("no-b-2010", pubDate="2010-01-01", year=2010, status="Superseded",
                  evolution={"supersededBy": "no-a-2014", "clusters": ["North Sea Storage"]}),
              rec("no-c-2012", pubDate="2012-01-01", year=2012, evolution={"amendedBy": ["no-a-2014"]}),
              rec("no-d-2011", pubDate="2011-01-01", year=2011, status="Repealed", evolution={
                  "repealedBy": "no-a-2014", "milestones": [{"date": "2014-12-19", "event": "Repealed.",
                                                             "type": "repealed"}]})]
    assert run_validation(tmp_path, corpus) == []


@pytest.mark.parametrize("shape", sorted(PASSING))
def test_shape_passes_its_passing_fixture(shape: str, tmp_path: Path) -> None:
    assert [f for f in run_validation(tmp_path, PASSING[shape]) if rule(f) == shape] == []


def test_a_typed_link_stated_on_one_side_only_is_no_finding(tmp_path: Path) -> None:
    corpus = [rec(evolution={"amends": ["no-b-2010"], "transposes": "no-c-2009"}),
              rec("no-b-2010", pubDate="2010-01-01", year=2010),
              rec("no-c-2009", pubDate="2009-04-23", year=2009, country="European Union")]
    assert run_validation(tmp_path, corpus) == []


def test_typed_link_findings_name_the_field_as_written(tmp_path: Path) -> None:
    corpus = [rec(evolution={"amends": "no-ghost-2000", "repeals": ["no-a-2014"], "transposedBy": ["x", "no-gone"]})]
    got = {(f.field, f.severity, rule(f)) for f in run_validation(tmp_path, corpus)}
    assert got == {("evolution.amends", V, "LinkTargetExists"), ("evolution.repeals[0]", V, "NoSelfSupersession"),
                   ("evolution.transposedBy[0]", V, "LinkTargetExists"),
                   ("evolution.transposedBy[1]", V, "LinkTargetExists")}


def test_disagreeing_link_types_are_reported_on_both_records(tmp_path: Path) -> None:
    corpus, *_ = CASES["LinkTypesAgree"]
    found = [(f.file.rsplit("/", 1)[-1], f.line is not None, f.field, f.message)
             for f in run_validation(tmp_path, corpus) if rule(f) == "LinkTypesAgree"]
    assert found == [
        ("no-a-2014.md", True, "evolution.amends[0]", "evolution.amends[0] 'no-b-2010' states the link back "
         "as repealedBy, not as the inverse of this one: the two records disagree on the type of the link"),
        ("no-b-2010.md", True, "evolution.repealedBy[0]", "evolution.repealedBy[0] 'no-a-2014' states the link "
         "back as amends, not as the inverse of this one: the two records disagree on the type of the link")]


@pytest.mark.parametrize(("first", "second"), [
    ("EU ETS Reform", "EU ETS Reform 2024"),
    ("Bipartisan Infrastructure Law (BIL)", "US Bipartisan Infrastructure Law"),
    ("CCS Directive Integration", "EU CCS Directive Integration")])
def test_near_duplicate_clusters_are_reported_once_per_pair(first: str, second: str, tmp_path: Path) -> None:
    corpus = bilingual(rec(evolution={"clusters": [first]}), rec(evolution={"clusters": [first + " 碳"]}))
    corpus["en"].append(rec("no-b-2015", evolution={"clusters": [second]}))
    corpus["zh"].append(rec("no-b-2015", evolution={"clusters": [second + " 碳"]}))
    corpus["en"].append(rec("no-c-2016", evolution={"clusters": [first]}))
    found = [f for f in run_validation(tmp_path, corpus) if rule(f) == "NearDuplicateCluster"]
    assert len(found) == 1
    names = sorted([first, second], key=lambda n: str(M.cluster(n)))
    assert found[0].message.endswith(f"'{names[0]}' looks like the same cluster as '{names[1]}'")
    assert (found[0].field, found[0].severity) == ("evolution.clusters[0]", W)


@pytest.mark.parametrize("shape", sorted(CASES))
def test_shape_reports_file_field_and_severity(shape: str, tmp_path: Path) -> None:
    corpus, (file, field, severity), *edits = CASES[shape]
    drop = edits[0] if edits else None
    replace = edits[1] if len(edits) > 1 else None
    findings = [f for f in run_validation(tmp_path, corpus, drop, replace) if rule(f) == shape]
    assert findings, f"{shape} reported nothing"
    got = {(f.file.rsplit(str(tmp_path) + "/", 1)[-1], f.field, f.severity) for f in findings}
    assert (file, field, severity) in got
    assert all(f.rule == str(SHAPES[shape]) for f in findings)
    assert all(f.message.startswith(f.field) for f in findings if f.field)


@pytest.mark.parametrize("shape", sorted(CASES))
def test_fast_path_gives_the_same_findings_as_pyshacl(shape: str, tmp_path: Path) -> None:
    corpus, _, *edits = CASES[shape]
    drop = edits[0] if edits else None
    replace = edits[1] if len(edits) > 1 else None
    if isinstance(corpus, list):
        corpus = {"": corpus}
    for folder, records in corpus.items():
        for data in records:
            write_record(tmp_path / folder if folder else tmp_path, data)
    kg = load(tmp_path)
    stated = [t for t in kg.mapped.stated if not (drop and drop(t))]
    for old, new in (replace or {}).items():
        stated = [new if t == old else t for t in stated]
    reference = validate(kg.corpus, Mapped(stated=stated), M, kg.findings)
    fast = validate_fast(kg.corpus, Mapped(stated=stated), M, kg.findings)
    assert fast.findings == reference.findings
    assert [(r.focus, r.path, r.value, r.shape) for r in fast.results] == [
        (r.focus, r.path, r.value, r.shape) for r in reference.results]


def test_fast_path_matches_pyshacl_on_a_bilingual_corpus(bilingual: Path) -> None:
    kg = load(bilingual)
    reference = validate(kg.corpus, kg.mapped, M, kg.findings)
    assert validate_fast(kg.corpus, kg.mapped, M, kg.findings).findings == reference.findings


def test_findings_carry_lines(tmp_path: Path) -> None:
    findings = run_validation(tmp_path, [rec(year=2015)])
    (finding,) = [f for f in findings if rule(f) == "YearMatchesIssued"]
    lines = (tmp_path / "no-a-2014.md").read_text().splitlines()
    assert lines[finding.line - 1].strip().startswith('"year"')
    assert finding.message == "year 2015 differs from the year of pubDate 2014-12-19"


def test_reference_record_has_exactly_its_real_warnings() -> None:
    kg = load(REFERENCE_COPY)
    report = kg.validate()
    ref = [f for f in report.findings if f.record == "cn-miit-industrial-plan-2022"]
    assert [(f.field, f.severity, rule(f)) for f in ref] == [
        ("analysis.strategic.citation", W, "ScoreWithoutCitation"),
        ("provenance.reviewer", W, "VerifiedWithoutReviewer"),
    ]


@pytest.mark.parametrize(("first", "second", "near"), [
    ("EU ETS", "eu-ets", True),  # one slug: one cluster with two names
    ("Canada 2030 ERP", "Canada 2030 Emissions Reduction Plan", True),
    ("CCS Directive", "Carbon Capture and Storage Directive", True),
    ("Bipartisan Infrastructure Law (BIL)", "US Bipartisan Infrastructure Law", True),
    ("Net Zero Strategy", "Net Zero Strategy (2021)", True),
    ("中国碳市场", "碳市场", True),
    ("North Sea Storage", "National Strategy Scheme", False),
    ("EU ETS", "UK ETS", False),
    ("Net Zero Strategy 2021", "Net Zero Strategy 2050", False),
    ("中国碳市场", "美国碳市场", False),
    ("Carbon Capture Directive", "CCS Directive", False)])
def test_near_duplicate_names(first: str, second: str, near: bool, tmp_path: Path) -> None:
    corpus = [rec(evolution={"clusters": [first]}), rec("no-b-2015", evolution={"clusters": [second]})]
    found = [f for f in run_validation(tmp_path, corpus) if rule(f) == "NearDuplicateCluster"]
    assert len(found) == (1 if near else 0)


def test_the_near_duplicate_shape_knows_the_jurisdictions_the_loader_knows() -> None:
    """The shape holds kg.jurisdictions' names and codes itself, so any engine can run it on the dump."""
    import pycountry

    from kg.jurisdictions import _names

    names = _names()
    latin = "|".join(sorted(k for k in names if re.fullmatch(r"\w+", k) and not re.search(r"[\u3400-\u9fff]", k)))
    chinese = "|".join(sorted((k for k in names if 2 <= len(k) <= 4 and all("\u3400" <= c <= "\u9fff" for c in k)),
                              key=lambda k: (-len(k), k)))
    codes = "|".join(sorted({c.alpha_2 for c in pycountry.countries} | {c.alpha_3 for c in pycountry.countries}
                            | {"EU", "INT"}))
    g = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    query = str(g.value(SHAPES["NearDuplicateCluster-query"], SH.select))
    assert query.count(f'"^(?:{latin})$"') == query.count(f'"^(?:{codes})$"') == 2
    assert query.count(f'"^({chinese}).+$"') == 2
    assert "nameKey" not in query and "lookupKey" not in query


def test_shipped_hub_like_defects_are_found_exactly() -> None:
    from .fixtures_hub import POLICIES

    report = load(POLICIES).validate()
    got = sorted((f.file.rsplit("policies/", 1)[-1], f.line, f.field, f.severity, rule(f)) for f in report.findings)
    assert got == [
        ("en/au-baseline-scheme.md", 7, "analysis.mrv.evidence", W, "AiEvidenceInVerified"),
        ("en/au-baseline-scheme.md", 23, "status", W, "ValueInRecordLanguage"),
        ("en/ca-reduction-plan.md", 6, "evolution.clusters[0]", W, "NearDuplicateCluster"),
        ("en/cn-ets-pilot.md", 7, "analysis.market.evidence", W, "AiEvidenceInVerified"),
        ("en/cn-ets-pilot.md", 16, "evolution.supersedes[0]", V, "LinkTargetExists"),
        ("en/eu-storage-directive.md", 7, "evolution.consolidatedFrom[0]", V, "LinkTargetExists"),
        ("en/my-tax-allowance.md", 6, "legalWeight", W, "UnmappedValue"),
        ("en/ng-flaring-rule-2023.md", 18, "year", V, "YearMatchesIssued"),
        ("zh/au-baseline-scheme.md", 7, "analysis.mrv.evidence", W, "AiEvidenceInVerified"),
        ("zh/cn-ets-pilot.md", 7, "analysis.market.evidence", W, "AiEvidenceInVerified"),
        ("zh/my-tax-allowance.md", 6, "legalWeight", W, "UnmappedValue"),
    ]
    assert not report.conforms


def test_hub_defects_are_found(hub: Path) -> None:
    report = load(hub).validate()
    got = {(f.file.rsplit("policies/", 1)[-1], f.field, f.severity, rule(f)) for f in report.findings}
    assert ("en/cn-ccer.md", "evolution.supersedes[0]", V, "LinkTargetExists") in got
    assert ("en/eu-ccs-directive.md", "evolution.consolidatedFrom[0]", V, "LinkTargetExists") in got
    assert ("en/ng-nuprc-decarb-2024.md", "year", V, "YearMatchesIssued") in got
    assert ("en/au-safeguard-mechanism.md", "status", W, "ValueInRecordLanguage") in got
    assert ("en/ca-ccus-itc.md", "evolution.clusters[0]", W, "NearDuplicateCluster") in got
    assert ("en/my-mida-incentives.md", "legalWeight", W, "UnmappedValue") in got
    verified_ai = [f for f in report.findings if rule(f) == "AiEvidenceInVerified"]
    assert len(verified_ai) == 64
    assert not report.conforms


def test_validate_cli_json_and_exit_codes(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_record(seeds, rec(url=""))
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", "--seeds", str(seeds), "--format", "json"])
    assert ok.exit_code == 0
    data = json.loads(ok.stdout)
    assert data["conforms"] is True
    assert [(f["field"], f["severity"], f["rule"].rsplit("#")[-1]) for f in data["findings"]] == [
        ("url", "warning", "Policy-url-present"),
    ]
    assert set(data["findings"][0]) == {"severity", "file", "line", "record", "field", "message", "rule"}
    strict = runner.invoke(main, ["validate", "--seeds", str(seeds), "--strict"])
    assert strict.exit_code == 1
    write_record(seeds, rec("no-b-2015", year=2016, pubDate="2015-01-01"))
    bad = runner.invoke(main, ["validate", "--seeds", str(seeds)])
    assert bad.exit_code == 1
    assert re.search(r"no-b-2015\.md\n\s+\d+: violation\s+year 2016 differs", bad.stdout)
    assert "does not conform: 1 violation, 1 warning, 0 infos in 2 files" in bad.stdout


def shacl_report(seeds: Path) -> tuple[Graph, int]:
    result = CliRunner().invoke(main, ["validate", "--seeds", str(seeds), "--format", "ttl"])
    return Graph().parse(data=result.stdout, format="turtle"), result.exit_code


def result_table(g: Graph) -> list[tuple[Any, ...]]:
    """(focus, path, severity, source shape, component) of every result, in the report's order."""
    rows = []
    for res in sorted(g.objects(M.validation_report(), SH.result), key=lambda n: int(str(n).rsplit("/", 1)[1])):
        rows.append(tuple(g.value(res, p) for p in (SH.focusNode, SH.resultPath, SH.resultSeverity, SH.sourceShape,
                                                     SH.sourceConstraintComponent)))
    return rows


def test_validate_ttl_is_a_shacl_report(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_record(seeds, rec(url=""))
    g, code = shacl_report(seeds)
    assert code == 0  # the exit code still follows violations only
    # SHACL: a report with a result does not conform, whatever its severity (it said true here before).
    assert (M.validation_report(), SH.conforms, Literal(False)) in g
    assert result_table(g) == [(M.policy("no-a-2014"), CCUS.url, SH.Warning, SHAPES["Policy-url-present"],
                                SH.MinCountConstraintComponent)]
    write_record(seeds, rec(url="https://example.org/a"))
    write_record(seeds, rec("no-b-2015", url="https://example.org/b", sources=[
        {"url": "https://example.org/g", "title": "Gazette", "supports": ["pubDate"]}]))
    g, code = shacl_report(seeds)
    assert (code, list(g.objects(M.validation_report(), SH.conforms)), result_table(g)) == (0, [Literal(True)], [])


def test_validate_ttl_includes_loading_findings_with_rule_iris(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_record(seeds, rec(url=""))
    write_record(seeds, rec("no-b-2015", pubDate="2015/01/01"))
    (seeds / "broken.md").write_text("---\n{ not json\n---\n", encoding="utf-8")
    g, code = shacl_report(seeds)
    assert code == 1
    assert (M.validation_report(), SH.conforms, Literal(False)) in g
    assert result_table(g) == [
        (M.validation_file(str(seeds / "broken.md")), None, SH.Violation, SHAPES["load-front-matter"],
         SHAPES["load-front-matter"]),
        (M.policy("no-a-2014"), CCUS.url, SH.Warning, SHAPES["Policy-url-present"], SH.MinCountConstraintComponent),
        (M.policy("no-b-2015"), None, SH.Violation, SHAPES["load-date"], SHAPES["load-date"])]
    messages = sorted(str(m) for m in g.objects(None, SH.resultMessage))
    assert "pubDate must be a real date YYYY-MM-DD, got '2015/01/01'" in messages
    # Every node is an IRI: nothing a consumer has to skolemise.
    assert not [t for t in g if any(isinstance(term, BNode) for term in t)]


def loader_rules() -> set[str]:
    """Every rule id the loader, the front-matter parser, the mapping and the build can give a finding.

    Read from the source: the rule argument of each call that makes a finding, and each literal id.
    """
    calls = {"_finding": 3, "Problem": 2, "bad": 1, "warn": 1}
    kinds = {"records.py": "load", "parsing.py": "load", "mapping.py": "mapping", "facilities.py": "load",
             "landscape.py": "landscape"}
    found = set()
    for path in sorted((ROOT / "kg").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        found |= {f"ccus-kg:{kind}/{name}" for kind, name in re.findall(r'"ccus-kg:([a-z]+)/([a-z0-9-]+)"', text)}
        kind = kinds.get(path.name)
        if kind is None or path.parent.name != "kg":
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in calls:
                arg = node.args[calls[node.func.id]] if len(node.args) > calls[node.func.id] else None
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(f"ccus-kg:{kind}/{arg.value}")
            if isinstance(node, ast.Yield) and isinstance(node.value, ast.Tuple) and len(node.value.elts) == 3:
                last = node.value.elts[2]
                if isinstance(last, ast.Constant) and isinstance(last.value, str):
                    found.add(f"ccus-kg:{kind}/{last.value}")
            if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["rule"] \
                    and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                found.add(f"ccus-kg:{kind}/{node.value.value}")  # rule = "…"; … RULE_PREFIX + rule
            if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Name) and node.left.id == "RULE_PREFIX" \
                    and isinstance(node.right, ast.Constant):
                found.add(f"ccus-kg:{kind}/{node.right.value}")
    return found


def test_every_loader_rule_is_an_iri_declared_with_english_and_chinese_labels() -> None:
    rules = loader_rules()
    assert {"ccus-kg:load/date", "ccus-kg:load/duplicate-key", "ccus-kg:load/alias", "ccus-kg:load/type",
            "ccus-kg:mapping/unknown-field", "ccus-kg:build/cache-healed"} <= rules
    g = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    declared = set(g.subjects(RDF.type, SHAPES.LoaderRule))
    assert {rule_iri(r) for r in rules} == declared
    for iri in declared | {SHAPES.LoaderRule}:
        assert {lit.language for lit in g.objects(iri, RDFS.label)} == {"en", "zh"}, iri
    assert rule_iri(str(SHAPES["Policy-url"])) == SHAPES["Policy-url"]


def test_loading_problems_join_the_report(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_record(seeds, rec())
    write_record(seeds, rec("no-b-2015", pubDate="2015/01/01"))
    result = CliRunner().invoke(main, ["validate", "--seeds", str(seeds), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["conforms"] is False
    assert [(f["field"], f["rule"]) for f in data["findings"]] == [("pubDate", "ccus-kg:load/date")]


def test_build_writes_nothing_on_shacl_violations(tmp_path: Path) -> None:
    seeds, out = tmp_path / "seeds", tmp_path / "out"
    write_record(seeds, rec(year=2015))
    result = CliRunner().invoke(main, ["build", "--seeds", str(seeds), "--out", str(out)])
    assert result.exit_code == 1
    assert "year 2015 differs from the year of pubDate 2014-12-19" in result.stderr
    assert not out.exists()
    allowed = CliRunner().invoke(main, ["build", "--seeds", str(seeds), "--out", str(out), "--allow-invalid"])
    assert allowed.exit_code == 1
    assert (out / "ccus-kg.ttl").exists()


def test_per_record_and_whole_graph_runs_agree(tmp_path: Path) -> None:
    for data in CASES["DirectionsAgree"][0] + CASES["AiEvidenceInVerified"][0][:0]:
        write_record(tmp_path, data)
    write_record(tmp_path, rec("no-d-2014", url="", legalWeight="Fiscal Incentive"))
    kg = load(tmp_path)
    whole = validate(kg.corpus, kg.mapped, M, per_record=False).findings
    split = validate(load_corpus(tmp_path), kg.mapped, M, per_record=True).findings
    assert whole == split
    assert len(whole) >= 3


def test_the_milestone_type_shape_lists_the_types_the_record_format_knows() -> None:
    from kg.records import END_MILESTONES, MILESTONE_TYPES, START_MILESTONES

    g = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    pattern = str(g.value(SHAPES["Milestone-type"], SH.pattern))
    assert pattern == "^(" + "|".join(MILESTONE_TYPES) + ")$"
    assert set(MILESTONE_TYPES) >= START_MILESTONES | END_MILESTONES


def test_a_cluster_named_two_ways_in_chinese_is_found_in_the_chinese_record(tmp_path: Path) -> None:
    corpus = bilingual(rec(evolution={"clusters": ["Green Deal"]}), rec(evolution={"clusters": ["绿色协议"]}))
    corpus["en"].append(rec("no-b-2015", evolution={"clusters": ["Green Deal"]}))
    corpus["zh"].append(rec("no-b-2015", evolution={"clusters": ["绿色新政"]}))
    found = [(f.file.rsplit("/", 2)[-2:], f.field, f.severity, f.message)
             for f in run_validation(tmp_path, corpus) if rule(f) == "NearDuplicateCluster"]
    assert found == [(["zh", "no-a-2014.md"], "evolution.clusters[0]", W,
                      "evolution.clusters[0] '绿色协议' looks like the same cluster as '绿色新政'")]


LINK_FIELDS = ("supersedes", "amends", "amendedBy", "repeals", "repealedBy", "implements", "implementedBy",
               "transposes", "transposedBy")


@st.composite
def linked_corpora(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Three to four records with random dates, statuses, dated milestones and typed links among them."""
    ids = ["no-a-2014", "no-b-2012", "no-c-2016", "no-d-2010"][: draw(st.integers(3, 4))]
    out = []
    for rid in ids:
        year = draw(st.integers(2008, 2020))
        evolution: dict[str, Any] = {
            name: draw(st.lists(st.sampled_from([*ids, "no-ghost-2000"]), max_size=2, unique=True))
            for name in draw(st.lists(st.sampled_from(LINK_FIELDS), max_size=3, unique=True))}
        if draw(st.booleans()):
            evolution["milestones"] = [{"date": f"{draw(st.integers(2008, 2022))}-06-30", "event": "End.",
                                        "type": draw(st.sampled_from(["repealed", "expired", "in-force"]))}]
        out.append(rec(rid, pubDate=f"{year}-01-01", year=year, evolution=evolution,
                       status=draw(st.sampled_from(["Active", "Repealed", "Superseded", "Draft"]))))
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(corpus=linked_corpora())
def test_both_engines_agree_on_random_typed_links(corpus: list[dict[str, Any]], tmp_path_factory: Any) -> None:
    run_validation(tmp_path_factory.mktemp("links"), corpus)  # asserts the two engines' findings are equal


def hand_written(name: str) -> tuple[Report, Report]:
    """Both engines on a Turtle data graph the loader did not make (no records behind it)."""
    stated = list(Graph().parse(ROOT / "tests" / "data" / name, format="turtle"))
    corpus = Corpus(root=ROOT / "tests" / "data")
    return validate(corpus, Mapped(stated=stated), M), validate_fast(corpus, Mapped(stated=stated), M)


def result_rows(report: Report) -> list[tuple[str, str, str, str, str, str]]:
    def short(node: Any) -> str:
        if node is None:
            return "-"
        if isinstance(node, Literal):
            return f"{node}^^{str(node.datatype).rsplit('#', 1)[-1]}"
        if str(node).startswith(M.base + "policy/"):
            return str(node).removeprefix(M.base + "policy/")
        return str(node).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return [(short(r.focus), short(r.path), short(r.value), short(r.shape), short(r.component),
             r.finding.severity.value) for r in report.results]


def test_both_engines_fail_ill_typed_literals_alike() -> None:
    """sh:datatype fails an ill-typed literal (SHACL 4.1.1) and an incomparable one fails min/maxInclusive."""
    reference, fast = hand_written("ill-typed.ttl")
    assert result_rows(fast) == result_rows(reference)
    # (Missing jurisdictions, authors and sources are warnings here too; the violations are the point.)
    assert sorted(r for r in result_rows(fast) if r[-1] == "violation") == sorted([
        ("no-a-2022", "issued", "2022-02-30^^date", "Policy-issued", "DatatypeConstraintComponent", "violation"),
        ("no-a-2022", "lastAuditDate", "2022-2-28^^date", "Provenance-lastAuditDate", "DatatypeConstraintComponent",
         "violation"),
        ("no-a-2022", "status", "no-b-2010", "SupersededNotActive", "SPARQLConstraintComponent", "violation"),
        ("no-a-2022/assessment/legal", "dimension", "legal", "Assessment-dimension", "ClassConstraintComponent",
         "violation"),
        ("no-a-2022/assessment/mrv", "score", "fifty^^integer", "Assessment-score", "DatatypeConstraintComponent",
         "violation"),
        # rdflib reads "no-b-2010"^^xsd:boolean as false (with a warning); the value is wrong either way.
        ("no-b-2010", "identifier", "false^^boolean", "Policy-identifier", "DatatypeConstraintComponent",
         "violation"),
        # Year 10000 is valid XSD 1.1 but beyond rdflib's dates: pySHACL fails it, so the fast engine does too.
        ("no-b-2010", "lastAuditDate", "10000-01-01^^date", "Provenance-lastAuditDate",
         "DatatypeConstraintComponent", "violation"),
        ("no-b-2010", "year", "10^^gYear", "Policy-year", "PatternConstraintComponent", "violation"),
        ("no-b-2010", "year", "10^^gYear", "YearMatchesIssued", "SPARQLConstraintComponent", "violation"),
        ("no-c-2020", "issued", "0000-01-01^^date", "Policy-issued", "DatatypeConstraintComponent", "violation"),
        ("no-c-2020", "year", "false^^boolean", "Policy-year", "DatatypeConstraintComponent", "violation"),
        ("no-c-2020", "year", "false^^boolean", "YearMatchesIssued", "SPARQLConstraintComponent", "violation"),
        ("no-c-2020/assessment/mrv", "score", "-", "Assessment-score", "MaxCountConstraintComponent", "violation"),
        ("no-c-2020/assessment/mrv", "score", "101^^integer", "Assessment-score", "MaxInclusiveConstraintComponent",
         "violation"),
        ("no-c-2020/assessment/mrv", "score", "5.0^^integer", "Assessment-score", "DatatypeConstraintComponent",
         "violation"),
    ])
