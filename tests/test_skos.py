"""The concept schemes of ontology/vocabularies.ttl meet what a SKOS consumer expects.

Every concept: one prefLabel and one definition in English and in Chinese, one notation, one
scheme, and a place in it (a top concept, or under a broader concept of the same scheme). Every
scheme: labelled in both languages and listing its top concepts, consistently with the concepts'
skos:topConceptOf. Each check lists every offender, so one run shows all that is missing.
"""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.namespaces import SCHEMES

from .conftest import ROOT

LANGS = ("en", "zh")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def vocab() -> Graph:
    return Graph().parse(ROOT / "ontology" / "vocabularies.ttl", format="turtle")


def concepts(g: Graph) -> list[URIRef]:
    return sorted(URIRef(c) for c in g.subjects(RDF.type, SKOS.Concept))


def schemes(g: Graph) -> list[URIRef]:
    return sorted(URIRef(s) for s in g.subjects(RDF.type, SKOS.ConceptScheme))


def per_language(g: Graph, node: URIRef, predicate: URIRef) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for value in g.objects(node, predicate):
        if isinstance(value, Literal):
            found.setdefault(value.language or "", []).append(str(value))
    return found


@pytest.mark.parametrize("predicate", [SKOS.prefLabel, SKOS.definition], ids=["prefLabel", "definition"])
def test_every_concept_has_exactly_one_english_and_one_chinese_value(vocab: Graph, predicate: URIRef) -> None:
    offenders = []
    for concept in concepts(vocab):
        values = per_language(vocab, concept, predicate)
        for lang in LANGS:
            if len(values.get(lang, [])) != 1:
                offenders.append(f"{concept} {lang}: {values.get(lang, [])}")
    assert offenders == []


def test_definitions_are_written_out_in_each_language(vocab: Graph) -> None:
    """A definition says more than the label, ends as a sentence, and the Chinese one is Chinese."""
    offenders = []
    for concept in concepts(vocab):
        labels = per_language(vocab, concept, SKOS.prefLabel)
        for lang, (text,) in per_language(vocab, concept, SKOS.definition).items():
            if text in labels.get(lang, []) or not text.endswith("." if lang == "en" else "。"):
                offenders.append(f"{concept} {lang}: {text}")
            if (lang == "zh") != bool(CJK.search(text)):
                offenders.append(f"{concept} {lang} is in the wrong script: {text}")
    assert offenders == []


def test_every_concept_has_one_notation_one_scheme_and_a_place_in_it(vocab: Graph) -> None:
    offenders = []
    known = set(schemes(vocab))
    for concept in concepts(vocab):
        in_schemes = set(vocab.objects(concept, SKOS.inScheme))
        if len(list(vocab.objects(concept, SKOS.notation))) != 1:
            offenders.append(f"{concept}: not exactly one skos:notation")
        if len(in_schemes) != 1 or not in_schemes <= known:
            offenders.append(f"{concept}: skos:inScheme {sorted(in_schemes)}, not one declared scheme")
            continue
        (scheme,) = in_schemes
        top = set(vocab.objects(concept, SKOS.topConceptOf))
        broader = set(vocab.objects(concept, SKOS.broader))
        if top - in_schemes:
            offenders.append(f"{concept}: top concept of {sorted(top - in_schemes)}, a scheme it is not in")
        if not top and not broader:
            offenders.append(f"{concept}: neither a top concept nor under a broader concept")
        for parent in broader:
            if (parent, SKOS.inScheme, scheme) not in vocab:
                offenders.append(f"{concept}: broader {parent} is outside {scheme}")
    assert offenders == []


def test_every_scheme_is_labelled_and_lists_its_top_concepts_consistently(vocab: Graph) -> None:
    offenders = []
    for scheme in schemes(vocab):
        labels = per_language(vocab, scheme, SKOS.prefLabel)
        if any(len(labels.get(lang, [])) != 1 for lang in LANGS):
            offenders.append(f"{scheme}: prefLabel {labels}")
        listed = set(vocab.objects(scheme, SKOS.hasTopConcept))
        claimed = set(vocab.subjects(SKOS.topConceptOf, scheme))
        if not listed:
            offenders.append(f"{scheme}: no skos:hasTopConcept")
        if listed != claimed:
            offenders.append(f"{scheme}: hasTopConcept and topConceptOf differ by {sorted(listed ^ claimed)}")
    assert offenders == []


def test_each_scheme_the_code_reads_is_declared(vocab: Graph) -> None:
    """kg.namespaces.SCHEMES names a concept namespace per scheme; each has its scheme node."""
    declared = {str(s) for s in schemes(vocab)}
    assert {str(ns).rstrip("/") for ns in SCHEMES.values()} <= declared
    for name, ns in SCHEMES.items():
        members = {c for c in concepts(vocab) if str(c).startswith(str(ns))}
        assert members and all((c, SKOS.inScheme, URIRef(str(ns).rstrip("/"))) in vocab for c in members), name
