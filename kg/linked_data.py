"""Linked data: which document answers which IRI, and the dataset's VoID/DCAT description.

Every IRI the published graph uses under the project's namespaces resolves
on ``ccus-kg serve``, so a client that follows its nose never meets a 404:

- the ontology, its versioned IRI and the shapes (hash namespaces): the
  document itself, by content negotiation (``/ontology``, ``/ontology/0.1.0``,
  ``/ontology/shapes``), or one format by extension (``/ontology.ttl``);
- the SKOS schemes and their concepts (``/ontology/status``,
  ``/ontology/status/active``): ``303 See Other`` to a document per format
  (``/ontology/status/active.ttl``), as ``/id/`` resources do;
- the JSON-LD context (``/ontology/context.jsonld``);
- the dataset (``/id/dataset``, the VoID subject, also at
  ``/.well-known/void``), its distributions, the named graph of the TriG
  dump and the publisher: ``303`` to ``/doc/…``;
- the dumps (``/dumps/ccus-kg.ttl`` …), which carry the SKOS schemes with the
  data, so a downloaded dump validates against the shapes on its own and
  holds exactly the triples the endpoint answers from.

- the resources the records state (``/id/policy/…``, clusters,
  jurisdictions, …): ``303`` to ``/doc/….{html,ttl,nt,jsonld,rdf}``, with
  what the server's ``describe`` gives for them.

The server asks ``LinkedData.answer`` first and goes on with its own routes
when it answers None; the module never imports the server (it gets the HTML
renderer and ``describe`` handed in).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg.build import KnowledgeGraph
from kg.export import MEDIA_TYPES, SUFFIX, serialize, with_schemes
from kg.namespaces import (
    CCUS,
    CONTEXT_IRI,
    DATA_LICENSE,
    DCAT,
    DCTERMS,
    FOAF,
    IANA_MEDIA_TYPES,
    ONTOLOGY_IRI,
    OWL,
    RDF,
    SD,
    SHAPES_IRI,
    SKOS,
    VOID,
    XSD,
)
from kg.resources import ontology_file

Triple = tuple[Node, Node, Node]

# A document's extension -> the kg.export format that writes it.
DOCUMENT_FORMATS = {"ttl": "ttl", "nt": "nt", "jsonld": "jsonld", "rdf": "xml"}
HTML = "text/html"
# The dumps the server publishes (kg.export format -> file name).
DUMP_STEM = "ccus-kg"
DUMP_FORMATS = ("ttl", "nt", "jsonld", "trig", "xml")
DUMP_TITLES = {"ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD", "trig": "TriG", "xml": "RDF/XML"}


@dataclass
class Answer:
    """What a request gets: status, headers and body bytes (the server sends it as is)."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Pages(Protocol):
    """The HTML renderer (kg.pages.Site) this module asks for pages."""

    def resource(self, iri: URIRef, triples: list[Triple]) -> str: ...

    def ontology(self, text: str) -> str: ...


def negotiate(accept: str, offered: list[str], default: str) -> str | None:
    """The offered media type the Accept header prefers (q-values honoured; ties go to the first listed).

    >>> negotiate("text/turtle;q=0.5, application/ld+json", ["text/html", "text/turtle", "application/ld+json"],
    ...           "text/html")
    'application/ld+json'
    >>> negotiate("image/png", ["text/html"], "text/html") is None
    True
    """
    if not accept.strip():
        return default
    choices: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept.split(",")):
        media, *attrs = [part.strip() for part in item.split(";")]
        q = 1.0
        for attr in attrs:
            if attr.replace(" ", "").startswith("q="):
                try:
                    q = float(attr.split("=", 1)[1])
                except ValueError:
                    q = 0.0
        if q > 0:
            choices.append((-q, position, media.lower()))
    for _, _, media in sorted(choices):
        if media in offered:
            return media
        if media in ("*/*", "application/*", "text/*"):
            kind = media.split("/")[0]
            if media == "*/*" or default.startswith(kind + "/"):
                return default
            return next((o for o in offered if o.startswith(kind + "/")), None)
    return None


def media_type_iri(media: str) -> URIRef:
    """The IANA registry IRI of a media type, as DCAT's ``dcat:mediaType`` wants it.

    >>> str(media_type_iri("text/turtle")).endswith("/assignments/media-types/text/turtle")
    True
    """
    return IANA_MEDIA_TYPES[media]


def _graph_triples(name: str) -> list[Triple]:
    graph = Graph().parse(ontology_file(name), format="turtle")
    return list(graph)


class LinkedData:
    """Answers the IRIs of the ontology side and of the dataset, and the dumps, for one loaded graph."""

    def __init__(self, kg: KnowledgeGraph, pages: Pages | None = None,
                 describe: Callable[[URIRef], list[Triple]] | None = None, triple_count: int | None = None):
        """``describe`` and ``triple_count`` come from the server: its index of the records' resources and
        the number of triples its store holds (computed here when not given)."""
        self.kg = kg
        self.minter = kg.minter
        self.pages = pages
        self.describe_data = describe or (lambda iri: [])
        self.triple_count = len(set(self.published)) if triple_count is None else triple_count
        ontology = _graph_triples("ccus.ttl")
        version = next((o for s, p, o in ontology if s == URIRef(ONTOLOGY_IRI) and p == OWL.versionIRI), None)
        # Hash namespaces: one file answers the IRI and every term in it.
        self.files: dict[URIRef, str] = {URIRef(ONTOLOGY_IRI): "ccus.ttl", URIRef(SHAPES_IRI): "shapes.ttl"}
        if isinstance(version, URIRef):
            self.files[version] = "ccus.ttl"
        self._file_triples = {"ccus.ttl": ontology, "shapes.ttl": _graph_triples("shapes.ttl")}
        # Slash IRIs: each node's own triples (the schemes and concepts, the VoID description).
        self.nodes: dict[Node, list[Triple]] = {}
        self._void = self.void_triples()
        for triple in [*_graph_triples("vocabularies.ttl"), *self._void]:
            self.nodes.setdefault(triple[0], []).append(triple)
        for node in [n for n in self.nodes if isinstance(n, URIRef) and self.describe_data(n)]:
            del self.nodes[node]  # a resource the records state (the publisher, say) is described by them
        self._dumps: dict[str, bytes] = {}
        self._lock = threading.Lock()

    @cached_property
    def published(self) -> list[Triple]:
        """What the dumps hold: the data and the SKOS schemes."""
        return with_schemes(self.kg.triples)

    # --- routing ------------------------------------------------------------------------------

    def answer(self, path: str, accept: str) -> Answer | None:
        """The answer to a GET of ``path`` (already percent-decoded), or None when it is not ours."""
        if path == "/.well-known/void":
            return self._see_other(self.minter.dataset(), accept)
        if path == "/void.ttl":
            return Answer(200, self.void().encode("utf-8"), {"Content-Type": "text/turtle; charset=utf-8"})
        if path.startswith("/dumps/"):
            return self.dump(path[len("/dumps/"):])
        if path == self.minter.path(CONTEXT_IRI):
            text = ontology_file("context.jsonld").read_bytes()
            return Answer(200, text, {"Content-Type": "application/ld+json; charset=utf-8"})
        if path.startswith("/doc/"):
            stem, dot, ext = path.rpartition(".")
            iri = self.minter.iri_at("/id/" + stem[len("/doc/"):]) if dot else None
            if iri is not None and (ext in DOCUMENT_FORMATS or ext == "html") and self.triples(iri):
                return self._document(iri, ext)
            return None
        iri = self.minter.iri_at(path)
        if iri in self.files:
            return self._file(iri, accept)
        if iri in self.nodes or (iri is not None and path.startswith("/id/") and self.describe_data(iri)):
            return self._see_other(iri, accept)
        stem, dot, ext = path.rpartition(".")
        if dot and (ext in DOCUMENT_FORMATS or ext == "html") and path.startswith("/ontology"):
            iri = self.minter.iri_at(stem)
            if iri in self.files:
                return self._file(iri, accept, ext)
            if iri in self.nodes:
                return self._document(iri, ext)
        return None

    def iris(self) -> list[URIRef]:
        """Every IRI this module answers besides the records' resources (the tests dereference each)."""
        return sorted({*self.files, *(n for n in self.nodes if isinstance(n, URIRef))}, key=str)

    # --- documents ----------------------------------------------------------------------------

    def offered(self) -> list[str]:
        """The media types a document is offered in: HTML first when pages are rendered."""
        rdf = [MEDIA_TYPES[fmt] for fmt in DOCUMENT_FORMATS.values()]
        return [HTML, *rdf] if self.pages is not None else rdf

    def _choose(self, accept: str) -> str | None:
        offered = self.offered()
        media = negotiate(accept, offered, default=offered[0])
        if media is None:
            return None
        return "html" if media == HTML else {MEDIA_TYPES[f]: ext for ext, f in DOCUMENT_FORMATS.items()}[media]

    def doc_path(self, iri: URIRef, ext: str) -> str:
        """Where the document of a slash IRI in one format is served."""
        path = self.minter.path(str(iri)) or ""
        if path.startswith("/id/"):
            return f"/doc/{path[len('/id/'):]}.{ext}"
        return f"{path}.{ext}"

    def _see_other(self, iri: URIRef, accept: str) -> Answer:
        ext = self._choose(accept)
        if ext is None:
            return self._not_acceptable()
        return Answer(303, b"", {"Location": self.doc_path(iri, ext), "Vary": "Accept"})

    def _not_acceptable(self) -> Answer:
        return Answer(406, ("acceptable: " + ", ".join(self.offered())).encode("utf-8"),
                      {"Content-Type": "text/plain; charset=utf-8", "Vary": "Accept"})

    def describe(self, iri: URIRef) -> list[Triple]:
        """A node's triples and those of the nodes under it (a scheme's concepts, the dataset's distributions)."""
        if iri == self.minter.dataset():
            return list(self._void)  # the dataset's document is the whole VoID description
        prefix = str(iri) + "/"
        return [t for node, triples in self.nodes.items() if node == iri or str(node).startswith(prefix)
                for t in triples]

    def triples(self, iri: URIRef) -> list[Triple]:
        """What the document of a slash IRI holds: this module's nodes, else what the records state."""
        return self.describe(iri) if iri in self.nodes else self.describe_data(iri)

    def _document(self, iri: URIRef, ext: str) -> Answer:
        triples = self.triples(iri)
        location = self.doc_path(iri, ext)
        headers = {"Content-Location": location, "Link": f'<{iri}>; rel="describes"'}
        if ext == "html":
            if self.pages is None:
                return Answer(404, b"", {})
            return self._html(self.pages.resource(iri, triples), headers)
        fmt = DOCUMENT_FORMATS[ext]
        body = serialize(triples, fmt, self.minter.base).encode("utf-8")
        return Answer(200, body, {"Content-Type": f"{MEDIA_TYPES[fmt]}; charset=utf-8", **headers})

    def _file(self, iri: URIRef, accept: str, ext: str | None = None) -> Answer:
        """The ontology or the shapes: the hand-written Turtle as shipped, other formats from its triples."""
        name = self.files[iri]
        vary = {}
        if ext is None:
            ext = self._choose(accept)
            if ext is None:
                return self._not_acceptable()
            vary = {"Vary": "Accept"}
        path = self.minter.path(str(iri)) or ""
        headers = {"Content-Location": f"{path}.{ext}", **vary}
        text = ontology_file(name).read_text(encoding="utf-8")
        if ext == "html":
            if self.pages is None:
                return Answer(404, b"", {})
            page = self.pages.ontology(text) if name == "ccus.ttl" else \
                self.pages.resource(iri, self._file_triples[name])
            return self._html(page, headers)
        fmt = DOCUMENT_FORMATS[ext]
        body = text if fmt == "ttl" else serialize(self._file_triples[name], fmt, self.minter.base)
        return Answer(200, body.encode("utf-8"), {"Content-Type": f"{MEDIA_TYPES[fmt]}; charset=utf-8", **headers})

    @staticmethod
    def _html(text: str, headers: dict[str, str]) -> Answer:
        return Answer(200, text.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8", **headers})

    # --- dumps ----------------------------------------------------------------------------------

    def dump(self, name: str) -> Answer | None:
        """A dump of the data and the schemes, rendered once per format."""
        fmt = next((f for f in DUMP_FORMATS if name == DUMP_STEM + SUFFIX[f]), None)
        if fmt is None:
            return None
        with self._lock:
            if fmt not in self._dumps:
                self._dumps[fmt] = serialize(self.published, fmt, self.minter.base).encode("utf-8")
        return Answer(200, self._dumps[fmt], {"Content-Type": f"{MEDIA_TYPES[fmt]}; charset=utf-8",
                                              "Content-Disposition": f'attachment; filename="{name}"'})

    # --- VoID and DCAT ------------------------------------------------------------------------

    @cached_property
    def modified(self) -> str | None:
        """The dataset's last change: the newest audit date a record gives (else its newest publication date)."""
        for predicate in (CCUS.lastAuditDate, DCTERMS.issued):
            dates = [str(o) for _, p, o in self.kg.triples if p == predicate and isinstance(o, Literal)]
            if dates:
                return max(dates)
        return None

    def void_triples(self) -> list[Triple]:
        """The VoID + DCAT description of the dataset: size, graph, dumps with IANA media types, endpoint."""
        m = self.minter
        ds, graph, publisher = m.dataset(), m.graph(), m.publisher()
        policies = sorted(self.kg.corpus.policies())
        count = Literal(self.triple_count, datatype=XSD.integer)
        triples: list[Triple] = [
            (ds, RDF.type, VOID.Dataset), (ds, RDF.type, DCAT.Dataset),
            (ds, DCTERMS.title, Literal("ccus-kg: CCUS policy knowledge graph", lang="en")),
            (ds, DCTERMS.description, Literal(
                "Policy instruments on carbon capture, utilisation and storage, their lineage, clusters, "
                "jurisdictions and scored assessments, with the SKOS schemes their values come from.", lang="en")),
            (ds, DCTERMS.license, URIRef(DATA_LICENSE)),
            (ds, DCTERMS.publisher, publisher),
            (ds, DCTERMS.conformsTo, URIRef(SHAPES_IRI)),
            (ds, VOID.triples, count),
            (ds, VOID.entities, Literal(len(policies), datatype=XSD.integer)),
            (ds, VOID.sparqlEndpoint, m.site_url("sparql")),
            (ds, VOID.uriSpace, Literal(m.base)),
            (ds, VOID.vocabulary, URIRef(ONTOLOGY_IRI + "#")),
            (ds, VOID.vocabulary, URIRef(str(SKOS))),
            (ds, VOID.subset, graph),
            (graph, RDF.type, VOID.Dataset), (graph, RDF.type, SD.Graph),
            (graph, DCTERMS.title, Literal("The named graph of the TriG dump and of ccus-kg push", lang="en")),
            (graph, VOID.triples, count),
            (graph, VOID.dataDump, m.site_url(f"dumps/{DUMP_STEM}{SUFFIX['trig']}")),
            (publisher, RDF.type, FOAF.Agent),
            (publisher, FOAF.name, Literal("ccus-kg project")),
        ]
        if self.modified:
            triples.append((ds, DCTERMS.modified, Literal(self.modified, datatype=XSD.date)))
        if policies:
            triples.append((ds, VOID.exampleResource, m.policy(policies[0])))
        for fmt in DUMP_FORMATS:
            url, dist = m.site_url(f"dumps/{DUMP_STEM}{SUFFIX[fmt]}"), m.distribution(fmt)
            triples += [(ds, VOID.dataDump, url), (ds, DCAT.distribution, dist),
                        (dist, RDF.type, DCAT.Distribution),
                        (dist, DCTERMS.title, Literal(f"{DUMP_TITLES[fmt]} dump", lang="en")),
                        (dist, DCAT.downloadURL, url), (dist, DCAT.accessURL, url),
                        (dist, DCAT.mediaType, media_type_iri(MEDIA_TYPES[fmt])),
                        (dist, DCTERMS.license, URIRef(DATA_LICENSE))]
        return triples

    def void(self) -> str:
        """The VoID description as Turtle (what ``/void.ttl`` serves)."""
        return serialize(self._void, "ttl", self.minter.base)


__all__ = ["DOCUMENT_FORMATS", "DUMP_FORMATS", "Answer", "LinkedData", "Pages", "media_type_iri", "negotiate"]
