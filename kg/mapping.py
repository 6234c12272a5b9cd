"""Record -> triples and triples -> Record, losslessly.

The forward direction states what each record says in the core vocabulary.
What RDF cannot say about a record as written (a field present but empty,
the order of a list, a value two language versions disagree on) is kept as
a small JSON patch on the record's ``ccus:SourceRecord`` node, computed by
running the reverse and diffing, so the round trip is exact by construction
and the patch shows exactly what the vocabulary does not carry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Container, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.errors import Finding, Severity
from kg.iris import Minter
from kg.jurisdictions import resolve
from kg.namespaces import CCUS, DCTERMS, DIMENSION, EU_COUNTRY, PROV, RDF, RDFS, SCHEMA, SKOS, XSD
from kg.records import DEFAULT_LANG, DIMENSIONS, GROUPS, RELATIONS, Kind, Record, dotted_set, field_line, ids
from kg.records import SCHEMA as FIELDS
from kg.vocab import Vocabularies, vocabularies

Triple = tuple[Node, Node, Node]
RULE_PREFIX = "ccus-kg:mapping/"
BODY = "@body"

# Language-tagged text fields held directly on the policy node.
TEXT_FIELDS: dict[str, URIRef] = {
    "title": DCTERMS.title,
    "source": CCUS.issuingBody,
    "country": CCUS.countryName,
    "description": CCUS.description,
    "interpretation": CCUS.interpretation,
    "evolution.currentConsolidatedVersion": CCUS.currentConsolidatedVersion,
    "impactAnalysis.economic": CCUS.economicImpact,
    "impactAnalysis.environmental": CCUS.environmentalImpact,
    "impactAnalysis.technical": CCUS.technicalImpact,
    "regulatory.co2_definition": CCUS.co2Definition,
    "regulatory.cross_border_rules": CCUS.crossBorderRules,
    "regulatory.financial_assurance": CCUS.financialAssurance,
    "regulatory.liability_period": CCUS.liabilityPeriod,
    "regulatory.liability_transfer": CCUS.liabilityTransfer,
    "regulatory.permitting_lead_time": CCUS.permittingLeadTime,
    "regulatory.pore_space_rights": CCUS.poreSpaceRights,
}
# Plain literals (no language) on the policy node: path -> (predicate, datatype).
PLAIN_FIELDS: dict[str, tuple[URIRef, URIRef | None]] = {
    "pubDate": (DCTERMS.issued, XSD.date),
    "url": (CCUS.url, XSD.anyURI),
    "evolution.effectiveApplicationWindow": (CCUS.effectiveApplicationWindow, None),
    "evolution.sourcePublicationDate": (CCUS.sourcePublicationDate, XSD.date),
    "provenance.reviewer": (CCUS.reviewer, None),
    "provenance.lastAuditDate": (CCUS.lastAuditDate, XSD.date),
}
# Controlled values: path -> (scheme, concept link, as-written label).
CONCEPT_FIELDS: dict[str, tuple[str, URIRef, URIRef]] = {
    "status": ("status", CCUS.status, CCUS.statusLabel),
    "category": ("category", CCUS.category, CCUS.categoryLabel),
    "legalWeight": ("legal-weight", CCUS.legalWeight, CCUS.legalWeightLabel),
    "reviewStatus": ("review-status", CCUS.reviewStatus, CCUS.reviewStatusLabel),
}
# Link fields holding policy ids (a list, or for the typed relations also one id as a string).
LINK_LISTS: dict[str, URIRef] = {
    "evolution.supersedes": CCUS.supersedes,
    "evolution.consolidatedFrom": CCUS.consolidatedFrom,
    **{f"evolution.{name}": CCUS[name] for pair in RELATIONS.items() for name in pair},
}
# Each lineage link and its inverse, both ways: the one table the build derives inverses from.
INVERSES: dict[URIRef, URIRef] = {
    CCUS.supersedes: CCUS.supersededBy,
    **{CCUS[forward]: CCUS[backward] for forward, backward in RELATIONS.items()},
}
INVERSES.update({backward: forward for forward, backward in list(INVERSES.items())})
SOURCE_KEYS = ("url", "title", "supports")
ASSESSMENT_TEXT: dict[str, URIRef] = {
    "label": RDFS.label,
    "evidence": CCUS.evidence,
    "citation": CCUS.citation,
    "auditNote": CCUS.auditNote,
}
_AI_AUTHOR = re.compile(r"\b(ai|gpt|gemini|claude|llm|bot|agent|intelligence|system)\b", re.I)
_PATH_STEP = re.compile(r"[^.\[\]]+|\[\d+\]")


@dataclass
class Mapped:
    """The triples a corpus states, plus what the mapping had to say about it."""

    stated: list[Triple] = field(default_factory=list)
    derived: list[Triple] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def triples(self) -> list[Triple]:
        """Everything an export writes: stated, inverse lineage and patches."""
        return self.stated + self.derived


def map_policy(records: Sequence[Record], minter: Minter,
               vocab: Vocabularies) -> tuple[list[Triple], list[Finding]]:
    """The triples all language versions of one policy state (deduplicated)."""
    seen: dict[Triple, None] = {}
    findings: list[Finding] = []
    clusters = cluster_iris(records, minter)
    for record in records:
        for triple in _map_record(record, minter, vocab, findings, clusters[record.lang]):
            seen.setdefault(triple, None)
    findings.extend(_cluster_alignment(records))
    return list(seen), findings


def cluster_iris(records: Sequence[Record], minter: Minter) -> dict[str, list[URIRef | None]]:
    """Language -> the cluster node each name of that record's ``evolution.clusters`` stands for.

    The language versions of one policy name the same clusters. Where a
    version's list aligns with the English one (same length: same order is
    assumed), its i-th name labels the node minted from the i-th English
    name, so one cluster carries its English and Chinese names. Otherwise
    (or with no English version) each name mints its own node. None marks
    an empty name.
    """
    reference = next((r for r in records if r.lang == DEFAULT_LANG), None)
    ref_names = _cluster_names(reference)
    out: dict[str, list[URIRef | None]] = {}
    for record in records:
        names = _cluster_names(record)
        aligned = reference is not None and record is not reference and len(names) == len(ref_names)
        iris: list[URIRef | None] = []
        for i, name in enumerate(names):
            if not isinstance(name, str) or not name:
                iris.append(None)
            elif aligned and isinstance(ref_names[i], str) and ref_names[i]:
                iris.append(minter.cluster(ref_names[i]))
            else:
                iris.append(minter.cluster(name))
        out[record.lang] = iris
    return out


def _cluster_names(record: Record | None) -> list[Any]:
    names = record.get("evolution.clusters") if record is not None else None
    return names if isinstance(names, list) else []


def _cluster_alignment(records: Sequence[Record]) -> list[Finding]:
    """A warning for each language version whose clusters cannot be paired with the English ones."""
    reference = next((r for r in records if r.lang == DEFAULT_LANG), None)
    if reference is None:
        return []
    path = "evolution.clusters"
    want = len(_cluster_names(reference))
    found = []
    for record in records:
        have = len(_cluster_names(record))
        if record is reference or have == want:
            continue
        other = reference.display or reference.rel
        found.append(Finding(
            file=record.display or record.rel, line=field_line(record.path, path), field=path,
            severity=Severity.WARNING, rule=RULE_PREFIX + "cluster-alignment", record=record.id,
            message=(f"{path} names {have} cluster(s) but {other} {path} names {want}: the two lists "
                     f"cannot be paired, so these names become cluster nodes of their own")))
    return found


H = TypeVar("H", bound=Hashable)


def inverse_links(links: Iterable[tuple[H, H, H]], policies: Container[H], inverses: Mapping[Any, H]
                  ) -> list[tuple[H, H, H]]:
    """The inverse of each link whose object is a known policy and whose inverse is not stated.

    Generic in the term type so the full build (rdflib terms) and the incremental
    build (N-Triples strings) derive the same links from the same table.

    >>> inverse_links([("a", "amends", "b"), ("b", "amendedBy", "a"), ("c", "amends", "z")],
    ...               {"a", "b", "c"}, {"amends": "amendedBy", "amendedBy": "amends"})
    []
    >>> inverse_links([("a", "amends", "b")], {"a", "b"}, {"amends": "amendedBy", "amendedBy": "amends"})
    [('b', 'amendedBy', 'a')]
    """
    stated = [t for t in links if t[1] in inverses]
    have = set(stated)  # hashing only the links: literals hash slowly
    out: dict[tuple[H, H, H], None] = {}
    for s, p, o in stated:
        if o in policies:
            triple = (o, inverses[p], s)
            if triple not in have:
                out.setdefault(triple, None)
    return list(out)


def _map_record(record: Record, minter: Minter, vocab: Vocabularies,
                findings: list[Finding], clusters: list[URIRef | None]) -> Iterator[Triple]:
    lang = record.lang
    data = record.data
    pid = record.id
    policy = minter.policy(pid)

    def text(value: Any) -> Literal | None:
        return Literal(value, lang=lang) if isinstance(value, str) and value != "" else None

    def warn(path: str, rule: str, message: str, severity: Severity = Severity.WARNING) -> None:
        findings.append(Finding(file=record.display or record.rel, line=field_line(record.path, path),
                                field=path, severity=severity, message=message,
                                rule=RULE_PREFIX + rule, record=pid))

    yield policy, RDF.type, CCUS.Policy
    yield policy, DCTERMS.identifier, Literal(pid)
    for path, predicate in TEXT_FIELDS.items():
        value = text(record.get(path))
        if value is not None:
            yield policy, predicate, value
    for path, (predicate, datatype) in PLAIN_FIELDS.items():
        value = record.get(path)
        if isinstance(value, str) and value != "":
            yield policy, predicate, Literal(value, datatype=datatype)
    year = record.get("year")
    if isinstance(year, int):
        yield policy, CCUS.year, Literal(f"{year:04d}", datatype=XSD.gYear)
    for path, (scheme, link, label) in CONCEPT_FIELDS.items():
        value = record.get(path)
        if not isinstance(value, str) or value == "":
            continue
        yield policy, label, Literal(value, lang=lang)
        concept = vocab.lookup(scheme, value)
        if concept is not None:  # an unmapped value is kept as the label (a SHACL warning)
            yield policy, link, concept
    yield from _jurisdiction(record, policy, minter)
    for item in record.get("sectors") or []:
        if item:
            yield policy, CCUS.sector, Literal(item, lang=lang)
    for item in record.get("relatedFacilities") or []:
        if item:
            yield policy, CCUS.relatedFacility, Literal(item)
    if record.body:
        yield policy, CCUS.summary, Literal(record.body, lang=lang)
    yield from _assessments(record, policy, minter, vocab, text)
    yield from _evolution(record, policy, minter, text, clusters)
    yield from _sources(record, policy, minter, text)
    for path in unknown_supports(record.get("sources")):
        warn(path, "unknown-supports", f"{path} names no field of the record format")
    for i, item in enumerate(record.get("sources") or []):
        for key in item if isinstance(item, dict) else ():
            if key not in SOURCE_KEYS:
                warn(f"sources[{i}].{key}", "unknown-field",
                     f"sources[{i}].{key} is not a field of a source (url, title, supports); kept as written")
    author = record.get("provenance.author")
    if isinstance(author, str) and author:
        agent = minter.agent(author)
        yield policy, PROV.wasAttributedTo, agent
        yield agent, RDF.type, PROV.Agent
        if _AI_AUTHOR.search(author):
            yield agent, RDF.type, PROV.SoftwareAgent
        yield agent, RDFS.label, Literal(author)
    source = minter.source_record(pid, lang)
    yield policy, PROV.wasDerivedFrom, source
    yield source, RDF.type, CCUS.SourceRecord
    yield source, CCUS.sourceFile, Literal(record.rel)
    yield source, CCUS.frontMatterFormat, Literal(record.format)
    yield source, DCTERMS.language, Literal(lang)
    for path, value in unknown_fields(data):
        node = minter.extra(pid, path)
        yield policy, CCUS.extra, node
        yield node, RDF.type, CCUS.ExtraField
        yield node, CCUS.fieldPath, Literal(path)
        yield node, CCUS.value, _extra_value(value, lang)
        warn(path, "unknown-field", f"{path} is not a field of the record format; kept as ccus:extra",
             Severity.INFO)


def _jurisdiction(record: Record, policy: URIRef, minter: Minter) -> Iterator[Triple]:
    # An unresolvable name stays as ccus:countryName (and in the patch); SHACL warns.
    code = record.get("jurisdiction")
    country = record.get("country")
    explicit = isinstance(code, str) and code != ""
    found = resolve(country if isinstance(country, str) else None, code if explicit else None)
    if found is None:
        return
    yield policy, CCUS.jurisdiction, minter.jurisdiction(found.code)
    while found is not None:
        node = minter.jurisdiction(found.code)
        yield node, RDF.type, CCUS.Jurisdiction
        yield node, SKOS.notation, Literal(found.code)
        for tag, label in found.labels:
            yield node, RDFS.label, Literal(label, lang=tag)
        if found.alpha3:
            yield node, SKOS.exactMatch, EU_COUNTRY[found.alpha3]
        if found.parent is None:
            break
        yield node, DCTERMS.isPartOf, minter.jurisdiction(found.parent)
        found = resolve(None, found.parent)


def _assessments(record: Record, policy: URIRef, minter: Minter, vocab: Vocabularies,
                 text: Any) -> Iterator[Triple]:
    analysis = record.get("analysis")
    if not isinstance(analysis, dict):
        return
    for dim in DIMENSIONS:
        block = analysis.get(dim)
        if not isinstance(block, dict):
            continue
        node = minter.assessment(record.id, dim)
        yield policy, CCUS.hasAssessment, node
        yield node, RDF.type, CCUS.DimensionAssessment
        yield node, CCUS.dimension, vocab.lookup("dimension", dim) or DIMENSION[dim]
        score = block.get("score")
        if isinstance(score, int):
            yield node, CCUS.score, Literal(score)
        for key, predicate in ASSESSMENT_TEXT.items():
            value = text(block.get(key))
            if value is not None:
                yield node, predicate, value


def _evolution(record: Record, policy: URIRef, minter: Minter, text: Any,
               clusters: list[URIRef | None]) -> Iterator[Triple]:
    for path, predicate in LINK_LISTS.items():
        for target in ids(record.get(path)):
            yield policy, predicate, minter.policy(target)
    successor = record.get("evolution.supersededBy")
    if isinstance(successor, str) and successor:
        yield policy, CCUS.supersededBy, minter.policy(successor)
    for name, cluster in zip(_cluster_names(record), clusters, strict=True):
        if cluster is not None:
            yield policy, CCUS.inCluster, cluster
            yield cluster, RDF.type, CCUS.Cluster
            yield cluster, RDFS.label, Literal(name, lang=record.lang)
    for position, item in enumerate(record.get("evolution.milestones") or [], start=1):
        if not isinstance(item, dict):
            continue
        node = minter.milestone(record.id, position)
        yield policy, CCUS.hasMilestone, node
        yield node, RDF.type, CCUS.Milestone
        date = item.get("date")
        if isinstance(date, str) and date:
            yield node, CCUS.milestoneDate, Literal(date, datatype=partial_date_type(date))
        event = text(item.get("event"))
        if event is not None:
            yield node, CCUS.event, event
        kind = item.get("type")
        if isinstance(kind, str) and kind:
            yield node, CCUS.milestoneType, Literal(kind)


def _sources(record: Record, policy: URIRef, minter: Minter, text: Any) -> Iterator[Triple]:
    for position, item in enumerate(record.get("sources") or [], start=1):
        if not isinstance(item, dict):
            continue
        node = minter.source(record.id, position)
        yield policy, DCTERMS.source, node
        yield node, RDF.type, CCUS.Source
        url = item.get("url")
        if isinstance(url, str) and url:
            yield node, SCHEMA.url, Literal(url, datatype=XSD.anyURI)
        title = text(item.get("title"))
        if title is not None:
            yield node, DCTERMS.title, title
        for path in item.get("supports") or []:
            if path:
                yield node, CCUS.supports, Literal(path)


def unknown_supports(sources: Any) -> Iterator[str]:
    """The dotted path (``sources[0].supports[1]``) of every supported field the format does not define.

    >>> list(unknown_supports([{"supports": ["pubDate", "evolution.amends[0]", "budget"]}]))
    ['sources[0].supports[2]']
    """
    for i, item in enumerate(sources if isinstance(sources, list) else []):
        supports = item.get("supports") if isinstance(item, dict) else None
        for j, path in enumerate(supports if isinstance(supports, list) else []):
            if isinstance(path, str) and path and not is_field_path(path):
                yield f"sources[{i}].supports[{j}]"


def is_field_path(path: str) -> bool:
    """True when a dotted path (list indices allowed) names a field of the record format.

    >>> [is_field_path(p) for p in ("title", "evolution.milestones[2].date", "analysis.mrv", "x.y")]
    [True, True, True, False]
    """
    bare = re.sub(r"\[\d+\]", "", path)
    if bare in FIELDS or bare in GROUPS:
        return True
    parent, _, key = bare.rpartition(".")
    kind = FIELDS.get(parent)
    return (kind is Kind.MILESTONES and key in ("date", "event", "type")) or (
        kind is Kind.SOURCES and key in SOURCE_KEYS)


def partial_date_type(value: str) -> URIRef:
    """xsd:date, xsd:gYearMonth or xsd:gYear, by the precision written."""
    return {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(value), XSD.date)


def unknown_fields(data: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every field the record format does not define."""
    for key in data:
        path = f"{prefix}{key}"
        if path in FIELDS:
            continue
        value = data[key]
        if path in GROUPS and isinstance(value, dict):
            yield from unknown_fields(value, path + ".")
        else:
            yield path, value


def _extra_value(value: Any, lang: str) -> Literal:
    if isinstance(value, str):
        return Literal(value, lang=lang)
    return Literal(json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False), datatype=RDF.JSON)


# --- the reverse ---------------------------------------------------------------------------


class Index:
    """subject -> predicate -> objects, in insertion order: what the reverse reads."""

    def __init__(self, triples: Iterable[Triple] = ()):
        self.spo: dict[Node, dict[Node, list[Node]]] = {}
        for s, p, o in triples:
            self.spo.setdefault(s, {}).setdefault(p, []).append(o)

    def objects(self, s: Node, p: Node) -> list[Node]:
        return self.spo.get(s, {}).get(p, [])

    def subjects_of_type(self, cls: Node) -> list[Node]:
        return [s for s, po in self.spo.items() if cls in po.get(RDF.type, ())]


def records_from_triples(triples: Iterable[Triple], minter: Minter | None = None
                         ) -> dict[tuple[str, str], tuple[dict[str, Any], str]]:
    """Every record a graph describes: (id, lang) -> (front matter, body)."""
    minter = minter or Minter()
    index = Index(triples)
    out = {}
    for source in sorted(index.subjects_of_type(CCUS.SourceRecord), key=str):
        lang = str(_first(index.objects(source, DCTERMS.language)) or "en")
        policy = URIRef(str(source).rsplit("/record/", 1)[0])
        if CCUS.Policy not in index.objects(policy, RDF.type):
            continue  # a facility's record: kg.facilities.facilities_from_triples rebuilds those
        pid = str(_first(index.objects(policy, DCTERMS.identifier)) or minter.policy_id(policy))
        out[(pid, lang)] = unmap(index, policy, lang, minter)
    return out


def unmap(index: Index, policy: URIRef, lang: str, minter: Minter,
          vocab: Vocabularies | None = None, apply_patch: bool = True
          ) -> tuple[dict[str, Any], str]:
    """Rebuild one language version of a record from the graph."""
    vocab = vocab or vocabularies()
    data: dict[str, Any] = {}
    objects = index.objects

    def text_of(subject: Node, predicate: Node) -> str | None:
        values = sorted(str(o) for o in objects(subject, predicate)
                        if isinstance(o, Literal) and (o.language or "") == lang)
        return values[0] if values else None

    def put(path: str, value: Any) -> None:
        dotted_set(data, path, value)

    put("id", str(_first(objects(policy, DCTERMS.identifier)) or minter.policy_id(policy)))
    for path, predicate in TEXT_FIELDS.items():
        put(path, text_of(policy, predicate))
    for path, (predicate, _) in PLAIN_FIELDS.items():
        value = _first(objects(policy, predicate))
        put(path, None if value is None else str(value))
    year = _first(objects(policy, CCUS.year))
    put("year", None if year is None else int(str(year)))
    for path, (_, _, label) in CONCEPT_FIELDS.items():
        put(path, text_of(policy, label))
    jurisdiction = _first(objects(policy, CCUS.jurisdiction))
    if jurisdiction is not None and _first(objects(jurisdiction, DCTERMS.isPartOf)) is not None:
        put("jurisdiction", str(_first(objects(jurisdiction, SKOS.notation))))
    sectors = sorted(str(o) for o in objects(policy, CCUS.sector) if isinstance(o, Literal) and o.language == lang)
    put("sectors", sectors or None)
    facilities = sorted(str(o) for o in objects(policy, CCUS.relatedFacility))
    put("relatedFacilities", facilities or None)
    analysis: dict[str, Any] = {}
    for node in sorted(objects(policy, CCUS.hasAssessment), key=str):
        dim = str(node).rsplit("/", 1)[-1]
        dimension = _first(objects(node, CCUS.dimension))
        concept = vocab.concepts.get(dimension) if isinstance(dimension, URIRef) else None
        if concept is not None:
            dim = concept.notation
        block: dict[str, Any] = {}
        score = _first(objects(node, CCUS.score))
        if score is not None:
            block["score"] = int(str(score))
        for key, predicate in ASSESSMENT_TEXT.items():
            text = text_of(node, predicate)
            if text is not None:
                block[key] = text
        analysis[dim] = block
    put("analysis", analysis or None)
    for path, predicate in LINK_LISTS.items():
        ids = sorted(_policy_id(o, minter) for o in objects(policy, predicate))
        put(path, ids or None)
    successors = sorted(_policy_id(o, minter) for o in objects(policy, CCUS.supersededBy))
    put("evolution.supersededBy", successors[0] if successors else None)
    clusters = sorted(name for c in objects(policy, CCUS.inCluster)
                      if (name := text_of(c, RDFS.label)) is not None)
    put("evolution.clusters", clusters or None)
    milestones = []
    for node in sorted(objects(policy, CCUS.hasMilestone), key=_position):
        item: dict[str, Any] = {}
        date = _first(objects(node, CCUS.milestoneDate))
        if date is not None:
            item["date"] = str(date)
        event = text_of(node, CCUS.event)
        if event is not None:
            item["event"] = event
        kind = _first(objects(node, CCUS.milestoneType))
        if kind is not None:
            item["type"] = str(kind)
        milestones.append(item)
    put("evolution.milestones", milestones or None)
    sources = []
    for node in sorted(objects(policy, DCTERMS.source), key=_position):
        source: dict[str, Any] = {}
        url = _first(objects(node, SCHEMA.url))
        if url is not None:
            source["url"] = str(url)
        title = text_of(node, DCTERMS.title)
        if title is not None:
            source["title"] = title
        supports = sorted(str(o) for o in objects(node, CCUS.supports))
        if supports:
            source["supports"] = supports
        sources.append(source)
    put("sources", sources or None)
    agent = _first(objects(policy, PROV.wasAttributedTo))
    if agent is not None:
        put("provenance.author", str(_first(objects(agent, RDFS.label))))
    for node in sorted(objects(policy, CCUS.extra), key=str):
        path = str(_first(objects(node, CCUS.fieldPath)))
        values = objects(node, CCUS.value)
        tagged = [v for v in values if isinstance(v, Literal) and v.language == lang]
        plain = [v for v in values if isinstance(v, Literal) and v.datatype == RDF.JSON]
        if tagged:
            _set_path(data, path, str(tagged[0]))
        elif plain:
            _set_path(data, path, json.loads(str(plain[0])))
    body = text_of(policy, CCUS.summary) or ""
    if apply_patch:
        record = minter.source_record(str(data["id"]), lang)
        patch = _first(objects(record, CCUS.roundTripPatch))
        if patch is not None:
            data, body = apply(data, body, json.loads(str(patch)))
    return data, body


def patch_triples(record: Record, index: Index, minter: Minter,
                  vocab: Vocabularies) -> list[Triple]:
    """The ccus:roundTripPatch that makes this record's reverse exact (if any)."""
    policy = minter.policy(record.id)
    rebuilt, body = unmap(index, policy, record.lang, minter, vocab, apply_patch=False)
    patch = diff({**record.data, BODY: record.body}, {**rebuilt, BODY: body})
    if not patch:
        return []
    text = json.dumps(patch, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    source = minter.source_record(record.id, record.lang)
    return [(source, CCUS.roundTripPatch, Literal(text, datatype=RDF.JSON))]


def diff(want: dict[str, Any], have: dict[str, Any], prefix: tuple[str, ...] = ()
         ) -> list[list[Any]]:
    """Edits turning ``have`` into ``want``: ["set", path, value] / ["del", path]."""
    edits: list[list[Any]] = []
    for key, value in want.items():
        path = (*prefix, key)
        if key not in have:
            edits.append(["set", list(path), value])
        elif isinstance(value, dict) and isinstance(have[key], dict):
            edits.extend(diff(value, have[key], path))
        elif value != have[key] or type(value) is not type(have[key]):
            edits.append(["set", list(path), value])
    for key in have:
        if key not in want:
            edits.append(["del", list((*prefix, key))])
    return edits


def apply(data: dict[str, Any], body: str, edits: list[list[Any]]) -> tuple[dict[str, Any], str]:
    """Apply a patch made by :func:`diff` to a rebuilt record."""
    merged: dict[str, Any] = {**data, BODY: body}
    for edit in edits:
        op, path = edit[0], edit[1]
        node = merged
        for part in path[:-1]:
            node = node.setdefault(part, {})
        if op == "set":
            node[path[-1]] = edit[2]
        else:
            node.pop(path[-1], None)
    body = merged.pop(BODY)
    return merged, body


def _set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    steps = _PATH_STEP.findall(dotted)
    node = data
    for step in steps[:-1]:
        node = node.setdefault(step, {})
    node[steps[-1]] = value


def _policy_id(node: Node, minter: Minter) -> str:
    return minter.policy_id(str(node)) or str(node)


def _position(node: Node) -> int:
    """The position a minted milestone or source IRI ends in."""
    return int(str(node).rsplit("/", 1)[1])


def _first(values: list[Node]) -> Node | None:
    return values[0] if values else None


__all__ = [
    "INVERSES",
    "Index",
    "Mapped",
    "Triple",
    "apply",
    "cluster_iris",
    "diff",
    "inverse_links",
    "is_field_path",
    "map_policy",
    "partial_date_type",
    "records_from_triples",
    "unknown_fields",
    "unknown_supports",
    "unmap",
]
