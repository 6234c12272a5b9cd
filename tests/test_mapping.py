"""Record -> triples: one test per mapped field, and the exact reverse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg.build import load
from kg.errors import Severity
from kg.iris import Minter
from kg.mapping import records_from_triples
from kg.namespaces import CATEGORY, CCUS, DIMENSION, EU_COUNTRY, LEGAL_WEIGHT, REVIEW_STATUS, STATUS
from kg.records import load_corpus

from .conftest import REFERENCE_COPY, SEEDS, minimal_record, write_record

M = Minter()
P = M.policy("no-storage-2014")
# The hub sample's records name 78 distinct cluster names (58 English, 20 Chinese): paired by
# position, the Chinese names label the English nodes.
HUB_CLUSTERS, HUB_CHINESE_ONLY = 58, 0
SHIPPED_CLUSTERS, SHIPPED_CHINESE_ONLY = 5, 0  # tests/fixtures/hub-like: every Chinese name pairs an English one


def mapped(tmp_path: Path, *records: dict[str, Any], body: str = "A summary.") -> Graph:
    for data in records:
        write_record(tmp_path, data, body=body)
    kg = load(tmp_path)
    assert [f for f in kg.findings if f.severity is Severity.VIOLATION] == []
    graph = Graph()
    for t in kg.triples:
        graph.add(t)
    return graph


def one(tmp_path: Path, **fields: Any) -> Graph:
    return mapped(tmp_path, minimal_record("no-storage-2014", **fields))


def test_policy_type_and_identifier(tmp_path: Path) -> None:
    g = one(tmp_path)
    assert (P, RDF.type, CCUS.Policy) in g
    assert (P, DCTERMS.identifier, Literal("no-storage-2014")) in g


def test_title_is_language_tagged(tmp_path: Path) -> None:
    g = one(tmp_path, title="Storage regulations")
    assert (P, DCTERMS.title, Literal("Storage regulations", lang="en")) in g


def test_pubdate_is_xsd_date_and_year_is_gyear(tmp_path: Path) -> None:
    g = one(tmp_path, pubDate="2014-12-19", year=2014)
    assert (P, DCTERMS.issued, Literal("2014-12-19", datatype=XSD.date)) in g
    assert (P, CCUS.year, Literal("2014", datatype=XSD.gYear)) in g


def test_source_url_and_country(tmp_path: Path) -> None:
    g = one(tmp_path, source="Ministry of Petroleum and Energy", url="https://lovdata.no/x",
            country="Norway")
    assert (P, CCUS.issuingBody, Literal("Ministry of Petroleum and Energy", lang="en")) in g
    assert (P, CCUS.url, Literal("https://lovdata.no/x", datatype=XSD.anyURI)) in g
    assert (P, CCUS.countryName, Literal("Norway", lang="en")) in g


def test_country_links_an_iso_jurisdiction_with_eu_authority(tmp_path: Path) -> None:
    g = one(tmp_path, country="Norway")
    no = M.jurisdiction("NO")
    assert (P, CCUS.jurisdiction, no) in g
    assert (no, RDF.type, CCUS.Jurisdiction) in g
    assert (no, SKOS.notation, Literal("NO")) in g
    assert (no, RDFS.label, Literal("挪威", lang="zh")) in g
    assert (no, SKOS.exactMatch, EU_COUNTRY.NOR) in g


def test_explicit_subdivision_is_part_of_its_country(tmp_path: Path) -> None:
    g = one(tmp_path, country="Canada", jurisdiction="CA-AB")
    ab, ca = M.jurisdiction("CA-AB"), M.jurisdiction("CA")
    assert (P, CCUS.jurisdiction, ab) in g
    assert (ab, DCTERMS.isPartOf, ca) in g
    assert (ab, RDFS.label, Literal("Alberta", lang="en")) in g
    assert (ca, SKOS.exactMatch, EU_COUNTRY.CAN) in g


def test_eu_and_international(tmp_path: Path) -> None:
    g = mapped(tmp_path, minimal_record("eu-x-2009", country="European Union"),
               minimal_record("intl-x-2006", country="国际"))
    assert (M.policy("eu-x-2009"), CCUS.jurisdiction, M.jurisdiction("EU")) in g
    assert (M.policy("intl-x-2006"), CCUS.jurisdiction, M.jurisdiction("INT")) in g


@pytest.mark.parametrize(("field", "value", "link", "label", "concept"), [
    ("status", "现行", CCUS.status, CCUS.statusLabel, STATUS.active),
    ("status", "Superseded", CCUS.status, CCUS.statusLabel, STATUS.superseded),
    ("category", "法律监管", CCUS.category, CCUS.categoryLabel, CATEGORY.regulatory),
    ("category", "Tax Incentives", CCUS.category, CCUS.categoryLabel, CATEGORY.incentive),
    ("legalWeight", "Guideline/Policy", CCUS.legalWeight, CCUS.legalWeightLabel, LEGAL_WEIGHT.guidance),
    ("legalWeight", "Primary Legislation", CCUS.legalWeight, CCUS.legalWeightLabel,
     LEGAL_WEIGHT["primary-legislation"]),
    ("reviewStatus", "verified", CCUS.reviewStatus, CCUS.reviewStatusLabel, REVIEW_STATUS.verified),
])
def test_controlled_values_map_to_concepts_and_keep_the_text(
    tmp_path: Path, field: str, value: str, link: URIRef, label: URIRef, concept: URIRef
) -> None:
    g = one(tmp_path, **{field: value})
    assert (P, link, concept) in g
    assert (P, label, Literal(value, lang="en")) in g


def test_unmapped_value_is_kept_as_written(tmp_path: Path) -> None:
    """No concept link, the text kept; the SHACL shape UnmappedValue warns (test_validation)."""
    write_record(tmp_path, minimal_record("no-storage-2014", legalWeight="Fiscal Incentive"))
    kg = load(tmp_path)
    g = set(kg.triples)
    assert (P, CCUS.legalWeightLabel, Literal("Fiscal Incentive", lang="en")) in g
    assert not any(s == P and p == CCUS.legalWeight for s, p, _ in g)
    assert kg.findings == []


def test_unknown_country_is_kept_as_written(tmp_path: Path) -> None:
    write_record(tmp_path, minimal_record("no-storage-2014", country="Atlantis"))
    kg = load(tmp_path)
    assert (P, CCUS.countryName, Literal("Atlantis", lang="en")) in set(kg.triples)
    assert not any(s == P and p == CCUS.jurisdiction for s, p, _ in kg.triples)
    assert kg.findings == []


def test_assessments_one_node_per_dimension(tmp_path: Path) -> None:
    g = one(tmp_path, analysis={"mrv": {"score": 75, "label": "Standard reporting",
                                        "evidence": "Monitoring plan required.",
                                        "citation": "Section 4", "auditNote": "checked"}})
    a = M.assessment("no-storage-2014", "mrv")
    assert (P, CCUS.hasAssessment, a) in g
    assert (a, RDF.type, CCUS.DimensionAssessment) in g
    assert (a, CCUS.dimension, DIMENSION.mrv) in g
    assert (a, CCUS.score, Literal(75)) in g
    assert Literal(75).datatype == XSD.integer
    assert (a, RDFS.label, Literal("Standard reporting", lang="en")) in g
    assert (a, CCUS.evidence, Literal("Monitoring plan required.", lang="en")) in g
    assert (a, CCUS.citation, Literal("Section 4", lang="en")) in g
    assert (a, CCUS.auditNote, Literal("checked", lang="en")) in g


def test_impact_and_regulatory_fields(tmp_path: Path) -> None:
    g = one(tmp_path, impactAnalysis={"economic": "E", "environmental": "N", "technical": "T"},
            regulatory={"co2_definition": "C", "cross_border_rules": "X", "financial_assurance": "F",
                        "liability_period": "20 years", "liability_transfer": "To the State",
                        "permitting_lead_time": "P", "pore_space_rights": "",
                        })
    for pred, text in [(CCUS.economicImpact, "E"), (CCUS.environmentalImpact, "N"),
                       (CCUS.technicalImpact, "T"), (CCUS.co2Definition, "C"), (CCUS.crossBorderRules, "X"),
                       (CCUS.financialAssurance, "F"), (CCUS.liabilityPeriod, "20 years"),
                       (CCUS.liabilityTransfer, "To the State"), (CCUS.permittingLeadTime, "P")]:
        assert (P, pred, Literal(text, lang="en")) in g
    # An empty pillar means "not addressed": no triple.
    assert not list(g.objects(P, CCUS.poreSpaceRights))


def test_lineage_both_directions_between_known_policies(tmp_path: Path) -> None:
    old = minimal_record("no-old-2010", status="Superseded",
                         evolution={"supersedes": [], "supersededBy": "no-storage-2014"})
    new = minimal_record("no-storage-2014", evolution={"supersedes": ["no-old-2010", "gone-1999"],
                                                       "supersededBy": ""})
    g = mapped(tmp_path, old, new)
    o = M.policy("no-old-2010")
    assert (P, CCUS.supersedes, o) in g
    assert (o, CCUS.supersededBy, P) in g
    # A dangling target is stated as written but gets no inverse about a non-policy.
    assert (P, CCUS.supersedes, M.policy("gone-1999")) in g
    assert not list(g.triples((M.policy("gone-1999"), None, None)))


def test_inverse_is_added_when_only_one_side_states_it(tmp_path: Path) -> None:
    g = mapped(tmp_path, minimal_record("no-old-2010"),
               minimal_record("no-storage-2014", evolution={"supersedes": ["no-old-2010"]}))
    assert (M.policy("no-old-2010"), CCUS.supersededBy, P) in g


@pytest.mark.parametrize(("field", "inverse"), [
    ("amends", "amendedBy"), ("repeals", "repealedBy"), ("implements", "implementedBy"),
    ("transposes", "transposedBy"), ("amendedBy", "amends"), ("repealedBy", "repeals"),
    ("implementedBy", "implements"), ("transposedBy", "transposes")])
def test_typed_links_are_stated_both_ways_between_known_policies(tmp_path: Path, field: str,
                                                                 inverse: str) -> None:
    g = mapped(tmp_path, minimal_record("no-old-2010"),
               minimal_record("no-storage-2014", evolution={field: ["no-old-2010", "gone-1999"]}))
    o = M.policy("no-old-2010")
    assert (P, CCUS[field], o) in g
    assert (o, CCUS[inverse], P) in g
    assert (P, CCUS[field], M.policy("gone-1999")) in g
    assert not list(g.triples((M.policy("gone-1999"), None, None)))


def test_a_single_id_is_accepted_for_a_typed_link_and_round_trips(tmp_path: Path) -> None:
    g = mapped(tmp_path, minimal_record("no-old-2010"),
               minimal_record("no-storage-2014", evolution={"amends": "no-old-2010", "repeals": ""}))
    assert (P, CCUS.amends, M.policy("no-old-2010")) in g
    assert not list(g.triples((P, CCUS.repeals, None)))
    roundtrip(tmp_path)


def test_a_typed_link_of_the_wrong_type_is_a_load_error(tmp_path: Path) -> None:
    write_record(tmp_path, minimal_record("no-storage-2014", evolution={"amends": ["no-a-2010", 7]}))
    corpus = load_corpus(tmp_path)
    assert [(f.field, f.message) for f in corpus.findings] == [
        ("evolution.amends[1]", "evolution.amends[1] must be a string, got 7")]


def test_sources_are_minted_nodes_with_url_title_and_supported_fields(tmp_path: Path) -> None:
    g = one(tmp_path, sources=[
        {"url": "https://lovdata.no/x", "title": "Lovdata", "supports": ["pubDate", "evolution.amends[0]"]},
        {"title": "Official Gazette", "supports": []}])
    s1, s2 = M.source("no-storage-2014", 1), M.source("no-storage-2014", 2)
    assert str(s1) == "https://w3id.org/ccus-kg/id/policy/no-storage-2014/source/1"
    assert (P, DCTERMS.source, s1) in g and (P, DCTERMS.source, s2) in g
    assert (s1, RDF.type, CCUS.Source) in g
    assert (s1, URIRef("https://schema.org/url"), Literal("https://lovdata.no/x", datatype=XSD.anyURI)) in g
    assert (s1, DCTERMS.title, Literal("Lovdata", lang="en")) in g
    assert set(g.objects(s1, CCUS.supports)) == {Literal("pubDate"), Literal("evolution.amends[0]")}
    assert (s2, DCTERMS.title, Literal("Official Gazette", lang="en")) in g
    assert not list(g.objects(s2, CCUS.supports))
    roundtrip(tmp_path)


def test_a_supported_path_the_format_does_not_define_is_a_warning(tmp_path: Path) -> None:
    write_record(tmp_path, minimal_record("no-storage-2014", sources=[
        {"url": "https://lovdata.no/x", "title": "Lovdata", "supports": ["status", "budget"]}]))
    found = [(f.field, f.severity, f.message) for f in load(tmp_path).findings
             if f.rule.endswith("unknown-supports")]
    assert found == [("sources[0].supports[1]", Severity.WARNING,
                      "sources[0].supports[1] names no field of the record format")]


def test_a_malformed_source_is_a_load_error(tmp_path: Path) -> None:
    write_record(tmp_path, minimal_record("no-storage-2014", sources=[
        "https://lovdata.no/x", {"url": 5, "supports": "pubDate", "page": 3}]))
    assert [f.field for f in load_corpus(tmp_path).findings] == [
        "sources[0]", "sources[1].url", "sources[1].supports"]


def test_an_unknown_key_of_a_source_is_kept_with_a_warning(tmp_path: Path) -> None:
    write_record(tmp_path, minimal_record("no-storage-2014", sources=[
        {"url": "https://lovdata.no/x", "title": "Lovdata", "supports": ["pubDate"], "accessed": "2026-11-30"}]))
    found = [(f.field, f.severity, f.message) for f in load(tmp_path).findings if f.rule.endswith("unknown-field")]
    assert found == [("sources[0].accessed", Severity.WARNING,
                      "sources[0].accessed is not a field of a source (url, title, supports); kept as written")]
    roundtrip(tmp_path)


def test_aligned_english_and_chinese_clusters_are_one_node_with_both_labels(tmp_path: Path) -> None:
    write_record(tmp_path / "en", minimal_record(
        "no-storage-2014", evolution={"clusters": ["North Sea Storage", "Carbon Markets"]}))
    write_record(tmp_path / "zh", minimal_record(
        "no-storage-2014", title="封存条例", evolution={"clusters": ["北海封存", "碳市场"]}))
    kg = load(tmp_path)
    g = set(kg.triples)
    north, markets = M.cluster("North Sea Storage"), M.cluster("Carbon Markets")
    assert {o for s, p, o in g if s == P and p == CCUS.inCluster} == {north, markets}
    assert {o for s, p, o in g if s == north and p == RDFS.label} == {
        Literal("North Sea Storage", lang="en"), Literal("北海封存", lang="zh")}
    assert (markets, RDFS.label, Literal("碳市场", lang="zh")) in g
    assert not [f for f in kg.findings if f.rule.endswith("cluster-alignment")]
    roundtrip(tmp_path)


def test_clusters_that_cannot_be_paired_stay_apart_with_a_warning_naming_both_fields(tmp_path: Path) -> None:
    write_record(tmp_path / "en", minimal_record(
        "no-storage-2014", evolution={"clusters": ["North Sea Storage", "Carbon Markets"]}))
    write_record(tmp_path / "zh", minimal_record(
        "no-storage-2014", title="封存条例", evolution={"clusters": ["北海封存"]}))
    kg = load(tmp_path)
    assert (P, CCUS.inCluster, M.cluster("北海封存")) in set(kg.triples)
    found = [f for f in kg.findings if f.rule.endswith("cluster-alignment")]
    assert [(f.file.rsplit("/", 2)[-2:], f.field, f.severity, f.line) for f in found] == [
        (["zh", "no-storage-2014.md"], "evolution.clusters", Severity.WARNING, 19)]
    assert found[0].message == (
        f"evolution.clusters names 1 cluster(s) but {tmp_path}/en/no-storage-2014.md evolution.clusters "
        "names 2: the two lists cannot be paired, so these names become cluster nodes of their own")
    roundtrip(tmp_path)


def _cluster_counts(root: Path) -> tuple[int, int]:
    kg = load(root)
    assert not [f for f in kg.findings if f.rule.endswith("cluster-alignment")]
    clusters = {s for s, p, o in kg.triples if p == RDF.type and o == CCUS.Cluster}
    chinese_only = {s for s in clusters
                    if not any(t[0] == s and t[1] == RDFS.label and t[2].language == "en" for t in kg.triples)}
    return len(clusters), len(chinese_only)


def test_hub_clusters_are_one_node_per_aligned_english_and_chinese_pair(hub: Path) -> None:
    assert _cluster_counts(hub) == (HUB_CLUSTERS, HUB_CHINESE_ONLY)


def test_shipped_bilingual_clusters_are_one_node_per_aligned_pair() -> None:
    from .fixtures_hub import POLICIES

    assert _cluster_counts(POLICIES) == (SHIPPED_CLUSTERS, SHIPPED_CHINESE_ONLY)
    g = set(load(POLICIES).triples)
    market = M.cluster("China carbon market")
    assert (market, RDFS.label, Literal("China carbon market", lang="en")) in g
    assert (market, RDFS.label, Literal("中国碳市场", lang="zh")) in g


def test_consolidated_from_and_clusters(tmp_path: Path) -> None:
    g = one(tmp_path, evolution={"consolidatedFrom": ["no-a-2009"], "clusters": ["North Sea Storage"]})
    c = M.cluster("North Sea Storage")
    assert str(c) == "https://w3id.org/ccus-kg/id/cluster/north-sea-storage"
    assert (P, CCUS.consolidatedFrom, M.policy("no-a-2009")) in g
    assert (P, CCUS.inCluster, c) in g
    assert (c, RDF.type, CCUS.Cluster) in g
    assert (c, RDFS.label, Literal("North Sea Storage", lang="en")) in g


def test_milestones_are_dated_nodes_with_partial_dates(tmp_path: Path) -> None:
    g = one(tmp_path, evolution={"milestones": [{"date": "2024-05", "event": "Enacted"},
                                                {"date": "2024-08-05", "event": "In force"}]})
    m1, m2 = M.milestone("no-storage-2014", 1), M.milestone("no-storage-2014", 2)
    assert (P, CCUS.hasMilestone, m1) in g
    assert (m1, RDF.type, CCUS.Milestone) in g
    assert (m1, CCUS.milestoneDate, Literal("2024-05", datatype=XSD.gYearMonth)) in g
    assert (m2, CCUS.milestoneDate, Literal("2024-08-05", datatype=XSD.date)) in g
    assert (m1, CCUS.event, Literal("Enacted", lang="en")) in g


def test_other_evolution_fields(tmp_path: Path) -> None:
    g = one(tmp_path, evolution={"currentConsolidatedVersion": "2018-12-24",
                                 "effectiveApplicationWindow": "2023-02-25/2027-12-31",
                                 "sourcePublicationDate": "2023-05-31"})
    assert (P, CCUS.currentConsolidatedVersion, Literal("2018-12-24", lang="en")) in g
    assert (P, CCUS.effectiveApplicationWindow, Literal("2023-02-25/2027-12-31")) in g
    assert (P, CCUS.sourcePublicationDate, Literal("2023-05-31", datatype=XSD.date)) in g


def test_description_interpretation_sectors_facilities_body(tmp_path: Path) -> None:
    g = mapped(tmp_path, minimal_record("no-storage-2014", description="D", interpretation="I",
                                        sectors=["Steel", "Cement"], relatedFacilities=["101", "7"]),
               body="The body.")
    assert (P, CCUS.description, Literal("D", lang="en")) in g
    assert (P, CCUS.interpretation, Literal("I", lang="en")) in g
    assert (P, CCUS.sector, Literal("Cement", lang="en")) in g
    assert (P, CCUS.relatedFacility, Literal("7")) in g
    assert (P, CCUS.summary, Literal("The body.", lang="en")) in g


def test_provenance_with_prov_o(tmp_path: Path) -> None:
    g = mapped(tmp_path,
               minimal_record("no-storage-2014", provenance={"author": "Gemini Intelligence",
                                                             "reviewer": "Human Audit Pending",
                                                             "lastAuditDate": "2026-02-08"}),
               minimal_record("no-other-2015", provenance={"author": "Jane Analyst"}))
    ai, person = M.agent("Gemini Intelligence"), M.agent("Jane Analyst")
    assert (P, PROV.wasAttributedTo, ai) in g
    assert (ai, RDF.type, PROV.SoftwareAgent) in g
    assert (ai, RDFS.label, Literal("Gemini Intelligence")) in g
    assert (person, RDF.type, PROV.Agent) in g
    assert (person, RDF.type, PROV.SoftwareAgent) not in g
    assert (P, CCUS.reviewer, Literal("Human Audit Pending")) in g
    assert (P, CCUS.lastAuditDate, Literal("2026-02-08", datatype=XSD.date)) in g


def test_source_record_node(tmp_path: Path) -> None:
    g = one(tmp_path)
    src = M.source_record("no-storage-2014", "en")
    assert (P, PROV.wasDerivedFrom, src) in g
    assert (src, RDF.type, CCUS.SourceRecord) in g
    assert (src, CCUS.sourceFile, Literal("no-storage-2014.md")) in g
    assert (src, CCUS.frontMatterFormat, Literal("json")) in g
    assert (src, DCTERMS.language, Literal("en")) in g


def test_unknown_fields_are_kept_as_extra(tmp_path: Path) -> None:
    write_record(tmp_path, minimal_record("no-storage-2014", fundingMillions=120,
                                          regulatory={"storage_method": "Saline aquifers"}))
    kg = load(tmp_path)
    g = set(kg.triples)
    top, nested = M.extra("no-storage-2014", "fundingMillions"), M.extra("no-storage-2014",
                                                                         "regulatory.storage_method")
    assert (P, CCUS.extra, top) in g
    assert (top, CCUS.fieldPath, Literal("fundingMillions")) in g
    assert (top, CCUS.value, Literal("120", datatype=RDF.JSON)) in g
    assert (nested, CCUS.value, Literal("Saline aquifers", lang="en")) in g
    assert sorted((f.severity, f.field) for f in kg.findings) == [
        (Severity.INFO, "fundingMillions"), (Severity.INFO, "regulatory.storage_method"),
    ]


def test_language_versions_merge_into_one_policy(tmp_path: Path) -> None:
    write_record(tmp_path / "en", minimal_record("no-storage-2014", title="Storage regulations",
                                                 status="Active"))
    write_record(tmp_path / "zh", minimal_record("no-storage-2014", title="封存条例", status="现行"))
    g = set(load(tmp_path).triples)
    assert (P, DCTERMS.title, Literal("Storage regulations", lang="en")) in g
    assert (P, DCTERMS.title, Literal("封存条例", lang="zh")) in g
    assert (P, CCUS.status, STATUS.active) in g
    assert len([t for t in g if t[0] == P and t[1] == DCTERMS.issued]) == 1


def test_no_blank_nodes_anywhere(bilingual: Path) -> None:
    from rdflib import BNode

    triples = load(bilingual).triples
    assert not [t for t in triples if any(isinstance(x, BNode) for x in t)]


# --- the reverse ----------------------------------------------------------------------------


def roundtrip(root: Path) -> None:
    corpus = load_corpus(root)
    kg = load(root)
    back = records_from_triples(kg.triples)
    assert len(back) == len(corpus.records)
    for record in corpus.records:
        data, body = back[(record.id, record.lang)]
        assert data == record.data, record.rel
        assert body == record.body, record.rel


def test_reference_record_round_trips() -> None:
    roundtrip(REFERENCE_COPY)


def test_seeds_round_trip() -> None:
    roundtrip(SEEDS)


def test_bilingual_corpus_round_trips_in_both_languages(bilingual: Path) -> None:
    roundtrip(bilingual)


def test_patch_holds_only_what_rdf_does_not_say() -> None:
    """The reference record's patch: fields present but empty, nothing else."""
    kg = load(REFERENCE_COPY)
    src = Minter().source_record("cn-miit-industrial-plan-2022", "en")
    patch = json.loads(next(str(o) for s, p, o in kg.triples if s == src and p == CCUS.roundTripPatch))
    assert all(op == "set" for op, *_ in patch)
    values = {tuple(path): value for _, path, value in patch}
    assert values[("evolution",)] == {"clusters": [], "supersededBy": "", "supersedes": []}
    assert values[("analysis", "strategic", "citation")] == ""
    assert all(v in ("", [], {}) or isinstance(v, dict) for v in values.values())
