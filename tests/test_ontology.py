"""The shipped ontology files: parseable, complete, blank-node free, one prefix table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg.iris import Minter
from kg.namespaces import CCUS, DATA_LICENSE, ONTOLOGY_IRI, SCHEMES, VANN, prefixes
from kg.vocab import vocabularies

from .conftest import ROOT

ONTOLOGY = ROOT / "ontology"
TURTLE_FILES = sorted(ONTOLOGY.glob("*.ttl"))


def ccus_terms() -> set[str]:
    return {name for name in CCUS.__annotations__ if not name.startswith("_")}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY / "ccus.ttl", format="turtle")


@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: p.name)
def test_parses_with_rdflib_and_oxigraph_without_blank_nodes(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    assert not [t for t in graph if any(isinstance(x, BNode) for x in t)]
    assert len(list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))) == len(graph)


@pytest.mark.parametrize("path", [*TURTLE_FILES, *sorted((ROOT / "queries").glob("*.rq"))],
                         ids=lambda p: p.name)
def test_every_prefix_matches_the_namespace_module(path: Path) -> None:
    table = prefixes()
    text = path.read_text(encoding="utf-8")
    found = re.findall(r"^\s*(?:@prefix|PREFIX)\s+([\w-]*):\s*<([^>]*)>", text, re.M | re.I)
    for prefix, iri in found:
        if prefix in table:
            assert table[prefix] == iri, f"{path.name}: {prefix}: <{iri}> differs from namespaces.py"
        else:
            assert iri not in table.values(), f"{path.name}: <{iri}> under another prefix name '{prefix}'"


def test_every_ccus_term_is_declared_and_nothing_else(ontology: Graph) -> None:
    ns = ONTOLOGY_IRI + "#"
    declared = {str(s)[len(ns):] for s in ontology.subjects(RDF.type, None)
                if isinstance(s, URIRef) and str(s).startswith(ns)}
    assert declared == ccus_terms()


def test_every_term_has_english_and_chinese_labels(ontology: Graph) -> None:
    for name in sorted(ccus_terms()):
        labels = {lit.language for lit in ontology.objects(CCUS[name], RDFS.label)
                  if isinstance(lit, Literal)}
        assert {"en", "zh"} <= labels, name


def test_ontology_metadata(ontology: Graph) -> None:
    """What a Linked Open Vocabularies curator checks on the ontology node."""
    onto = URIRef(ONTOLOGY_IRI)
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, DCTERMS.license) == URIRef(DATA_LICENSE)
    assert str(ontology.value(onto, VANN.preferredNamespacePrefix)) == "ccus"
    assert str(ontology.value(onto, VANN.preferredNamespaceUri)) == str(CCUS._NS)
    version = str(ontology.value(onto, OWL.versionInfo))
    assert ontology.value(onto, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{version}")
    for predicate in (RDFS.label, DCTERMS.title, DCTERMS.description):
        assert sorted(lit.language for lit in ontology.objects(onto, predicate)) == ["en", "zh"], predicate
    created, modified = ontology.value(onto, DCTERMS.created), ontology.value(onto, DCTERMS.modified)
    assert created.datatype == modified.datatype == XSD.date and created.toPython() <= modified.toPython()


def test_creator_and_publisher_are_the_project_agent_the_data_mints(ontology: Graph) -> None:
    onto = URIRef(ONTOLOGY_IRI)
    agent = Minter().agent("ccus-kg project")
    assert list(ontology.objects(onto, DCTERMS.creator)) == [agent]
    assert list(ontology.objects(onto, DCTERMS.publisher)) == [agent]
    assert {PROV.Agent, DCTERMS.Agent} <= set(ontology.objects(agent, RDF.type))
    assert sorted(lit.language for lit in ontology.objects(agent, RDFS.label)) == ["en", "zh"]


def test_every_term_is_defined_by_the_ontology_and_commented_in_english(ontology: Graph) -> None:
    missing = [name for name in sorted(ccus_terms())
               if list(ontology.objects(CCUS[name], RDFS.isDefinedBy)) != [URIRef(ONTOLOGY_IRI)]
               or "en" not in {c.language for c in ontology.objects(CCUS[name], RDFS.comment)}]
    assert missing == []


KINDS = (OWL.Class, RDFS.Datatype, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
BUILT_IN = (str(RDF), str(RDFS), str(OWL))
# Datatypes of the OWL 2 datatype map that the files use: they need no declaration.
OWL2_DATATYPES = {RDF.langString, XSD.string, XSD.integer, XSD.anyURI, XSD.boolean}


def test_every_term_has_exactly_one_kind_and_every_external_term_used_is_declared(ontology: Graph) -> None:
    """The readable twin of the OWL 2 DL check: no punning, nothing undeclared (ccus + schemes)."""
    both = Graph()
    for triple in ontology:
        both.add(triple)
    for triple in vocabularies().graph:
        both.add(triple)
    kinds: dict[URIRef, set[URIRef]] = {}
    for kind in KINDS:
        for term in both.subjects(RDF.type, kind):
            kinds.setdefault(URIRef(term), set()).add(kind)
    assert {t: k for t, k in kinds.items() if len(k) > 1} == {}
    used: set[URIRef] = set()
    for _, p, o in both:
        used.add(URIRef(p))
        if p in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf) or (
                p == RDF.type and o not in KINDS and o != OWL.Ontology):
            used.add(URIRef(o))
    undeclared = sorted(str(t) for t in used if t not in kinds and not str(t).startswith(BUILT_IN)
                        and t not in OWL2_DATATYPES)
    assert undeclared == []
    # A datatype property's range is an OWL 2 datatype or a declared one (rdf:JSON is neither).
    declared = {t for t, k in kinds.items() if RDFS.Datatype in k}
    ranges = {(str(p), str(r)) for p in both.subjects(RDF.type, OWL.DatatypeProperty)
              for r in both.objects(p, RDFS.range) if r not in OWL2_DATATYPES | declared}
    assert ranges == set()


def test_round_trip_patch_is_an_annotation_property_with_the_same_iri(ontology: Graph) -> None:
    """Out of DL reasoning (rdf:JSON is no OWL 2 datatype); the data keeps ccus:roundTripPatch rdf:JSON."""
    patch = CCUS.roundTripPatch
    assert set(ontology.objects(patch, RDF.type)) == {OWL.AnnotationProperty}
    assert str(patch) == ONTOLOGY_IRI + "#roundTripPatch"
    assert (patch, RDFS.domain, CCUS.SourceRecord) in ontology and (patch, RDFS.range, RDF.JSON) in ontology


def test_supersedes_and_superseded_by_are_inverse(ontology: Graph) -> None:
    assert (CCUS.supersedes, OWL.inverseOf, CCUS.supersededBy) in ontology or (
        CCUS.supersededBy, OWL.inverseOf, CCUS.supersedes) in ontology


def test_every_concept_has_english_and_chinese_pref_labels() -> None:
    vocab = vocabularies()
    for concept in vocab.concepts.values():
        assert {lang for lang, _ in concept.labels} >= {"en", "zh"}, concept.iri
    assert {c.scheme for c in vocab.concepts.values()} == set(SCHEMES)


def test_legal_weights_are_ranked_one_to_n() -> None:
    ranks = sorted(c.rank for c in vocabularies().in_scheme("legal-weight"))
    assert ranks == list(range(1, len(ranks) + 1))


def test_hub_legal_weights_map_except_non_weights() -> None:
    vocab = vocabularies()
    mapped = {"Primary Legislation", "Administrative Regulation", "Strategic Guidance", "Guideline/Policy",
              "Departmental Rules", "National Strategy", "Regulatory Directive", "Proposed Legislation",
              "Technical Standard", "Structural Monetary Policy Instrument", "State Aid Scheme",
              "European Commission Communication", "EU Funding Programme", "Voluntary Standard",
              "International Inventory Guideline", "Storage Permit", "Executive Order/Framework",
              "Operational Framework", "Departmental Circular", "Presidential Decree",
              "Federal Statutory Finance Program", "Voluntary Carbon Crediting Methodology"}
    assert {v for v in mapped if vocab.lookup("legal-weight", v) is None} == set()
    assert vocab.lookup("legal-weight", "Fiscal Incentive") is None  # a category, not a weight


def test_skos_alt_labels_cover_chinese_statuses_and_categories() -> None:
    vocab = vocabularies()
    assert vocab.lookup("status", "现行") == vocab.lookup("status", "Active")
    assert vocab.lookup("category", "法律监管") == vocab.lookup("category", "Regulatory")
    assert vocab.lookup("status", "即将实施") == vocab.lookup("status", "Upcoming")
    assert all(isinstance(c, URIRef) for c in vocab.graph.subjects(RDF.type, SKOS.ConceptScheme))


def test_context_is_json_with_the_fixed_prefixes() -> None:
    context = json.loads((ONTOLOGY / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    for prefix in ("ccus", "dcterms", "skos", "xsd"):
        assert context[prefix] == prefixes()[prefix]


def test_no_iri_literals_outside_the_namespace_modules() -> None:
    """Vocabulary IRIs live in namespaces.py (and the two it builds on, as plain text without rdflib, in
    ontology_iris.py); the CLI's help texts may show example URLs."""
    allowed = {"namespaces.py", "ontology_iris.py", "iris.py"}
    offenders = []
    for path in sorted((ROOT / "kg").rglob("*.py")):
        if path.name in allowed or path.parent.name == "cli":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"https?://", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


ELI = "http://data.europa.eu/eli/ontology#"
SCHEMA_ORG = "https://schema.org/"


@pytest.mark.parametrize(("forward", "backward", "eli_forward", "eli_backward", "schema", "changes"), [
    ("amends", "amendedBy", "amends", "amended_by", "legislationAmends", True),
    ("repeals", "repealedBy", "repeals", "repealed_by", "legislationRepeals", True),
    ("implements", "implementedBy", "based_on", "basis_for", None, False),
    ("transposes", "transposedBy", "transposes", "transposed_by", "legislationTransposes", False),
])
def test_typed_relations_are_inverse_pairs_aligned_to_eli_and_schema_org(
        ontology: Graph, forward: str, backward: str, eli_forward: str, eli_backward: str,
        schema: str | None, changes: bool) -> None:
    f, b = CCUS[forward], CCUS[backward]
    assert (f, OWL.inverseOf, b) in ontology and (b, OWL.inverseOf, f) in ontology
    supers_f = set(ontology.objects(f, RDFS.subPropertyOf))
    supers_b = set(ontology.objects(b, RDFS.subPropertyOf))
    assert URIRef(ELI + eli_forward) in supers_f and URIRef(ELI + eli_backward) in supers_b
    assert (URIRef(SCHEMA_ORG + schema) in supers_f) if schema else not any(
        str(p).startswith(SCHEMA_ORG) for p in supers_f)
    # eli:changes covers amendment, replacement and repeal only: implementing or transposing changes nothing.
    assert (URIRef(ELI + "changes") in supers_f) is changes
    assert (URIRef(ELI + "changed_by") in supers_b) is changes
    for term in (f, b):
        assert (term, RDFS.domain, CCUS.Policy) in ontology and (term, RDFS.range, CCUS.Policy) in ontology


def test_every_status_concept_says_whether_it_can_be_in_force() -> None:
    vocab = vocabularies()
    marks = {c.notation: c.may_be_in_force for c in vocab.in_scheme("status")}
    assert marks == {"Active": True, "Adopted": True, "Superseded": True, "Repealed": True, "Expired": True,
                     "Draft": False, "Proposed": False, "Provisionally applied": False, "Withdrawn": False}


@pytest.mark.parametrize(("written", "notation"), [
    ("Draft for public comment", "Draft"), ("征求意见稿", "Draft"), ("Awarded", "Active"),
    ("In effect", "Active"), ("Passed", "Adopted"), ("Provisional application", "Provisionally applied"),
    ("Withdrawn", "Withdrawn"), ("Lapsed", "Expired")])
def test_status_variants_real_data_uses_map_to_a_concept(written: str, notation: str) -> None:
    vocab = vocabularies()
    concept = vocab.lookup("status", written)
    assert concept is not None and vocab.concepts[concept].notation == notation


def test_context_names_every_lineage_link_and_the_sources() -> None:
    context = json.loads((ONTOLOGY / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    for name in ("supersedes", "supersededBy", "amends", "amendedBy", "repeals", "repealedBy", "implements",
                 "implementedBy", "transposes", "transposedBy"):
        assert context[name] == {"@id": f"ccus:{name}", "@type": "@id"}
    assert context["source"] == {"@id": "dcterms:source", "@type": "@id"}
    assert context["supports"] == "ccus:supports"
