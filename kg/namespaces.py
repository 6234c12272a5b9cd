"""Every vocabulary IRI ccus-kg uses: the only module that writes one.

The CCUS vocabulary is a ``DefinedNamespace`` with ``_fail = True`` so a
misspelt term fails at import time instead of minting a silent new IRI.
"""

from __future__ import annotations

import types
from typing import TypeVar, cast

from rdflib import Namespace, URIRef
from rdflib import namespace as rdflib_namespace
from rdflib.namespace import DefinedNamespace

from kg.ontology_iris import DEFAULT_BASE, ONTOLOGY_IRI  # plain text, importable without rdflib

_N = TypeVar("_N", bound=type[DefinedNamespace])


def _own(namespace: _N) -> _N:
    """A subclass of one of rdflib's vocabularies, for _materialise to store terms on: rdflib's stays as it is."""
    own = types.new_class(namespace.__name__, (namespace,), exec_body=lambda body: body.update(__module__=__name__))
    return cast(_N, own)


DCAT = _own(rdflib_namespace.DCAT)
DCTERMS = _own(rdflib_namespace.DCTERMS)
OWL = _own(rdflib_namespace.OWL)
PROV = _own(rdflib_namespace.PROV)
RDF = _own(rdflib_namespace.RDF)
RDFS = _own(rdflib_namespace.RDFS)
SKOS = _own(rdflib_namespace.SKOS)
VOID = _own(rdflib_namespace.VOID)
XSD = _own(rdflib_namespace.XSD)

# The licence the data and the ontology are published under.
DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
SVG = "http://www.w3.org/2000/svg"  # the XML namespace of the pictures kg.drawing writes


class CCUS(DefinedNamespace):
    """The CCUS policy ontology (``ontology/ccus.ttl`` declares each term)."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # classes
    Policy: URIRef
    Cluster: URIRef
    DimensionAssessment: URIRef
    Jurisdiction: URIRef
    Milestone: URIRef
    SourceRecord: URIRef
    ExtraField: URIRef
    Dimension: URIRef
    Status: URIRef
    Category: URIRef
    LegalWeight: URIRef
    ReviewStatus: URIRef
    Source: URIRef
    # lineage and clusters
    supersedes: URIRef
    supersededBy: URIRef
    amends: URIRef
    amendedBy: URIRef
    repeals: URIRef
    repealedBy: URIRef
    implements: URIRef
    implementedBy: URIRef
    transposes: URIRef
    transposedBy: URIRef
    consolidatedFrom: URIRef
    inCluster: URIRef
    # assessments
    hasAssessment: URIRef
    dimension: URIRef
    score: URIRef
    evidence: URIRef
    citation: URIRef
    auditNote: URIRef
    # descriptive fields
    jurisdiction: URIRef
    countryName: URIRef
    issuingBody: URIRef
    year: URIRef
    url: URIRef
    summary: URIRef
    description: URIRef
    interpretation: URIRef
    sector: URIRef
    relatedFacility: URIRef
    status: URIRef
    statusLabel: URIRef
    category: URIRef
    categoryLabel: URIRef
    legalWeight: URIRef
    legalWeightLabel: URIRef
    rank: URIRef
    mayBeInForce: URIRef
    reviewStatus: URIRef
    reviewStatusLabel: URIRef
    economicImpact: URIRef
    environmentalImpact: URIRef
    technicalImpact: URIRef
    co2Definition: URIRef
    crossBorderRules: URIRef
    financialAssurance: URIRef
    liabilityPeriod: URIRef
    liabilityTransfer: URIRef
    permittingLeadTime: URIRef
    poreSpaceRights: URIRef
    regulatoryField: URIRef
    hasMilestone: URIRef
    milestoneDate: URIRef
    event: URIRef
    milestoneType: URIRef
    currentConsolidatedVersion: URIRef
    effectiveApplicationWindow: URIRef
    sourcePublicationDate: URIRef
    reviewer: URIRef
    lastAuditDate: URIRef
    supports: URIRef
    # records as written, and what no other term holds
    sourceFile: URIRef
    frontMatterFormat: URIRef
    roundTripPatch: URIRef
    extra: URIRef
    fieldPath: URIRef
    value: URIRef
    # facilities, their links to the instruments that govern them, and stated jurisdiction profiles
    Facility: URIRef
    FacilityType: URIRef
    FacilityStatus: URIRef
    Sector: URIRef
    FacilityPolicyLink: URIRef
    RuleContext: URIRef
    ruleContext: URIRef
    stage: URIRef
    JurisdictionProfile: URIRef
    facilityType: URIRef
    facilityTypeLabel: URIRef
    facilityStatus: URIRef
    facilityStatusLabel: URIRef
    facilitySector: URIRef
    facilitySectorLabel: URIRef
    fateOfCarbon: URIRef
    capacity: URIRef
    capacityRaw: URIRef
    estimatedCapacity: URIRef
    operatorName: URIRef
    partnerName: URIRef
    announcementYear: URIRef
    fidYear: URIRef
    operationYear: URIRef
    suspensionYear: URIRef
    link: URIRef
    coordinatePrecision: URIRef
    relatedPolicy: URIRef
    policyLink: URIRef
    instrument: URIRef
    basis: URIRef
    derivationRule: URIRef
    reason: URIRef
    inForceFrom: URIRef
    inForceUntil: URIRef
    profileOf: URIRef


ELI = Namespace("http://data.europa.eu/eli/ontology#")
SCHEMA = Namespace("https://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")
EU_COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
SH = Namespace("http://www.w3.org/ns/shacl#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SF = Namespace("http://www.opengis.net/ont/sf#")
SPARQL_RESULTS = Namespace("http://www.w3.org/2005/sparql-results#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")  # the /sparql service description
FORMATS = Namespace("http://www.w3.org/ns/formats/")  # W3C IRIs of result and RDF formats
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
# DCAT wants a media type as an IRI: the IANA registry's page of that type.
IANA_MEDIA_TYPES = Namespace("https://www.iana.org/assignments/media-types/")

# SKOS concept schemes shipped in ontology/vocabularies.ttl
DIMENSION = Namespace(ONTOLOGY_IRI + "/dimension/")
STATUS = Namespace(ONTOLOGY_IRI + "/status/")
CATEGORY = Namespace(ONTOLOGY_IRI + "/category/")
LEGAL_WEIGHT = Namespace(ONTOLOGY_IRI + "/legal-weight/")
REVIEW_STATUS = Namespace(ONTOLOGY_IRI + "/review-status/")
FACILITY_TYPE = Namespace(ONTOLOGY_IRI + "/facility-type/")
FACILITY_STATUS = Namespace(ONTOLOGY_IRI + "/facility-status/")
SECTOR = Namespace(ONTOLOGY_IRI + "/sector/")
# The rules by which the tool derives what no record states (facility -> governing instrument), as prov:Plan.
RULE = Namespace(ONTOLOGY_IRI + "/rule/")

# SHACL shapes (ontology/shapes.ttl) and the validation-only helper terms they read.
SHAPES = Namespace(ONTOLOGY_IRI + "/shapes#")
SHAPES_IRI = ONTOLOGY_IRI + "/shapes"  # the owl:Ontology that shapes.ttl declares
CONTEXT_IRI = ONTOLOGY_IRI + "/context.jsonld"  # where ontology/context.jsonld is published


def _materialise(*namespaces: type[DefinedNamespace]) -> None:
    """Store each declared term as a class attribute (on kg's own classes only: see _own).

    A DefinedNamespace resolves ``NS.term`` through its metaclass on every
    access (about 0.7 µs); the mapping and the validator touch terms millions
    of times on a 10k-record corpus, so the terms are looked up once here.
    """
    for namespace in namespaces:
        for name in getattr(namespace, "__annotations__", {}):
            if not name.startswith("_"):
                setattr(namespace, name, namespace[name])


_materialise(CCUS, DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD)

SCHEMES: dict[str, Namespace] = {
    "dimension": DIMENSION,
    "status": STATUS,
    "category": CATEGORY,
    "legal-weight": LEGAL_WEIGHT,
    "review-status": REVIEW_STATUS,
    "facility-type": FACILITY_TYPE,
    "facility-status": FACILITY_STATUS,
    "sector": SECTOR,
}


def instance_prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """Prefixes for minted resources under a (configurable) base."""
    return {
        "policy": base + "policy/",
        "cluster": base + "cluster/",
        "jur": base + "jurisdiction/",
        "agent": base + "agent/",
    }


def prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """The fixed, ordered prefix table every export and query uses."""
    fixed = {
        "ccus": str(CCUS._NS),
        "ccus-dim": str(DIMENSION),
        "ccus-status": str(STATUS),
        "ccus-cat": str(CATEGORY),
        "ccus-lw": str(LEGAL_WEIGHT),
        "ccus-rs": str(REVIEW_STATUS),
        "ccus-sh": str(SHAPES),

        "dcat": str(DCAT),
        "dcterms": str(DCTERMS),
        "eli": str(ELI),
        "eu-country": str(EU_COUNTRY),
        "owl": str(OWL),
        "prov": str(PROV),
        "rdf": str(RDF),
        "rdfs": str(RDFS),
        "schema": str(SCHEMA),
        "sh": str(SH),
        "skos": str(SKOS),
        "vann": str(VANN),
        "void": str(VOID),
        "xsd": str(XSD),
    }
    return {**fixed, **instance_prefixes(base)}


__all__ = [
    "CATEGORY",
    "CCUS",
    "CONTEXT_IRI",
    "DATA_LICENSE",
    "DCAT",
    "DCTERMS",
    "DEFAULT_BASE",
    "DIMENSION",
    "ELI",
    "EU_COUNTRY",
    "FACILITY_STATUS",
    "FACILITY_TYPE",
    "FOAF",
    "FORMATS",
    "GEO",
    "IANA_MEDIA_TYPES",
    "LEGAL_WEIGHT",
    "ONTOLOGY_IRI",
    "OWL",
    "PROV",
    "RDF",
    "RDFS",
    "REVIEW_STATUS",
    "RULE",
    "SCHEMA",
    "SCHEMES",
    "SD",
    "SECTOR",
    "SF",
    "SH",
    "SHAPES",
    "SHAPES_IRI",
    "SKOS",
    "SPARQL_RESULTS",
    "STATUS",
    "SVG",
    "VANN",
    "VOID",
    "XSD",
    "instance_prefixes",
    "prefixes",
]
