"""Facilities and stated profiles joined to a loaded corpus: what `load` adds for a content root.

Kept apart from kg.build so the policy pipeline stays as it was for a
policies-only folder; this module reads the lineage (the in-force rule) to
derive facility links, so it sits to the right of kg.lineage.
"""

from __future__ import annotations

import itertools

import pyoxigraph as ox

from kg.export import load_oxigraph
from kg.facilities import load_landscape, map_facilities
from kg.geo import unchecked
from kg.iris import Minter
from kg.landscape import Deriver, link_triples, profile_findings, scopes
from kg.lineage import Lineage
from kg.mapping import Mapped
from kg.records import ContentRoot, Corpus
from kg.vocab import vocabularies


def add_landscape(root: ContentRoot, corpus: Corpus, mapped: Mapped, minter: Minter) -> None:
    """Read facilities and profiles into ``corpus``; their triples, links and findings into ``mapped``."""
    from kg.store import OxigraphSource  # kg.store imports kg.build: imported when used

    load_landscape(root, corpus)
    stated, patches, findings = map_facilities(corpus, minter)
    store = ox.Store()  # the lineage queries on Oxigraph: rdflib took 15 of 27 s at 1,000 policies
    load_oxigraph(store, itertools.chain(mapped.stated, mapped.derived, vocabularies().graph))
    source = OxigraphSource(store)
    lineage, scope = Lineage.from_source(source), scopes(source)
    links, link_findings = link_triples(corpus, Deriver(lineage, scope), minter)
    mapped.stated.extend(stated)
    mapped.derived.extend(patches + links)
    mapped.findings.extend(findings + link_findings + profile_findings(corpus, lineage, scope)
                           + unchecked(corpus.facilities))


__all__ = ["add_landscape"]
