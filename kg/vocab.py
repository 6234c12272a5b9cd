"""The SKOS schemes as lookup tables: a value as written -> its concept.

Matching ignores case, width and punctuation, and accepts a concept's
notation, any prefLabel and any altLabel in any language, so `现行`,
`Active` and `active` all land on the same concept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Graph, Literal, URIRef

from kg.errors import OntologyError
from kg.namespaces import CCUS, SCHEMES, SKOS
from kg.resources import ontology_file

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def normalise(value: str) -> str:
    """The matching key of a label.

    >>> normalise(" Guideline / Policy ")
    'guideline policy'
    """
    text = unicodedata.normalize("NFKC", value).casefold()
    return _PUNCT.sub(" ", text).strip()


@dataclass(frozen=True)
class Concept:
    """One concept of a scheme, with what exports and reports need of it."""

    iri: URIRef
    scheme: str
    notation: str
    labels: tuple[tuple[str, str], ...]  # (lang, prefLabel)
    rank: int | None = None
    may_be_in_force: bool | None = None  # status concepts: ccus:mayBeInForce (None: not stated)

    def label(self, lang: str = "en") -> str:
        for tag, text in self.labels:
            if tag == lang:
                return text
        return self.notation


class Vocabularies:
    """All concept schemes, indexed for lookup by the value a record writes."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.concepts: dict[URIRef, Concept] = {}
        self._index: dict[str, dict[str, URIRef]] = {name: {} for name in SCHEMES}
        for name, ns in SCHEMES.items():
            for concept in sorted(graph.subjects(SKOS.notation, None), key=str):  # IRIs: str order is rdflib's
                if not str(concept).startswith(str(ns)):
                    continue
                self._add(name, URIRef(str(concept)))

    def _add(self, scheme: str, iri: URIRef) -> None:
        g = self.graph
        notation = str(g.value(iri, SKOS.notation))
        labels = tuple(sorted((lit.language or "", str(lit)) for lit in g.objects(iri, SKOS.prefLabel)
                              if isinstance(lit, Literal)))
        rank = g.value(iri, CCUS.rank)
        in_force = g.value(iri, CCUS.mayBeInForce)
        self.concepts[iri] = Concept(iri, scheme, notation, labels,
                                     int(str(rank)) if rank is not None else None,
                                     in_force.toPython() if isinstance(in_force, Literal) else None)
        index = self._index[scheme]
        names = [notation, *(text for _, text in labels)]
        names += [str(alt) for alt in g.objects(iri, SKOS.altLabel)]
        for name in names:
            index.setdefault(normalise(name), iri)

    def lookup(self, scheme: str, value: str) -> URIRef | None:
        """The concept a written value stands for, or None when none matches."""
        return self._index[scheme].get(normalise(value))

    def in_scheme(self, scheme: str) -> list[Concept]:
        """The concepts of one scheme, in IRI order."""
        return [c for c in self.concepts.values() if c.scheme == scheme]


@lru_cache(maxsize=1)
def vocabularies() -> Vocabularies:
    """The shipped schemes (parsed once per process)."""
    path = ontology_file("vocabularies.ttl")
    try:
        graph = Graph().parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many types; all mean a broken file
        raise OntologyError(f"{path}: cannot be read: {exc}") from exc
    return Vocabularies(graph)


__all__ = ["Concept", "Vocabularies", "normalise", "vocabularies"]
