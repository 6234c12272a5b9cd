"""Facilities and stated profiles beside a corpus's policies: the corpus-level stage of the build.

The facility <-> instrument links are derived from the whole policy corpus
(its lineage and the in-force rule), so this stage reads the policies'
triples and is redone as a whole when a policy, facility or profile
changes; it is small next to the policies. It sits to the right of
kg.lineage, which it reads.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import Finding
from kg.export import load_oxigraph
from kg.facilities import load_landscape, map_facilities
from kg.geo import outside_triples, unchecked
from kg.iris import Minter
from kg.landscape import Deriver, link_triples, profile_findings, scopes
from kg.lineage import Lineage
from kg.mapping import Triple
from kg.records import ContentRoot, Corpus, Record
from kg.vocab import vocabularies


@dataclass
class Landscape:
    """What a content root's facilities and profiles add to the graph, the checks and the findings."""

    stated: list[Triple] = field(default_factory=list)  # what the records state: validated and exported
    derived: list[Triple] = field(default_factory=list)  # round-trip patches and instrument links: exported
    checked: list[Triple] = field(default_factory=list)  # validation-only facts (kg.geo), never exported
    findings: list[Finding] = field(default_factory=list)
    facilities: list[Record] = field(default_factory=list)
    countries: list[Record] = field(default_factory=list)
    files: int = 0


def map_landscape(root: ContentRoot, policies: Iterable[Triple] | bytes, minter: Minter) -> Landscape:
    """Read and map the facilities and profiles of ``root`` against the policies' triples (stated and
    derived; as rdflib triples or N-Triples bytes), which give the lineage and the instruments' scope."""
    from kg.store import OxigraphSource  # kg.store imports kg.build: imported when used

    corpus = Corpus(root.root)
    load_landscape(root, corpus)
    stated, patches, findings = map_facilities(corpus, minter)
    store = ox.Store()  # the lineage queries on Oxigraph: rdflib took 15 of 27 s at 1,000 policies
    if isinstance(policies, bytes):
        load_oxigraph(store, vocabularies().graph)
        if policies:
            store.bulk_load(policies, ox.RdfFormat.N_TRIPLES)
    else:
        load_oxigraph(store, itertools.chain(policies, vocabularies().graph))
    source = OxigraphSource(store)
    lineage, scope = Lineage.from_source(source), scopes(source)
    links, link_findings = link_triples(corpus, Deriver(lineage, scope), minter)
    return Landscape(stated=stated, derived=patches + links,
                     checked=outside_triples(corpus.facilities, minter) if corpus.facilities else [],
                     findings=corpus.findings + findings + link_findings
                     + profile_findings(corpus, lineage, scope) + unchecked(corpus.facilities),
                     facilities=corpus.facilities, countries=corpus.countries, files=corpus.files)


__all__ = ["Landscape", "map_landscape"]
