"""Facilities, their links to instruments, jurisdiction profiles, the landscape queries, pages and CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Literal

from kg.build import KnowledgeGraph, load
from kg.cli import main
from kg.errors import Severity
from kg.export import ntriples
from kg.facilities import facilities_from_triples
from kg.iris import Minter
from kg.landscape import Deriver, profile, scopes, timeline
from kg.landscape_pages import LandscapePages
from kg.lineage import Lineage
from kg.namespaces import CCUS, GEO, PROV, RDF, RULE, SCHEMA, SF, XSD
from kg.queries import catalogue, run
from kg.records import content_root, load_corpus
from kg.results import plain
from kg.validation import validate, validate_fast

from .conftest import SEEDS, SHARED, minimal_record, write_record
from .fixtures_landscape import LANDSCAPE, facility, write_landscape

M = Minter()
V, W = Severity.VIOLATION, Severity.WARNING
HUB_ROOT = SHARED / "ccus-policy-hub"


@pytest.fixture(scope="module")
def land() -> KnowledgeGraph:
    kg = load(LANDSCAPE)
    kg.validate()
    return kg


def where(kg: KnowledgeGraph, root: Path) -> list[tuple[str, int | None, str, Severity, str]]:
    return [(f.file.split(f"{root.name}/", 1)[-1], f.line, f.field, f.severity, f.rule.rsplit("/", 1)[-1]
             .rsplit("#", 1)[-1]) for f in kg.findings]


# --- content roots ------------------------------------------------------------------------------------


def test_the_shipped_fixture_is_what_its_writer_writes(tmp_path: Path) -> None:
    write_landscape(tmp_path)
    for path in sorted(tmp_path.rglob("*.md")):
        assert path.read_bytes() == (LANDSCAPE / path.relative_to(tmp_path)).read_bytes(), path


def test_a_content_root_split_by_language(land: KnowledgeGraph) -> None:
    assert sorted((r.id, r.lang) for r in land.corpus.records) == [
        ("eu-ccs-2009", "en"), ("no-storage-2010", "en"), ("no-storage-2014", "en"), ("no-storage-2014", "zh"),
        ("us-credit-2018", "en"), ("us-nd-storage-2009", "en")]
    assert sorted((r.id, r.lang) for r in land.corpus.facilities) == [
        ("nl-hub", "en"), ("no-field", "en"), ("no-field", "zh"), ("no-misplaced", "en"), ("us-plant", "en"),
        ("xx-shared", "en")]
    assert [(r.id, r.lang) for r in land.corpus.countries] == [("Atlantis", "en"), ("Norway", "en")]


def test_policies_flat_beside_facilities_and_a_policies_only_folder(tmp_path: Path) -> None:
    write_record(tmp_path / "flat", minimal_record("no-a-2014"))
    write_record(tmp_path / "flat" / "facilities", facility("no-f"))
    write_record(tmp_path / "flat" / "countries", {"id": "Norway", "name": "Norway"}, name="norway.md")
    flat = load(tmp_path / "flat")
    assert [r.id for r in flat.corpus.records] == ["no-a-2014"]  # facilities/ and countries/ are not policies
    assert [r.id for r in flat.corpus.facilities] == ["no-f"]
    assert [r.id for r in flat.corpus.countries] == ["Norway"]
    write_record(tmp_path / "only", minimal_record("no-a-2014"))
    only = content_root(tmp_path / "only")
    assert (only.policies, only.facilities, only.countries) == (tmp_path / "only", None, None)
    assert [r.id for r in load_corpus(tmp_path / "only").records] == ["no-a-2014"]


def test_the_shipped_seeds_are_a_content_root() -> None:
    root = content_root(SEEDS)
    assert (root.policies, root.facilities, root.countries) == (SEEDS, SEEDS / "facilities", None)
    kg = load(SEEDS)
    assert len(kg.corpus.facilities) >= 40
    assert len({r.get("country") for r in kg.corpus.facilities}) >= 12
    assert not any(r.path.parent.name == "facilities" for r in kg.corpus.records)


# --- records and mapping -------------------------------------------------------------------------------


def test_bad_facility_fields_are_findings_with_file_line_and_field(tmp_path: Path) -> None:
    write_record(tmp_path / "facilities", facility("no-bad", coordinates=[59.0], capacity="1 Mt", operation=1996))
    kg = load(tmp_path)
    assert [(f.file.rsplit("/", 2)[-2:], f.line, f.field, f.severity, f.message) for f in kg.findings] == [
        (["facilities", "no-bad.md"], 7, "coordinates", V,
         "coordinates must be [latitude, longitude] in decimal degrees, got a list"),
        (["facilities", "no-bad.md"], 15, "capacity", V, "capacity must be a number (Mt CO2 per year), got '1 Mt'"),
        (["facilities", "no-bad.md"], 21, "operation", V, 'operation must be a year "YYYY" or "", got 1996')]
    assert kg.corpus.facilities == []


def test_a_facility_file_with_a_key_twice_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    folder = tmp_path / "facilities"
    folder.mkdir()
    (folder / "no-twice.md").write_text("---\nid: no-twice\nname: A\nname: B\n---\nbody\n", encoding="utf-8")
    kg = load(tmp_path)
    assert [(f.file.rsplit("/", 2)[-2:], f.line, f.field, f.severity, f.rule, f.message) for f in kg.findings] == [
        (["facilities", "no-twice.md"], 4, "name", V, "ccus-kg:load/duplicate-key",
         "name appears twice, on lines 3 and 4")]
    assert kg.corpus.facilities == []


def test_a_facility_in_rdf(land: KnowledgeGraph) -> None:
    node, geometry = M.facility("no-field"), M.geometry("no-field")
    triples = set(land.triples)
    for triple in [
        (node, RDF.type, CCUS.Facility),
        (node, CCUS.facilityType, _concept("facility-type", "storage")),
        (node, CCUS.facilityStatus, _concept("facility-status", "operational")),
        (node, CCUS.facilitySector, _concept("sector", "storage")),
        (node, CCUS.facilityTypeLabel, Literal("碳封存", lang="zh")),
        (node, CCUS.capacity, Literal("1", datatype=XSD.decimal)),
        (node, CCUS.capacityRaw, Literal("每年100万吨", lang="zh")),
        (node, CCUS.operationYear, Literal("1996", datatype=XSD.gYear)),
        (node, CCUS.relatedPolicy, M.policy("no-storage-2014")),
        (node, CCUS.jurisdiction, M.jurisdiction("NO")),
        (node, GEO.hasGeometry, geometry),
        (geometry, RDF.type, SF.Point),
        (geometry, GEO.asWKT, Literal("POINT(1.9 58.4)", datatype=GEO.wktLiteral)),
        (geometry, SCHEMA.latitude, Literal("58.4", datatype=XSD.decimal)),
        (geometry, CCUS.coordinatePrecision, Literal("approximate")),
    ]:
        assert triple in triples, triple
    assert str(node) == "https://w3id.org/ccus-kg/id/facility/no-field"


def _concept(scheme: str, slug: str) -> object:
    from kg.namespaces import SCHEMES

    return SCHEMES[scheme][slug]


@pytest.mark.parametrize("root", [LANDSCAPE, SEEDS], ids=["fixture", "seeds"])
def test_facility_records_round_trip_exactly(root: Path) -> None:
    kg = load(root)
    back = facilities_from_triples(kg.triples)
    assert len(back) == len(kg.corpus.facilities)
    for record in kg.corpus.facilities:
        assert back[(record.id, record.lang)] == (record.data, record.body), record.rel


def test_unknown_facility_fields_are_kept(tmp_path: Path) -> None:
    write_record(tmp_path / "facilities", facility("no-f", hub="Greensand", phase=2, provenance={
        "author": "x", "reviewer": "", "lastAuditDate": "2026-01-01", "batch": "b1"}))
    kg = load(tmp_path)
    (record,) = kg.corpus.facilities
    assert facilities_from_triples(kg.triples)[("no-f", "en")] == (record.data, record.body)
    extras = sorted(str(o) for s, p, o in kg.triples if p == CCUS.fieldPath)
    assert extras == ["hub", "phase", "provenance.batch"]
    assert [(f.field, f.severity, f.message) for f in kg.findings] == [
        (path, Severity.INFO, f"{path} is not a field of the record format; kept as ccus:extra")
        for path in ("provenance.batch", "hub", "phase")]  # in line order


# --- validation ----------------------------------------------------------------------------------------


def test_the_fixture_reports_exactly_its_defects(land: KnowledgeGraph) -> None:
    assert where(land, LANDSCAPE) == [
        ("countries/en/atlantis.md", 4, "name", W, "unknown-country"),
        ("countries/en/norway.md", 5, "region", Severity.INFO, "unknown-field"),  # kept as ccus:extra
        ("countries/en/norway.md", 8, "regulatory.cross_border_rules", W, "profile-without-instrument"),
        ("countries/en/norway.md", 13, "regulatory.pore_space_rights", W, "instrument-without-profile"),
        ("facilities/en/nl-hub.md", 27, "relatedPolicies[1]", W, "unsupported-link"),
        ("facilities/en/no-misplaced.md", 7, "coordinates", W, "InsideCountry"),
        ("facilities/en/no-misplaced.md", 21, "fid", V, "YearsInOrder"),
        ("facilities/en/us-plant.md", 27, "relatedPolicies[1]", V, "RelatedPolicyExists"),
        ("facilities/en/xx-shared.md", 5, "country", W, "unknown-country"),
    ]
    messages = {f.field: f.message for f in land.findings if "facilities" in f.file}
    assert messages["relatedPolicies[1]"] in (
        "relatedPolicies[1] names 'us-ghost-2020', which is no policy in the corpus",
        "relatedPolicies[1] names 'no-storage-2014', which the derivation rule does not support: its jurisdiction "
        "NO is not NL or EU")
    assert messages["coordinates"] == ("coordinates lie 7015 km outside NO: further than 200 nautical miles "
                                       "(370 km) from its outline")
    assert messages["fid"] == "fid 2019 is before 2020, the year of a stage that comes first"


def test_both_engines_agree_on_facilities(land: KnowledgeGraph) -> None:
    assert validate_fast(land.corpus, land.mapped, M).findings == validate(land.corpus, land.mapped, M).findings


def test_offshore_stores_within_200_nautical_miles_are_in_their_country() -> None:
    from kg.geo import km_outside

    assert km_outside("NO", 58.37, 1.91) == 235  # Sleipner: at sea, inside the EEZ limit
    assert km_outside("NO", 59.9, 10.7) == 0  # Oslo
    assert km_outside("US-ND", 47.0, -101.0) == 0  # a state's point is checked against its country
    assert km_outside("HU", 47.5, 19.0) is None  # no outline in the dataset: not checked (an info finding)


def test_the_shipped_facilities_have_no_facility_findings_but_missing_policies() -> None:
    kg = load(SEEDS)
    kg.validate()
    rules = {f.rule.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for f in kg.findings if "facilities/" in f.file}
    # Until the policy records they name are merged, the seeds' facilities report only the missing policies
    # (RelatedPolicyExists) and stated links the rule cannot support.
    assert rules <= {"RelatedPolicyExists", "unsupported-link"}


# --- derived links ---------------------------------------------------------------------------------------


def _deriver(kg: KnowledgeGraph) -> Deriver:
    source = kg.source()
    return Deriver(Lineage.from_source(source), scopes(source))


def _record(kg: KnowledgeGraph, fid: str):
    return next(r for r in kg.corpus.facilities if r.id == fid and r.lang == "en")


@pytest.mark.parametrize(("fid", "day", "expected"), [
    ("no-field", "2012-01-01", [("no-storage-2010", ("category:storage", "pillar:liability_period"))]),
    ("no-field", "2015-06-01", [("no-storage-2014", ("category:storage", "pillar:liability_transfer",
                                                     "pillar:pore_space_rights"))]),
    ("no-field", "2009-01-01", []),
    ("nl-hub", "2024-01-01", [("eu-ccs-2009", ("category:storage", "pillar:financial_assurance"))]),
    ("us-plant", "2017-12-31", []),
    ("us-plant", "2018-02-09", [("us-credit-2018", ("category:incentive",))]),
    ("xx-shared", "2024-01-01", []),
])
def test_derived_links_on_a_day(land: KnowledgeGraph, fid: str, day: str, expected: list) -> None:
    assert [(d.policy, d.reasons) for d in _deriver(land).on(_record(land, fid), day)] == expected


def test_derived_links_for_shipped_facilities() -> None:
    kg = load(SEEDS)
    deriver = _deriver(kg)
    assert [d.policy for d in deriver.on(_record(kg, "no-sleipner"), "2024-01-01")] == [
        "no-co2-storage-regulations-2014", "no-co2-tax-petroleum-act-1990",
        "no-pollution-regulations-co2-storage-amendment-2014"]
    assert [d.policy for d in deriver.on(_record(kg, "no-sleipner"), "2014-01-01")] == [
        "no-co2-tax-petroleum-act-1990"]  # the storage regulations came in December 2014
    assert [d.policy for d in deriver.on(_record(kg, "us-century-plant"), "2024-01-01")] == [
        "us-45q-arrta-2009", "us-45q-bba-2018", "us-45q-begin-construction-notice-2020", "us-45q-eiea-2008",
        "us-45q-final-regulations-2021", "us-45q-ira-2022", "us-45q-partnership-safe-harbor-2020",
        "us-45q-tcdtra-2020", "us-epa-class-vi-rule-2010", "us-epa-ghgrp-subpart-rr-2010", "us-iija-ccus-2021"]
    assert [d.policy for d in deriver.on(_record(kg, "us-century-plant"), "2019-01-01")] == [
        "us-45q-arrta-2009", "us-45q-bba-2018", "us-45q-eiea-2008", "us-epa-class-vi-rule-2010",
        "us-epa-ghgrp-subpart-rr-2010"]


def test_links_carry_their_basis_rule_and_days(land: KnowledgeGraph) -> None:
    triples = set(land.triples)
    stated = M.facility_policy_link("nl-hub", "eu-ccs-2009")
    assert {(p, o) for s, p, o in triples if s == stated} == {
        (RDF.type, CCUS.FacilityPolicyLink), (CCUS.instrument, M.policy("eu-ccs-2009")),
        (CCUS.basis, Literal("stated")), (CCUS.inForceFrom, Literal("2009-06-25", datatype=XSD.date))}
    context = M.rule_context("NL", ("transport", "storage"))
    assert str(context) == "https://w3id.org/ccus-kg/id/context/NL/transport%2Bstorage"
    assert (M.facility("nl-hub"), CCUS.ruleContext, context) in triples
    derived = M.context_policy_link("NL", ("transport", "storage"), "eu-ccs-2009")
    assert (context, CCUS.policyLink, derived) in triples
    assert {(p, o) for s, p, o in triples if s == derived} == {
        (RDF.type, CCUS.FacilityPolicyLink), (CCUS.instrument, M.policy("eu-ccs-2009")),
        (CCUS.basis, Literal("derived")), (CCUS.derivationRule, RULE["facility-governing-instrument"]),
        (PROV.wasDerivedFrom, M.policy("eu-ccs-2009")),
        (CCUS.reason, Literal("category:storage")), (CCUS.reason, Literal("pillar:financial_assurance")),
        (CCUS.inForceFrom, Literal("2009-06-25", datatype=XSD.date))}
    # no-storage-2010 ended when the 2014 regulations came into force
    ended = M.context_policy_link("NO", ("storage",), "no-storage-2010")
    assert (ended, CCUS.inForceUntil, Literal("2014-12-19", datatype=XSD.date)) in triples


# --- profiles ------------------------------------------------------------------------------------------


def test_profile_timeline_of_one_country(land: KnowledgeGraph) -> None:
    source = land.source()
    lineage, scope = Lineage.from_source(source), scopes(source)
    covered = [(p["date"], sorted(k for k, v in p["pillars"].items() if v["covered"]))
               for p in timeline(lineage, scope, "NO", range(2009, 2017))]
    assert covered == [
        ("2009-01-01", []), ("2010-01-01", []), ("2011-01-01", ["liability_period"]),
        ("2012-01-01", ["liability_period"]), ("2013-01-01", ["liability_period"]),
        ("2014-01-01", ["liability_period"]), ("2015-01-01", ["liability_transfer", "pore_space_rights"]),
        ("2016-01-01", ["liability_transfer", "pore_space_rights"])]
    nl = profile(lineage, scope, "NL", "2024-01-01")["pillars"]
    assert nl["financial_assurance"] == {"covered": True, "instruments": ["eu-ccs-2009"]}  # the EU is above NL
    nd = profile(lineage, scope, "US-ND", "2024-01-01")["pillars"]
    assert nd["pore_space_rights"] == {"covered": True, "instruments": ["us-nd-storage-2009"]}
    assert profile(lineage, scope, "US", "2024-01-01")["pillars"]["pore_space_rights"]["covered"] is False


def test_profile_command_json_and_svg(tmp_path: Path) -> None:
    svg = tmp_path / "no.svg"
    result = CliRunner().invoke(main, ["profile", "--country", "Norway", "--date", "2015-06-01", "--seeds",
                                       str(LANDSCAPE), "--format", "json", "--svg", str(svg)])
    assert result.exit_code == 0, result.output
    empty = {"covered": False, "instruments": []}
    assert json.loads(result.output) == {"jurisdiction": "NO", "date": "2015-06-01", "pillars": {
        "co2_definition": empty, "cross_border_rules": empty, "financial_assurance": empty,
        "liability_period": empty, "liability_transfer": {"covered": True, "instruments": ["no-storage-2014"]},
        "permitting_lead_time": empty, "pore_space_rights": {"covered": True, "instruments": ["no-storage-2014"]}}}
    text = svg.read_text()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
    assert "pore_space_rights 2015-01-01: no-storage-2014" in text and "http://" not in text.split("xmlns=")[0]


@pytest.mark.parametrize(("args", "message"), [
    (["--country", "Atlantis", "--date", "2024-01-01"], "--country 'Atlantis' names no ISO 3166"),
    (["--country", "NO", "--date", "2024-02-30"], "--date '2024-02-30' is not a real date"),
])
def test_profile_command_errors_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["profile", *args, "--seeds", str(LANDSCAPE)])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


# --- queries on both engines -------------------------------------------------------------------------

LANDSCAPE_CASES: dict[str, tuple[dict[str, str], list[tuple[str, ...]]]] = {
    "facility-policies": ({"id": "nl-hub", "date": "2024-01-01"}, [
        ("eu-ccs-2009", "CCS Directive@en", "stated", "true"),
        ("no-storage-2014", "Storage Regulations 2014@en", "stated", "false")]),
    "facilities-by-policy": ({"policy": "no-storage-2014"}, [
        ("nl-hub", "Harbour Hub@en", "NL", "T&S", "Under construction", "2.5", "stated"),
        ("no-field", "Offshore Field Store@en", "NO", "Storage", "Operational", "1", "stated"),
        ("no-misplaced", "Misplaced Store@en", "NO", "Storage", "Planned", "0.5", "derived")]),
    "operating-capacity": ({}, [("US", "1", "3"), ("NO", "1", "1")]),
    "pillar-coverage": ({"jurisdiction": "NO"}, [("NO", "liability_period", "1", "no-storage-2010"),
                                                 ("NO", "liability_transfer", "1", "no-storage-2014"),
                                                 ("NO", "pore_space_rights", "1", "no-storage-2014")]),
    "link-disagreements": ({}, [("nl-hub", "no-storage-2014", "stated only"),
                                ("no-field", "no-storage-2010", "derived only"),
                                ("no-misplaced", "no-storage-2010", "derived only"),
                                ("no-misplaced", "no-storage-2014", "derived only")]),
    "instrument-scope": ({"jurisdiction": "US"}, [("us-credit-2018", "US", "Incentive", "")]),
}
MORE_DAYS = [({"id": "no-field", "date": "2012-01-01"}, [("no-storage-2010", "Storage Regulations 2010@en",
                                                           "derived", "true")]),
             ({"id": "no-field", "date": "2024-01-01"}, [("no-storage-2014", "Storage Regulations 2014@en",
                                                           "stated", "true")]),
             ({"id": "us-plant", "date": "2017-01-01"}, [])]


def numeric(text: str) -> str:
    """Engines print a decimal as 1, 1.0 or 1.0E0: compare the number."""
    return re.sub(r"^(\d+)(\.0+)?(E0)?$", r"\1", text)


def _rows(kg: KnowledgeGraph, name: str, params: dict[str, str]) -> list[tuple[str, ...]]:
    return [tuple(numeric(plain(v)) for v in row) for row in run(kg.source(), name, params).rows]


def _ox_rows(store: ox.Store, name: str, params: dict[str, str]) -> list[tuple[str, ...]]:
    from kg.queries import bind

    result = store.query(bind(catalogue()[name], params))
    names = [v.value for v in result.variables]
    out = []
    for solution in result:
        row = []
        for n in names:
            term = solution[n]
            row.append("" if term is None else f"{term.value}@{term.language}"
                       if isinstance(term, ox.Literal) and term.language else numeric(term.value))
        out.append(tuple(row))
    return out


@pytest.fixture(scope="module")
def land_store(land: KnowledgeGraph) -> ox.Store:
    store = ox.Store()
    store.load(ntriples(land.graph()).encode(), ox.RdfFormat.N_TRIPLES)
    return store


@pytest.mark.parametrize("name", sorted(LANDSCAPE_CASES))
def test_landscape_queries_exact_rows_on_both_engines(name: str, land: KnowledgeGraph, land_store: ox.Store) -> None:
    params, expected = LANDSCAPE_CASES[name]
    assert _rows(land, name, params) == expected
    assert _ox_rows(land_store, name, params) == expected


@pytest.mark.parametrize(("params", "expected"), MORE_DAYS)
def test_facility_policies_follow_the_in_force_rule(params: dict[str, str], expected: list, land: KnowledgeGraph,
                                                    land_store: ox.Store) -> None:
    assert _rows(land, "facility-policies", params) == expected
    assert _ox_rows(land_store, "facility-policies", params) == expected


# --- pages -----------------------------------------------------------------------------------------------


def test_pages(land: KnowledgeGraph) -> None:
    pages = LandscapePages(land)
    page = pages.route("/facility/nl-hub", {"date": "2024-01-01"})
    assert page is not None and "<h1 lang=\"en\">Harbour Hub</h1>" in page
    assert ("<td>stated</td><td>category:storage, pillar:financial_assurance</td><td>in force 2009-06-25 – </td>"
            "<td>yes</td>") in page
    assert "<td>stated</td><td>not supported by the rule</td>" in page
    jur = pages.route("/jurisdiction/NO", {"date": "2015-06-01"})
    assert jur is not None and "<td>liability_transfer</td><td>yes</td>" in jur and "Offshore Field Store" in jur
    world = pages.route("/map", {})
    assert world is not None and world.count("<circle cx=") == 5 + 6  # five facilities, six legend dots
    for html in (page, jur, world):  # nothing fetched from elsewhere: no tiles, no CDN
        assert re.findall(r"https?://[^\s\"<]+", html) == ["http://www.w3.org/2000/svg"] * html.count("<svg ")
    assert pages.route("/facility/nope", {}) is None and pages.route("/jurisdiction/ZZ", {}) is None
    assert pages.route("/facility/nl-hub", {"date": "2024-02-30"}) is None


# --- the hub ----------------------------------------------------------------------------------------------


def _builds_and_reports(root: Path, counts: tuple[int, int, int], expected: list[tuple[object, ...]],
                        facility: str, tmp_path: Path) -> None:
    """A content root loads with these record counts, reports (at least) these findings, none of them a point
    outside its country, and builds with --allow-invalid: written, exit 1, the facility in the dump."""
    kg = load(root)
    kg.validate()
    assert (len(kg.corpus.records), len(kg.corpus.facilities), len(kg.corpus.countries)) == counts
    got = set(where(kg, root))
    for finding in expected:
        assert finding in got, finding
    assert not any(rule == "InsideCountry" for *_, rule in got)  # every point lies in (or off) its country
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--seeds", str(root), "--out", str(out), "--allow-invalid"])
    assert result.exit_code == 1  # written, and the exit code says the data has violations
    assert f"/facility/{facility}>" in (out / "ccus-kg.nt").read_text()


def test_the_full_hub_content_root_builds_and_reports_its_real_defects(tmp_path: Path) -> None:
    if not (HUB_ROOT / "facilities").is_dir():
        pytest.skip("../shared/ccus-policy-hub is absent: the hub sample is not shipped with the repo")
    _builds_and_reports(HUB_ROOT, (152, 160, 44), [
        ("facilities/en/1.md", 46, "relatedPolicies[0]", V, "RelatedPolicyExists"),
        ("facilities/en/1097.md", 9, "country", W, "unknown-country"),
        ("countries/en/algeria.md", 20, "regulatory.liability_transfer", W, "profile-without-instrument"),
    ], "1", tmp_path)


def test_the_shipped_hub_like_content_root_builds_and_reports_its_defects(tmp_path: Path) -> None:
    from .fixtures_hub import HUB_LIKE, write_hub_like

    written = write_hub_like(tmp_path / "written")
    shipped = sorted(p.relative_to(HUB_LIKE) for p in HUB_LIKE.rglob("*.md"))
    assert shipped == sorted(p.relative_to(written) for p in written.rglob("*.md"))
    for rel in shipped:  # the shipped fixture is what its writer writes
        assert (HUB_LIKE / rel).read_bytes() == (written / rel).read_bytes(), rel
    _builds_and_reports(HUB_LIKE, (14, 3, 2), [
        ("facilities/en/12.md", 22, "relatedPolicies[0]", V, "RelatedPolicyExists"),
        ("facilities/en/34.md", 7, "country", W, "unknown-country"),
        ("countries/en/norway.md", 16, "regulatory.liability_transfer", W, "profile-without-instrument"),
        ("policies/en/cn-ets-pilot.md", 16, "evolution.supersedes[0]", V, "LinkTargetExists"),
    ], "12", tmp_path)


def test_the_server_routes_the_landscape_pages(land: KnowledgeGraph) -> None:
    from kg.server import App

    app = App(land)
    for target, status in [("/facility/no-field?date=2012-01-01", 200), ("/jurisdiction/NL", 200), ("/map", 200),
                           ("/facility/nope", 404), ("/jurisdiction/NL?date=2024-13-01", 404)]:
        response = app.handle("GET", target, {"accept": "text/html"})
        assert response.status == status, target
    page = app.handle("GET", "/facility/no-field?date=2012-01-01", {}).body.decode()
    assert ("no-storage-2010</a></td><td>Storage Regulations 2010</td><td>derived</td><td>category:storage, "
            "pillar:liability_period</td><td>in force 2010-06-01 – 2014-12-19</td><td>yes</td></tr>") in page
