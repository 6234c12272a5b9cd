"""Mint instance IRIs from record ids and names: the one place that does.

IRIs are pure functions of their inputs (never counters or blank nodes), so
two builds of the same corpus give the same graph byte for byte.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote

from rdflib import URIRef

from kg.namespaces import DEFAULT_BASE, ONTOLOGY_IRI, SHAPES

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def slugify(name: str) -> str:
    """A stable, readable slug: NFKC, case-folded, punctuation runs to '-'.

    >>> slugify("EU CCS Directive  Implementation")
    'eu-ccs-directive-implementation'
    >>> slugify("CCUS+倡议")
    'ccus-倡议'
    """
    text = unicodedata.normalize("NFKC", name).casefold().replace("_", " ")
    return _NON_WORD.sub("-", text).strip("-")


def _segment(text: str) -> str:
    # Percent-encode everything outside unreserved ASCII so IRIs are also URIs.
    return quote(text, safe="-._~")


class Minter:
    """Mints every instance IRI under one configurable base."""

    def __init__(self, base: str = DEFAULT_BASE):
        if not base.endswith("/"):
            base += "/"
        self.base = base

    def policy(self, policy_id: str) -> URIRef:
        return URIRef(f"{self.base}policy/{_segment(policy_id)}")

    def assessment(self, policy_id: str, dimension: str) -> URIRef:
        return URIRef(f"{self.policy(policy_id)}/assessment/{_segment(dimension)}")

    def milestone(self, policy_id: str, position: int) -> URIRef:
        return URIRef(f"{self.policy(policy_id)}/milestone/{position}")

    def source(self, policy_id: str, position: int) -> URIRef:
        """The n-th (1-based) entry of a record's ``sources``: where its facts were checked."""
        return URIRef(f"{self.policy(policy_id)}/source/{position}")

    def source_record(self, policy_id: str, lang: str) -> URIRef:
        return URIRef(f"{self.policy(policy_id)}/record/{_segment(lang)}")

    def extra(self, policy_id: str, path: str) -> URIRef:
        return URIRef(f"{self.policy(policy_id)}/extra/{_segment(path)}")

    def cluster(self, name: str) -> URIRef:
        return URIRef(f"{self.base}cluster/{_segment(slugify(name))}")

    def jurisdiction(self, code: str) -> URIRef:
        return URIRef(f"{self.base}jurisdiction/{_segment(code)}")

    def agent(self, name: str) -> URIRef:
        return URIRef(f"{self.base}agent/{_segment(slugify(name))}")

    def facility(self, facility_id: str) -> URIRef:
        """A facility record: ``…/facility/<id>``."""
        return URIRef(f"{self.base}facility/{_segment(facility_id)}")

    def facility_part(self, facility_id: str, *steps: str | int) -> URIRef:
        """A node that belongs to one facility: its geometry, sources, records, extras, policy links."""
        return URIRef("/".join([str(self.facility(facility_id)), *(_segment(str(s)) for s in steps)]))

    def geometry(self, facility_id: str) -> URIRef:
        """The GeoSPARQL geometry of a facility's stated coordinates."""
        return self.facility_part(facility_id, "geometry")

    def facility_policy_link(self, facility_id: str, policy_id: str) -> URIRef:
        """The qualified link between a facility and one instrument (stated, derived or both)."""
        return self.facility_part(facility_id, "policy", policy_id)

    def rule_context(self, code: str, stages: tuple[str, ...]) -> URIRef:
        """The facilities of one jurisdiction whose type runs these stages: what the derivation rule reads."""
        return URIRef(f"{self.base}context/{_segment(code)}/{_segment('+'.join(stages))}")

    def context_policy_link(self, code: str, stages: tuple[str, ...], policy_id: str) -> URIRef:
        """A derived link from a rule context to one instrument."""
        return URIRef(f"{self.rule_context(code, stages)}/policy/{_segment(policy_id)}")

    def profile(self, profile_id: str) -> URIRef:
        """A stated jurisdiction profile (a record of a content root's ``countries/``)."""
        return URIRef(f"{self.base}profile/{_segment(profile_id)}")

    def profile_part(self, profile_id: str, *steps: str) -> URIRef:
        """A node that belongs to one stated profile: its source record, its extra fields."""
        return URIRef("/".join([str(self.profile(profile_id)), *(_segment(s) for s in steps)]))

    def facility_id(self, iri: str) -> str | None:
        """The id of the facility a node belongs to, or None for any other IRI."""
        prefix = f"{self.base}facility/"
        if not iri.startswith(prefix):
            return None
        return unquote(iri[len(prefix):].split("/", 1)[0])

    def dataset(self) -> URIRef:
        return URIRef(f"{self.base}dataset")

    def validation_report(self) -> URIRef:
        return URIRef(f"{self.base}validation/report")

    def validation_result(self, position: int) -> URIRef:
        return URIRef(f"{self.base}validation/result/{position}")

    def validation_file(self, path: str) -> URIRef:
        """The focus node of a loading finding about a file no record id is known for."""
        return URIRef(f"{self.base}validation/file/{_segment(path)}")

    def graph(self) -> URIRef:
        """The named graph that TriG exports and `push` write into."""
        return URIRef(f"{self.base}graph/ccus-kg")

    def distribution(self, fmt: str) -> URIRef:
        """The DCAT distribution of the dataset in one dump format."""
        return URIRef(f"{self.dataset()}/distribution/{_segment(fmt)}")

    def publisher(self) -> URIRef:
        """The agent that publishes the dataset and the ontology."""
        return self.agent("ccus-kg project")

    @property
    def site(self) -> str:
        """The root the server answers for: the base without its trailing ``id/``.

        >>> Minter().site
        'https://w3id.org/ccus-kg/'
        """
        return self.base[: -len("id/")] if self.base.endswith("/id/") else self.base

    def site_url(self, path: str) -> URIRef:
        """A document of the site, such as ``dumps/ccus-kg.ttl`` or ``sparql``."""
        return URIRef(self.site + path.lstrip("/"))

    def path(self, iri: str) -> str | None:
        """The server path of an IRI under the base or the ontology, or None for any other IRI.

        >>> Minter().path("https://w3id.org/ccus-kg/ontology/status/active")
        '/ontology/status/active'
        """
        if iri.startswith(self.base):
            return "/id/" + iri[len(self.base):]
        if iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_IRI + "/") or iri.startswith(ONTOLOGY_IRI + "#"):
            return "/ontology" + iri[len(ONTOLOGY_IRI):].split("#", 1)[0]
        return None

    def iri_at(self, path: str) -> URIRef | None:
        """The IRI a server path names (the inverse of ``path``), or None."""
        if path.startswith("/id/") and len(path) > len("/id/"):
            return URIRef(self.base + quote(path[len("/id/"):], safe="/-._~%"))
        if path == "/ontology" or path.startswith("/ontology/"):
            return URIRef(ONTOLOGY_IRI + quote(path[len("/ontology"):], safe="/-._~%"))
        return None

    def owner_id(self, iri: str) -> str | None:
        """The id of the policy a node belongs to (the policy itself, its assessments, milestones,
        sources, source records), or None for a shared node (cluster, jurisdiction, agent) and any other IRI."""
        prefix = f"{self.base}policy/"
        if not iri.startswith(prefix):
            return None
        return self.policy_id(prefix + iri[len(prefix):].split("/", 1)[0])

    def policy_id(self, iri: str) -> str | None:
        """The record id behind a policy IRI, or None for any other IRI."""
        prefix = f"{self.base}policy/"
        if not iri.startswith(prefix):
            return None
        rest = iri[len(prefix):]
        return None if "/" in rest else unquote(rest)


_RULE_ID = re.compile(r"ccus-kg:([a-z]+)/([a-z0-9-]+)")


def rule_iri(rule: str) -> URIRef:
    """The IRI of a finding's rule: a shape's IRI as it is, a loader rule ``ccus-kg:load/date`` in the shapes.

    >>> rule_iri("ccus-kg:load/date")
    rdflib.term.URIRef('https://w3id.org/ccus-kg/ontology/shapes#load-date')
    """
    found = _RULE_ID.fullmatch(rule)
    if found is None:
        return URIRef(rule)
    return SHAPES[f"{found.group(1)}-{found.group(2)}"]


def ontology_iri() -> URIRef:
    return URIRef(ONTOLOGY_IRI)


__all__ = ["Minter", "ontology_iri", "rule_iri", "slugify"]
