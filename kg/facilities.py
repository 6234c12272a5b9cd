"""Facility and country-profile records of a content root -> Records and triples, losslessly.

A content root keeps facilities in ``facilities/`` and stated jurisdiction
profiles in ``countries/`` (each flat or by language) beside its policies.
Facilities map to ``ccus:Facility`` nodes with a GeoSPARQL point; the round
trip is exact the way it is for policies: what the vocabulary does not carry
(empty fields, list order, number types) is kept as a JSON patch on the
record's ``ccus:SourceRecord`` node.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.errors import Finding, Severity
from kg.iris import Minter, slugify
from kg.mapping import Index, Triple, _extra_value, _jurisdiction, apply, diff
from kg.namespaces import CCUS, DCTERMS, GEO, PROV, RDF, RDFS, SCHEMA, SF, SKOS, XSD
from kg.records import (
    REGULATORY,
    SOURCE_FIELDS,
    ContentRoot,
    Corpus,
    Kind,
    Record,
    _check_value,
    _describe,
    _display,
    _finding,
    _language,
    _normalise,
    dotted_get,
    dotted_set,
    field_line,
    first_versions,
    ids,
    locate,
    parse_front_matter,
    record_paths,
)
from kg.vocab import Vocabularies, vocabularies

RULE_PREFIX = "ccus-kg:load/"
MAPPING_RULE = "ccus-kg:mapping/"
BODY = "@body"
YEAR_FIELDS = {"announcement": CCUS.announcementYear, "fid": CCUS.fidYear, "operation": CCUS.operationYear,
               "suspensionDate": CCUS.suspensionYear}
NUMBER_FIELDS = {"capacity": CCUS.capacity, "estimatedCapacity": CCUS.estimatedCapacity}
TEXT_FIELDS = {"name": RDFS.label, "country": CCUS.countryName, "fateOfCarbon": CCUS.fateOfCarbon,
               "capacityRaw": CCUS.capacityRaw, "auditNote": CCUS.auditNote}
CONCEPT_FIELDS = {"type": ("facility-type", CCUS.facilityType, CCUS.facilityTypeLabel),
                  "status": ("facility-status", CCUS.facilityStatus, CCUS.facilityStatusLabel),
                  "sector": ("sector", CCUS.facilitySector, CCUS.facilitySectorLabel),
                  "reviewStatus": ("review-status", CCUS.reviewStatus, CCUS.reviewStatusLabel)}
LIST_FIELDS = {"partners": (CCUS.partnerName, None), "links": (CCUS.link, XSD.anyURI)}
# The facility record format: every known field and its kind ("coordinates", "number" and "year" are
# checked here; the others by the policy format's rules).
FACILITY_SCHEMA: dict[str, Kind | str] = {
    "id": Kind.STRING,
    "name": Kind.TEXT,
    "country": Kind.TEXT,
    "jurisdiction": Kind.STRING,
    "language": Kind.STRING,
    "coordinates": "coordinates",
    "precision": Kind.STRING,
    "type": Kind.TEXT,
    "status": Kind.TEXT,
    "sector": Kind.TEXT,
    "fateOfCarbon": Kind.TEXT,
    "capacity": "number",
    "capacityRaw": Kind.TEXT,
    "estimatedCapacity": "number",
    "operator": Kind.STRING,
    "partners": Kind.STRINGS,
    **dict.fromkeys(YEAR_FIELDS, "year"),
    "links": Kind.STRINGS,
    "relatedPolicies": Kind.IDS,
    "sources": Kind.SOURCES,
    "reviewStatus": Kind.TEXT,
    "auditNote": Kind.TEXT,
    "provenance.author": Kind.STRING,
    "provenance.reviewer": Kind.STRING,
    "provenance.lastAuditDate": Kind.DATE,
}
FACILITY_GROUPS = frozenset({"provenance"})
# A stated jurisdiction profile (the hub's countries/): the seven pillars as text.
COUNTRY_SCHEMA: dict[str, Kind | str] = {
    "id": Kind.STRING,
    "name": Kind.TEXT,
    "jurisdiction": Kind.STRING,
    **{f"regulatory.{pillar}": Kind.TEXT for pillar in REGULATORY},
    "summary": Kind.TEXT,
    "provenance.author": Kind.STRING,
    "provenance.reviewer": Kind.STRING,
    "provenance.lastAuditDate": Kind.DATE,
}
COUNTRY_GROUPS = frozenset({"provenance", "regulatory"})
_YEAR = re.compile(r"^\d{4}$")
# Predicate on a facility node -> the field it comes from (for findings).
FACILITY_FIELDS: dict[Node, str] = {
    DCTERMS.identifier: "id",
    CCUS.relatedPolicy: "relatedPolicies",
    CCUS.jurisdiction: "country",
    CCUS.operatorName: "operator",
    GEO.hasGeometry: "coordinates",
    DCTERMS.source: "sources",
    PROV.wasAttributedTo: "provenance.author",
    CCUS.reviewer: "provenance.reviewer",
    CCUS.lastAuditDate: "provenance.lastAuditDate",
    **{p: path for path, p in TEXT_FIELDS.items()},
    **{p: path for path, p in NUMBER_FIELDS.items()},
    **{p: path for path, p in YEAR_FIELDS.items()},
    **{p: path for path, (p, _) in LIST_FIELDS.items()},
    **{link: path for path, (_, link, _) in CONCEPT_FIELDS.items()},
    **{label: path for path, (_, _, label) in CONCEPT_FIELDS.items()},
}


# --- loading ---------------------------------------------------------------------------------


def load_landscape(root: ContentRoot, corpus: Corpus) -> None:
    """Read a content root's facilities and stated profiles into ``corpus`` (records and findings)."""
    for folder, kind in ((root.facilities, "facility"), (root.countries, "country")):
        if folder is None:
            continue
        loaded: list[Record] = []
        for path in record_paths(folder):
            corpus.files += 1
            record, findings = load_other(Path(path), folder, kind)
            corpus.findings.extend(findings)
            if record is not None:
                loaded.append(record)
        firsts, later = first_versions(loaded, lambda r: (r.id, r.lang, r.rel))
        for record, first in later:
            corpus.findings.append(_finding(record.display, field_line(record.path, "id"), "id", "duplicate-id",
                                            f"{kind} id '{record.id}' ({record.lang}) is also used by {first}",
                                            record.id))
        if kind == "facility":
            corpus.facilities = firsts
        else:
            corpus.countries = firsts


def load_other(path: Path, root: Path, kind: str) -> tuple[Record | None, list[Finding]]:
    """One facility (``kind`` "facility") or stated profile ("country") file, checked against its format."""
    rel = path.relative_to(root).as_posix()
    display = _display(path, root)
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [_finding(display, None, "", "unreadable", f"cannot be read as UTF-8 text: {exc}")]
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    parsed = parse_front_matter(text, display) if text.strip() else _finding(display, None, "", "empty",
                                                                               "the file is empty")
    if isinstance(parsed, Finding):
        return None, [parsed]
    if isinstance(parsed, list):  # hostile front matter (a key twice, nesting too deep): one finding each
        return None, parsed
    data, body, fmt = parsed
    data = _normalise(data)
    schema = FACILITY_SCHEMA if kind == "facility" else COUNTRY_SCHEMA
    findings = check_other(data, display, text, schema, FACILITY_GROUPS if kind == "facility" else COUNTRY_GROUPS,
                           ("id", "name"))
    record_id = data.get("id")
    # A facility file is named by its id; a profile by its id as a slug (the hub writes 'Algeria' in algeria.md).
    if isinstance(record_id, str) and record_id and path.stem not in (record_id, slugify(record_id)):
        findings.append(_finding(display, locate(text, "id"), "id", "id-filename",
                                 f"id '{record_id}' differs from the file name '{path.name}'", record_id))
    if findings:
        rid = record_id if isinstance(record_id, str) else ""
        return None, [Finding(**{**f.__dict__, "record": f.record or rid}) for f in
                      sorted(findings, key=lambda f: (f.line or 0, f.field))]
    return Record(id=record_id, lang=_language(rel, data), path=path, rel=rel, data=data, body=body,
                  format=fmt, display=display), []


def check_other(data: dict[str, Any], display: str, text: str, schema: dict[str, Kind | str],
                groups: frozenset[str], required: Sequence[str]) -> list[Finding]:
    """Structural problems of a facility or profile record, each with its field path and line."""
    findings: list[Finding] = []

    def bad(path: str, rule: str, message: str) -> None:
        findings.append(_finding(display, locate(text, path), path, rule, message))

    for name in required:
        if data.get(name) in (None, ""):
            bad(name, "required", f"{name} is required")
    for group in sorted(groups):
        if group in data and not isinstance(data[group], dict):
            bad(group, "type", f"{group} must be a mapping of fields, got {_describe(data[group])}")
    for path, kind in schema.items():
        value = dotted_get(data, path)
        if value is None:
            continue
        if kind == "coordinates":
            if (not isinstance(value, list) or len(value) != 2
                    or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
                bad(path, "type", f"{path} must be [latitude, longitude] in decimal degrees, got {_describe(value)}")
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                bad(path, "type", f"{path} must be a number (Mt CO2 per year), got {_describe(value)}")
        elif kind == "year":
            if not (isinstance(value, str) and (value == "" or _YEAR.match(value))):
                bad(path, "date", f"{path} must be a year \"YYYY\" or \"\", got {_describe(value)}")
        else:
            assert isinstance(kind, Kind), kind  # the schemas' other kinds are the record format's
            for sub, message, rule in _check_value(path, kind, value):
                bad(sub, rule, message)
    return findings




def unknown_fields(data: dict[str, Any], schema: dict[str, Any], groups: frozenset[str],
                   prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every field a facility or profile format does not define."""
    for key, value in data.items():
        path = f"{prefix}{key}"
        if path in schema:
            continue
        if path in groups and isinstance(value, dict):
            yield from unknown_fields(value, schema, groups, path + ".")
        else:
            yield path, value


def decimal(value: float | int) -> Literal:
    """A number as xsd:decimal in its shortest form (1.0 -> "1", 0.850 -> "0.85"), as Oxigraph writes it,
    so both engines report the same value; the record's own form is kept by the round-trip patch."""
    try:
        text = format(Decimal(repr(value)).normalize(), "f")
    except InvalidOperation:  # nan, inf
        text = str(value)
    return Literal(text, datatype=XSD.decimal)


def wkt_point(lat: float, lon: float) -> Literal:
    """A GeoSPARQL WKT point; CRS84 (the default) orders longitude first."""
    return Literal(f"POINT({lon!r} {lat!r})", datatype=GEO.wktLiteral)


def jurisdiction_code(record: Record) -> str | None:
    """The ISO code a facility or profile lies in: its ``jurisdiction``, else its country name resolved."""
    from kg.jurisdictions import resolve

    code = record.get("jurisdiction")
    country = record.get("country") or record.get("name")
    found = resolve(country if isinstance(country, str) else None,
                    code if isinstance(code, str) and code else None)
    return found.code if found is not None else None


# --- mapping --------------------------------------------------------------------------------


def map_facilities(corpus: Corpus, minter: Minter, vocab: Vocabularies | None = None
                   ) -> tuple[list[Triple], list[Triple], list[Finding]]:
    """(stated triples, round-trip patches, findings) of every facility and stated profile."""
    vocab = vocab or vocabularies()
    stated: dict[Triple, None] = {}
    findings: list[Finding] = []
    for record in corpus.facilities:
        for triple in map_facility(record, minter, vocab, findings):
            stated.setdefault(triple, None)
    for record in corpus.countries:
        for triple in map_profile(record, minter, findings):
            stated.setdefault(triple, None)
    triples = list(stated)
    index = Index(triples)
    patches = [t for record in corpus.facilities for t in facility_patch(record, index, minter, vocab)]
    return triples, patches, findings


def map_facility(record: Record, minter: Minter, vocab: Vocabularies,
                 findings: list[Finding]) -> Iterator[Triple]:
    """The triples one language version of a facility record states."""
    fid, lang = record.id, record.lang
    node = minter.facility(fid)

    def warn(path: str, rule: str, message: str, severity: Severity = Severity.WARNING) -> None:
        findings.append(Finding(file=record.display or record.rel, line=field_line(record.path, path), field=path,
                                severity=severity, message=message, rule=MAPPING_RULE + rule, record=fid))

    yield node, RDF.type, CCUS.Facility
    yield node, DCTERMS.identifier, Literal(fid)
    for path, predicate in TEXT_FIELDS.items():
        value = record.get(path)
        if isinstance(value, str) and value:
            yield node, predicate, Literal(value, lang=lang)
    for path, (scheme, link, label) in CONCEPT_FIELDS.items():
        value = record.get(path)
        if not isinstance(value, str) or not value:
            continue
        yield node, label, Literal(value, lang=lang)
        concept = vocab.lookup(scheme, value)
        if concept is not None:
            yield node, link, concept
        else:
            warn(path, "unmapped-value", f"{path} '{value}' names no concept of the {scheme} scheme")
    for path, predicate in NUMBER_FIELDS.items():
        value = record.get(path)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            yield node, predicate, decimal(value)
    for path, predicate in YEAR_FIELDS.items():
        value = record.get(path)
        if isinstance(value, str) and value:
            yield node, predicate, Literal(value, datatype=XSD.gYear)
    operator = record.get("operator")
    if isinstance(operator, str) and operator:
        yield node, CCUS.operatorName, Literal(operator)
    for path, (predicate, datatype) in LIST_FIELDS.items():
        for item in record.get(path) or []:
            if item:
                yield node, predicate, Literal(item, datatype=datatype)
    coordinates = record.get("coordinates")
    if isinstance(coordinates, list) and len(coordinates) == 2:
        lat, lon = coordinates
        geometry = minter.geometry(fid)
        yield node, GEO.hasGeometry, geometry
        yield geometry, RDF.type, GEO.Geometry
        yield geometry, RDF.type, SF.Point
        yield geometry, GEO.asWKT, wkt_point(lat, lon)
        yield geometry, SCHEMA.latitude, decimal(lat)
        yield geometry, SCHEMA.longitude, decimal(lon)
        precision = record.get("precision")
        if isinstance(precision, str) and precision:
            yield geometry, CCUS.coordinatePrecision, Literal(precision)
    yield from _jurisdiction(record, node, minter)
    if record.get("country") and jurisdiction_code(record) is None:
        warn("country", "unknown-country", f"country '{record.get('country')}' names no ISO 3166 country: "
             "the facility has no jurisdiction, so no instrument can be derived for it")
    for target in ids(record.get("relatedPolicies")):
        yield node, CCUS.relatedPolicy, minter.policy(target)
    for position, item in enumerate(record.get("sources") or [], start=1):
        if not isinstance(item, dict):
            continue
        source = minter.facility_part(fid, "source", position)
        yield node, DCTERMS.source, source
        yield source, RDF.type, CCUS.Source
        if item.get("url"):
            yield source, SCHEMA.url, Literal(item["url"], datatype=XSD.anyURI)
        if item.get("title"):
            yield source, DCTERMS.title, Literal(item["title"], lang=lang)
        for path in item.get("supports") or []:
            if path:
                yield source, CCUS.supports, Literal(path)
                if path.split("[")[0] not in FACILITY_SCHEMA and path not in FACILITY_GROUPS:
                    warn(f"sources[{position - 1}].supports", "unknown-supports",
                         f"sources[{position - 1}].supports names '{path}', no field of the facility format")
    author = record.get("provenance.author")
    if isinstance(author, str) and author:
        agent = minter.agent(author)
        yield node, PROV.wasAttributedTo, agent
        yield agent, RDF.type, PROV.Agent
        yield agent, RDFS.label, Literal(author)
    reviewer = record.get("provenance.reviewer")
    if isinstance(reviewer, str) and reviewer:
        yield node, CCUS.reviewer, Literal(reviewer)
    audited = record.get("provenance.lastAuditDate")
    if isinstance(audited, str) and audited:
        yield node, CCUS.lastAuditDate, Literal(audited, datatype=XSD.date)
    if record.body:
        yield node, CCUS.summary, Literal(record.body, lang=lang)
    source = minter.facility_part(fid, "record", lang)
    yield node, PROV.wasDerivedFrom, source
    yield source, RDF.type, CCUS.SourceRecord
    yield source, CCUS.sourceFile, Literal(record.rel)
    yield source, CCUS.frontMatterFormat, Literal(record.format)
    yield source, DCTERMS.language, Literal(lang)
    for path, value in unknown_fields(record.data, FACILITY_SCHEMA, FACILITY_GROUPS):
        extra = minter.facility_part(fid, "extra", path)
        yield node, CCUS.extra, extra
        yield extra, RDF.type, CCUS.ExtraField
        yield extra, CCUS.fieldPath, Literal(path)
        yield extra, CCUS.value, _extra_value(value, lang)
        findings.append(_unknown(record, path))


def map_profile(record: Record, minter: Minter, findings: list[Finding]) -> Iterator[Triple]:
    """A stated jurisdiction profile: which pillars its text addresses, for the jurisdiction it names."""
    node = minter.profile(record.id)
    yield node, RDF.type, CCUS.JurisdictionProfile
    yield node, DCTERMS.identifier, Literal(record.id)
    name = record.get("name")
    if isinstance(name, str) and name:
        yield node, RDFS.label, Literal(name, lang=record.lang)
    code = jurisdiction_code(record)
    if code is None:
        findings.append(Finding(file=record.display, line=field_line(record.path, "name"), field="name",
                                severity=Severity.WARNING, rule=MAPPING_RULE + "unknown-country", record=record.id,
                                message=f"name '{name}' names no jurisdiction: the profile cannot be compared"))
    else:
        yield node, CCUS.profileOf, minter.jurisdiction(code)
    from kg.mapping import TEXT_FIELDS as POLICY_TEXT

    for pillar in REGULATORY:
        value = record.get(f"regulatory.{pillar}")
        if isinstance(value, str) and value.strip():
            yield node, POLICY_TEXT[f"regulatory.{pillar}"], Literal(value, lang=record.lang)
    summary = record.get("summary")
    if isinstance(summary, str) and summary:
        yield node, CCUS.description, Literal(summary, lang=record.lang)
    if record.body:
        yield node, CCUS.summary, Literal(record.body, lang=record.lang)
    author = record.get("provenance.author")
    if isinstance(author, str) and author:
        yield node, PROV.wasAttributedTo, minter.agent(author)
        yield minter.agent(author), RDF.type, PROV.Agent
        yield minter.agent(author), RDFS.label, Literal(author)
    audited = record.get("provenance.lastAuditDate")
    if isinstance(audited, str) and audited:
        yield node, CCUS.lastAuditDate, Literal(audited, datatype=XSD.date)
    source = minter.profile_part(record.id, "record", record.lang)
    yield node, PROV.wasDerivedFrom, source
    yield source, RDF.type, CCUS.SourceRecord
    yield source, CCUS.sourceFile, Literal(record.rel)
    yield source, DCTERMS.language, Literal(record.lang)
    for path, value in unknown_fields(record.data, COUNTRY_SCHEMA, COUNTRY_GROUPS):
        extra = minter.profile_part(record.id, "extra", path)
        yield node, CCUS.extra, extra
        yield extra, RDF.type, CCUS.ExtraField
        yield extra, CCUS.fieldPath, Literal(path)
        yield extra, CCUS.value, _extra_value(value, record.lang)
        findings.append(_unknown(record, path))


def _unknown(record: Record, path: str) -> Finding:
    """The info note for a field a facility or profile format does not define (kept as ccus:extra)."""
    return Finding(file=record.display or record.rel, line=field_line(record.path, path), field=path,
                   severity=Severity.INFO, rule=MAPPING_RULE + "unknown-field", record=record.id,
                   message=f"{path} is not a field of the record format; kept as ccus:extra")


# --- the reverse ------------------------------------------------------------------------------


def unmap_facility(index: Index, node: URIRef, lang: str, minter: Minter, vocab: Vocabularies | None = None,
                   apply_patch: bool = True) -> tuple[dict[str, Any], str]:
    """Rebuild one language version of a facility record from the graph."""
    vocab = vocab or vocabularies()
    objects = index.objects
    data: dict[str, Any] = {}

    def text_of(subject: Node, predicate: Node) -> str | None:
        values = sorted(str(o) for o in objects(subject, predicate)
                        if isinstance(o, Literal) and (o.language or "") == lang)
        return values[0] if values else None

    def first(subject: Node, predicate: Node) -> Node | None:
        values = objects(subject, predicate)
        return values[0] if values else None

    def put(path: str, value: Any) -> None:
        dotted_set(data, path, value)

    fid = str(first(node, DCTERMS.identifier) or minter.facility_id(str(node)))
    put("id", fid)
    for path, predicate in TEXT_FIELDS.items():
        put(path, text_of(node, predicate))
    for path, (_, _, label) in CONCEPT_FIELDS.items():
        put(path, text_of(node, label))
    for path, predicate in NUMBER_FIELDS.items():
        value = first(node, predicate)
        put(path, None if value is None else float(str(value)))
    for path, predicate in YEAR_FIELDS.items():
        value = first(node, predicate)
        put(path, None if value is None else str(value))
    operator = first(node, CCUS.operatorName)
    put("operator", None if operator is None else str(operator))
    for path, (predicate, _) in LIST_FIELDS.items():
        put(path, sorted(str(o) for o in objects(node, predicate)) or None)
    geometry = first(node, GEO.hasGeometry)
    if geometry is not None:
        lat, lon = first(geometry, SCHEMA.latitude), first(geometry, SCHEMA.longitude)
        if lat is not None and lon is not None:
            put("coordinates", [float(str(lat)), float(str(lon))])
        precision = first(geometry, CCUS.coordinatePrecision)
        put("precision", None if precision is None else str(precision))
    jurisdiction = first(node, CCUS.jurisdiction)
    if jurisdiction is not None and first(jurisdiction, DCTERMS.isPartOf) is not None:
        put("jurisdiction", str(first(jurisdiction, SKOS.notation)))
    related = sorted(minter.policy_id(str(o)) or str(o) for o in objects(node, CCUS.relatedPolicy))
    put("relatedPolicies", related or None)
    sources = []
    for source in sorted(objects(node, DCTERMS.source), key=lambda n: int(str(n).rsplit("/", 1)[1])):
        item: dict[str, Any] = {}
        url = first(source, SCHEMA.url)
        if url is not None:
            item["url"] = str(url)
        title = text_of(source, DCTERMS.title)
        if title is not None:
            item["title"] = title
        supports = sorted(str(o) for o in objects(source, CCUS.supports))
        if supports:
            item["supports"] = supports
        sources.append(item)
    put("sources", sources or None)
    agent = first(node, PROV.wasAttributedTo)
    if agent is not None:
        put("provenance.author", str(first(agent, RDFS.label)))
    reviewer = first(node, CCUS.reviewer)
    put("provenance.reviewer", None if reviewer is None else str(reviewer))
    audited = first(node, CCUS.lastAuditDate)
    put("provenance.lastAuditDate", None if audited is None else str(audited))
    for extra in sorted(objects(node, CCUS.extra), key=str):
        path = str(first(extra, CCUS.fieldPath))
        values = objects(extra, CCUS.value)
        tagged = [v for v in values if isinstance(v, Literal) and v.language == lang]
        plain = [v for v in values if isinstance(v, Literal) and v.datatype == RDF.JSON]
        if tagged:
            _set(data, path, str(tagged[0]))
        elif plain:
            _set(data, path, json.loads(str(plain[0])))
    body = text_of(node, CCUS.summary) or ""
    if apply_patch:
        patch = first(minter.facility_part(fid, "record", lang), CCUS.roundTripPatch)
        if patch is not None:
            data, body = apply(data, body, json.loads(str(patch)))
    return data, body


def facility_patch(record: Record, index: Index, minter: Minter, vocab: Vocabularies) -> list[Triple]:
    """The ccus:roundTripPatch that makes this facility record's reverse exact (if any)."""
    rebuilt, body = unmap_facility(index, minter.facility(record.id), record.lang, minter, vocab, apply_patch=False)
    patch = diff({**record.data, BODY: record.body}, {**rebuilt, BODY: body})
    if not patch:
        return []
    text = json.dumps(patch, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return [(minter.facility_part(record.id, "record", record.lang), CCUS.roundTripPatch,
             Literal(text, datatype=RDF.JSON))]


def facilities_from_triples(triples: Iterable[Triple], minter: Minter | None = None
                            ) -> dict[tuple[str, str], tuple[dict[str, Any], str]]:
    """Every facility record a graph describes: (id, lang) -> (front matter, body)."""
    minter = minter or Minter()
    index = Index(triples)
    out = {}
    for node in sorted(index.subjects_of_type(CCUS.Facility), key=str):  # IRIs: str order is rdflib's
        for source in sorted(index.objects(node, PROV.wasDerivedFrom), key=str):
            lang = str(index.objects(source, DCTERMS.language)[0])
            fid = minter.facility_id(str(node)) or str(node)
            out[(fid, lang)] = unmap_facility(index, URIRef(str(node)), lang, minter)
    return out


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    steps = dotted.split(".")
    node = data
    for step in steps[:-1]:
        node = node.setdefault(step, {})
    node[steps[-1]] = value


__all__ = ["COUNTRY_SCHEMA", "FACILITY_FIELDS", "FACILITY_SCHEMA", "SOURCE_FIELDS", "check_other",
           "facilities_from_triples", "facility_patch", "jurisdiction_code", "load_landscape", "load_other",
           "map_facilities", "map_facility",
           "map_profile", "unmap_facility", "wkt_point"]
