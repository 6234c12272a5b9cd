"""Graph + ontology/shapes.ttl -> findings that name the file and the field.

pyshacl is the engine. Shapes that look at one record run per policy (its
own triples plus the vocabularies), which makes their results cacheable and
parallel; cross-record shapes run once, over the lineage and cluster
subgraph of what the records state (before the export adds inverse links).
Each SHACL result is mapped back to the record file, the dotted field path
as written (``analysis.mrv.score``, ``evolution.supersedes[1]``) and its line.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib import query as rdflib_query
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Identifier, Node

from kg.errors import Finding, OntologyError, Severity, severity_counts
from kg.export import load_oxigraph
from kg.geo import outside_triples
from kg.iris import Minter, rule_iri
from kg.mapping import (
    ASSESSMENT_TEXT,
    CONCEPT_FIELDS,
    INVERSES,
    LINK_LISTS,
    PLAIN_FIELDS,
    TEXT_FIELDS,
    Mapped,
    Triple,
    cluster_iris,
)
from kg.namespaces import CCUS, DCTERMS, PROV, RDF, RDFS, SCHEMA, SH, SHAPES, XSD
from kg.records import Corpus, Record, field_line
from kg.resources import ontology_file
from kg.vocab import vocabularies

LISTED_PREDICATES = frozenset({CCUS.inCluster, CCUS.jurisdiction, PROV.wasAttributedTo})
# Keyed by what Graph.value() returns (None when a result states no severity).
SEVERITY: dict[Node | None, Severity] = {SH.Violation: Severity.VIOLATION, SH.Warning: Severity.WARNING,
                                         SH.Info: Severity.INFO}
# Predicates whose triples the cross-record shapes read.
LINEAGE_PREDICATES = frozenset({*INVERSES, CCUS.consolidatedFrom, CCUS.status, DCTERMS.issued, CCUS.inCluster,
                                CCUS.hasMilestone, CCUS.milestoneDate, CCUS.milestoneType})
CROSS_RECORD_SHAPES = tuple(SHAPES[name] for name in (
    "LinkTargetExists", "NoSelfSupersession", "NoLineageCycle", "DirectionsAgree",
    "DirectionStatedTwice", "SuccessorNotEarlier", "SupersededNotActive",
    "SupersededNamesSuccessor", "NearDuplicateCluster", "NotIssuedBeforeTarget", "LinkTypesAgree",
    "RepealedNotActive", "EndedWithoutEnd", "AmendedAfterRepeal"))

# Predicate on a policy node -> dotted field path in the record.
_POLICY_FIELDS: dict[Node, str] = {
    DCTERMS.identifier: "id",
    CCUS.year: "year",
    CCUS.supersededBy: "evolution.supersededBy",
    CCUS.inCluster: "evolution.clusters",
    CCUS.hasMilestone: "evolution.milestones",
    DCTERMS.source: "sources",
    CCUS.jurisdiction: "country",
    PROV.wasAttributedTo: "provenance.author",
    CCUS.summary: "",
    **{p: path for path, p in TEXT_FIELDS.items()},
    **{p: path for path, (p, _) in PLAIN_FIELDS.items()},
    **{p: path for path, p in LINK_LISTS.items()},
    **{link: path for path, (_, link, _) in CONCEPT_FIELDS.items()},
    **{label: path for path, (_, _, label) in CONCEPT_FIELDS.items()},
}
_ASSESSMENT_FIELDS: dict[Node, str] = {
    CCUS.score: "score",
    CCUS.dimension: "",
    **{p: key for key, p in ASSESSMENT_TEXT.items()},
}

_SOURCE_FIELDS: dict[Node, str] = {SCHEMA.url: "url", DCTERMS.title: "title", CCUS.supports: "supports"}
_MILESTONE_FIELDS: dict[Node, str] = {
    CCUS.milestoneDate: "date",
    CCUS.event: "event",
    CCUS.milestoneType: "type",
}


@dataclass(frozen=True)
class Result:
    """One SHACL result, as pyshacl gave it and as a finding in a record."""

    finding: Finding
    focus: Node
    path: Node | None
    value: Node | None
    shape: Node
    component: Node | None
    cross: bool = False


@dataclass
class Report:
    """Everything wrong with a corpus: loading problems and SHACL results."""

    findings: list[Finding] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(f.severity is Severity.VIOLATION for f in self.findings)

    def counts(self) -> dict[str, int]:
        """Severity -> number of findings, every severity present."""
        return severity_counts(self.findings)


@lru_cache(maxsize=4)
def shapes_graph(path: Path | None = None) -> Graph:
    """The shipped shapes (parsed once per process)."""
    path = path or ontology_file("shapes.ttl")
    try:
        return Graph().parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many types; all mean a broken file
        raise OntologyError(f"{path}: cannot be read: {exc}") from exc


def _split_shapes(shapes: Graph) -> tuple[Graph, Graph]:
    """Per-record shapes and cross-record shapes (each with what its constraints reference)."""
    cross = Graph()
    todo = list(CROSS_RECORD_SHAPES)
    seen: set[Node] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for s, p, o in shapes.triples((node, None, None)):
            cross.add((s, p, o))
            if isinstance(o, URIRef) and (o, None, None) in shapes:
                todo.append(o)
    per_record = Graph()
    for s, p, o in shapes:
        if s not in CROSS_RECORD_SHAPES:
            per_record.add((s, p, o))
    return per_record, cross


def validate(corpus: Corpus, mapped: Mapped, minter: Minter | None = None,
             load_findings: Sequence[Finding] = (), per_record: bool = False) -> Report:
    """Validate the stated graph of a corpus; loading problems join the report."""
    minter = minter or Minter()
    per_record_shapes, cross_shapes = _split_shapes(shapes_graph())
    locator = Locator(corpus.policies(), mapped.stated, minter, by_id(corpus.facilities))
    vocab = vocabularies().graph
    results: list[Result] = []
    stated = [*mapped.stated, *outside_triples(corpus.facilities, minter)] if corpus.facilities else mapped.stated
    for data in _record_graphs(stated, minter, per_record):
        results.extend(_run(data, vocab, per_record_shapes, locator))
    lineage = Graph()
    for s, p, o in mapped.stated:
        if p in LINEAGE_PREDICATES or (p == RDF.type and o in (CCUS.Policy, CCUS.Cluster)):
            lineage.add((s, p, o))
    for s, p, o in mapped.stated:
        if p == RDFS.label and (s, RDF.type, CCUS.Cluster) in lineage:
            lineage.add((s, p, o))
    results.extend(_run(lineage, vocab, cross_shapes, locator))
    ordered = unique_results(results)
    findings = sorted([*load_findings, *(r.finding for r in ordered)], key=finding_order)
    return Report(findings=findings, results=ordered)


def _record_graphs(stated: Sequence[Triple], minter: Minter, per_record: bool) -> Iterable[Graph]:
    """One graph per policy (with the shared nodes it links to), or one graph in all."""
    if not per_record:
        whole = Graph()
        for triple in stated:
            whole.add(triple)
        yield whole
        return
    by_subject: dict[Node, list[Triple]] = {}
    for triple in stated:
        by_subject.setdefault(triple[0], []).append(triple)
    groups: dict[Node, list[Triple]] = {}
    for subject, triples in by_subject.items():
        owner = _owner(subject, minter)
        if (owner, RDF.type, CCUS.Policy) in by_subject.get(owner, ()) or str(owner).startswith(
                minter.base + "policy/"):
            groups.setdefault(owner, []).extend(triples)
    for owner in sorted(groups, key=str):
        graph = Graph()
        todo = list(groups[owner])
        seen: set[Node] = set()
        while todo:
            s, p, o = todo.pop()
            graph.add((s, p, o))
            if isinstance(o, URIRef) and o not in seen and _owner(o, minter) != owner:
                seen.add(o)
                if not str(o).startswith(minter.base + "policy/"):
                    todo.extend(by_subject.get(o, ()))
        yield graph


class _PreparedGraph(Graph):
    """A view of a graph (over the same store: no triple copied) whose query() parses each text once.

    pyshacl hands rdflib the query text for every focus node, and rdflib
    parses it every time: on the hub sample that parsing was 35 of 48
    seconds. This graph keeps each parsed query (a prepared query is meant to
    be evaluated many times) for as long as it lives; rdflib's own classes,
    and every other graph in the process, are left as they are.
    """

    def __init__(self, graph: Graph) -> None:
        super().__init__(store=graph.store, identifier=graph.identifier, namespace_manager=graph.namespace_manager)
        self._prepared: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], Query] = {}

    def query(self, query_object: str | Query, processor: str | rdflib_query.Processor = "sparql",
              result: str | type[rdflib_query.Result] = "sparql", initNs: Mapping[str, Any] | None = None,
              initBindings: Mapping[str, Identifier] | None = None, use_store_provided: bool = True,
              **kwargs: Any) -> rdflib_query.Result:
        if isinstance(query_object, str) and processor == "sparql":
            namespaces = initNs or dict(self.namespaces())  # what Graph.query would hand the processor
            base = kwargs.get("base")
            key = (query_object, base, tuple(sorted((k, str(v)) for k, v in namespaces.items())))
            prepared = self._prepared.get(key)
            if prepared is None:
                prepared = self._prepared[key] = translateQuery(parseQuery(query_object), base, namespaces)
            query_object, initNs = prepared, namespaces
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


def _run(data: Graph, vocab: Graph, shapes: Graph, locator: Locator) -> list[Result]:
    for triple in vocab:  # sh:class needs the concepts' types; pyshacl mixes ont_graph only when inferring
        data.add(triple)
    from pyshacl import validate as shacl_validate  # the reference engine: imported when used (0.1 s)

    _, report, _ = shacl_validate(_PreparedGraph(data), shacl_graph=shapes, inference="none",
                                  abort_on_first=False, allow_warnings=True, meta_shacl=False,
                                  advanced=False, js=False, debug=False)
    out = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(node, SH.focusNode)
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        shape = report.value(node, SH.sourceShape)
        severity = SEVERITY.get(report.value(node, SH.resultSeverity), Severity.VIOLATION)
        messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
        component = report.value(node, SH.sourceConstraintComponent)
        finding = locator.finding(focus, path, value, severity, messages[0] if messages else "",
                                  str(shape))
        out.append(Result(finding, focus, path, value, shape, component))
    return out


def _owner(subject: Node, minter: Minter) -> Node:
    """The policy a node belongs to (assessments, milestones, records, extras)."""
    text = str(subject)
    prefix = minter.base + "policy/"
    if text.startswith(prefix):
        return URIRef(prefix + text[len(prefix):].split("/", 1)[0])
    return subject


class Locator:
    """Maps a SHACL focus node, path and value back to a record file and field.

    ``records`` may be any mapping (the incremental build passes one that
    unpickles a policy's records from its cache only when a finding needs
    them); ``stated`` is read only when a finding sits on a shared node.
    """

    def __init__(self, records: Mapping[str, list[Record]], stated: Iterable[Triple], minter: Minter,
                 facilities: Mapping[str, list[Record]] | None = None):
        self.minter = minter
        self.records = records
        self.facilities = facilities or {}
        self._stated: Iterable[Triple] | None = stated
        self._listing: dict[Node, list[str]] | None = None

    @property
    def listing(self) -> dict[Node, list[str]]:
        """Shared node (cluster, jurisdiction, agent) -> the policies that name it."""
        if self._listing is None:
            self._listing = {}
            for s, p, o in self._stated or ():
                if p in LISTED_PREDICATES:  # a set: hashing, not rdflib's slow __eq__ per triple
                    pid = self.minter.policy_id(str(s))
                    if pid is not None:
                        self._listing.setdefault(o, []).append(pid)
            self._stated = None
        return self._listing

    def finding(self, focus: Node, path: Node | None, value: Node | None, severity: Severity,
                message: str, rule: str) -> Finding:
        pid, base, node_kind = self._owner(focus)
        records = (self.facilities if node_kind.startswith("facility") else self.records).get(pid or "", [])
        record = _pick(records, value)
        dotted = self._field(node_kind, base, path, value, record, focus)
        text = self._message(dotted, message)
        if record is None:
            return Finding(file="", line=None, field=dotted, severity=severity, message=text,
                           rule=rule, record=pid or "")
        line = field_line(record.path, dotted) if dotted else None
        return Finding(file=record.display or record.rel, line=line, field=dotted, severity=severity,
                       message=text, rule=rule, record=record.id)

    def _owner(self, focus: Node) -> tuple[str | None, str, str]:
        text = str(focus)
        fid = self.minter.facility_id(text)
        if fid is not None:
            return fid, "", "facility-geometry" if text.endswith("/geometry") else "facility"
        prefix = self.minter.base + "policy/"
        if text.startswith(prefix):
            local, _, rest = text[len(prefix):].partition("/")
            pid = self.minter.policy_id(prefix + local)
            if rest.startswith("assessment/"):
                return pid, "analysis." + rest.split("/", 1)[1], "assessment"
            if rest.startswith("milestone/"):
                return pid, "evolution.milestones", "milestone"
            if rest.startswith("source/"):
                return pid, "sources", "source"
            return pid, "", "policy"
        owners = sorted(self.listing.get(focus, []))
        if not owners:
            return None, "", "other"
        if text.startswith(self.minter.base + "cluster/"):
            return owners[0], "evolution.clusters", "cluster"
        if text.startswith(self.minter.base + "jurisdiction/"):
            return owners[0], "country", "jurisdiction"
        return owners[0], "provenance.author", "agent"

    def _field(self, kind: str, base: str, path: Node | None, value: Node | None,
               record: Record | None, focus: Node) -> str:
        if kind.startswith("facility"):
            return _facility_field(kind, path, value, record, self.minter)
        if kind == "assessment":
            key = _ASSESSMENT_FIELDS.get(path, "") if path is not None else ""
            return f"{base}.{key}" if key else base
        if kind == "cluster":
            # The mapping's pairing: a Chinese name may label the node of the English one.
            iris = cluster_iris(self.records.get(record.id, [record]), self.minter).get(record.lang, []) \
                if record else []
            for i, iri in enumerate(iris):
                if iri == focus:
                    return f"{base}[{i}]"
            return base
        if kind in ("milestone", "source"):
            index = int(str(focus).rsplit("/", 1)[1]) - 1
            keys = _MILESTONE_FIELDS if kind == "milestone" else _SOURCE_FIELDS
            key = keys.get(path, "") if path is not None else ""
            return f"{base}[{index}].{key}" if key else f"{base}[{index}]"
        if kind in ("jurisdiction", "agent"):
            if kind == "jurisdiction" and record is not None and record.get("jurisdiction"):
                return "jurisdiction"
            return base
        dotted = _POLICY_FIELDS.get(path, "") if path is not None else ""
        if dotted == "country" and record is not None and record.get("jurisdiction"):
            dotted = "jurisdiction"
        if dotted in LINK_LISTS and isinstance(value, URIRef) and record is not None:
            target = self.minter.policy_id(str(value))
            items = record.get(dotted)
            if isinstance(items, list) and target in items:
                return f"{dotted}[{items.index(target)}]"  # a typed link written as one string has no index
        return dotted

    def _message(self, dotted: str, message: str) -> str:
        prefix = re.escape(self.minter.base + "policy/")
        message = re.sub(rf"<?{prefix}([^\s'>/]+)>?", r"\1", message)
        if not dotted:
            return message
        return f"{dotted} {message}"


def _facility_field(kind: str, path: Node | None, value: Node | None, record: Record | None,
                    minter: Minter) -> str:
    """The dotted field of a facility record a SHACL result on the facility or its geometry is about."""
    from kg.facilities import FACILITY_FIELDS

    if kind == "facility-geometry":
        geometry: dict[Node | None, str] = {SCHEMA.latitude: "coordinates[0]", SCHEMA.longitude: "coordinates[1]"}
        return geometry.get(path, "coordinates")
    dotted = FACILITY_FIELDS.get(path, "") if path is not None else ""
    if dotted == "relatedPolicies" and isinstance(value, URIRef) and record is not None:
        items = record.get(dotted)
        target = minter.policy_id(str(value))
        if isinstance(items, list) and target in items:
            return f"{dotted}[{items.index(target)}]"
    return dotted


def by_id(records: Iterable[Record]) -> dict[str, list[Record]]:
    """Records grouped by id (the facilities of a corpus, for the Locator)."""
    out: dict[str, list[Record]] = {}
    for record in records:
        out.setdefault(record.id, []).append(record)
    return out


def _pick(records: list[Record], value: Node | None) -> Record | None:
    if not records:
        return None
    if isinstance(value, Literal) and value.language:
        for record in records:
            if record.lang == value.language:
                return record
    return next((r for r in records if r.lang == "en"), records[0])


def finding_order(finding: Finding) -> tuple[str, int, str, str, str, str, str]:
    """The order findings are reported in: by file, line and field, then a total tie-break."""
    return (finding.file, finding.line or 0, finding.field, finding.rule, finding.message,
            finding.severity.value, finding.record)


def report_triples(report: Report, minter: Minter | None = None) -> list[Triple]:
    """The report as SHACL defines it, every node an IRI.

    ``sh:conforms`` is true only when there is no result of any severity
    (SHACL 3.6.1); the loader's findings are results too, on the policy
    their record names (or, without an id, on an IRI minted for the file),
    with their rule's IRI as source shape and constraint component. Results
    follow the findings' order.
    """
    minter = minter or Minter()
    root = minter.validation_report()
    triples: list[Triple] = [
        (root, RDF.type, SH.ValidationReport),
        (root, SH.conforms, Literal(not report.findings)),
    ]
    severities = {v: k for k, v in SEVERITY.items() if k is not None}
    shacl: dict[Finding, list[Result]] = {}
    for result in reversed(report.results):
        shacl.setdefault(result.finding, []).append(result)
    for n, finding in enumerate(report.findings, start=1):
        node = minter.validation_result(n)
        triples += [(root, SH.result, node), (node, RDF.type, SH.ValidationResult),
                    (node, SH.resultSeverity, severities[finding.severity]),
                    (node, SH.resultMessage, Literal(finding.message))]
        results = shacl.get(finding)
        if not results:  # a loading finding: no SHACL shape made it
            rule = rule_iri(finding.rule)
            focus = minter.policy(finding.record) if finding.record else minter.validation_file(finding.file)
            triples += [(node, SH.focusNode, focus), (node, SH.sourceShape, rule),
                        (node, SH.sourceConstraintComponent, rule)]
            continue
        result = results.pop()
        triples += [(node, SH.focusNode, result.focus), (node, SH.sourceShape, result.shape),
                    (node, SH.sourceConstraintComponent, result.component or rule_iri(finding.rule))]
        if result.path is not None:
            triples.append((node, SH.resultPath, result.path))
        if result.value is not None:
            triples.append((node, SH.value, result.value))
    return triples


__all__ = ["LISTED_PREDICATES", "CompiledCheck", "Locator", "Report", "Result", "check_results", "finding_order",
           "global_triples", "report_triples", "shapes_graph", "unique_results", "validate", "validate_fast"]


# --- the fast path: shapes.ttl compiled to SPARQL, run on Oxigraph ---------------------------------

_SUPPORTED = {SH.minCount, SH.maxCount, SH.datatype, SH.pattern, SH["class"], SH.minInclusive, SH.maxInclusive}
_META = {RDF.type, SH.path, SH.severity, SH.message, SH.name, SH.description, SH.targetClass,
         SH.targetSubjectsOf, SH.targetObjectsOf, SH.property, SH.sparql, SH.deactivated}


@dataclass(frozen=True)
class CompiledCheck:
    """One constraint of one shape as a SPARQL query over all its focus nodes at once."""

    shape: URIRef
    severity: Severity
    message: str
    query: str
    path: Node | None
    component: Node
    cross: bool = False  # a cross-record shape: it reads other policies' triples
    classes: tuple[str, ...] | None = None  # its focus nodes are instances of these, when all targets are classes
    datatype: Node | None = None  # a sh:datatype check: rows of this datatype are confirmed ill-typed in Python


def compile_shapes(shapes: Graph) -> list[CompiledCheck]:
    """Every constraint in shapes.ttl as a whole-graph SPARQL query.

    Covers exactly the SHACL features shapes.ttl uses (targets by class,
    subjects-of and objects-of; min/maxCount, datatype, pattern, class,
    min/maxInclusive; SPARQL constraints); anything else raises OntologyError,
    so a new feature in the shapes cannot be silently skipped.
    """
    checks: list[CompiledCheck] = []
    for node_shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        targets = _targets(shapes, node_shape)
        if not targets:
            continue
        found = [check for prop in sorted(shapes.objects(node_shape, SH.property), key=str)
                 for check in _property_checks(shapes, prop, targets)]
        found += [_sparql_check(shapes, node_shape, constraint, targets)
                  for constraint in sorted(shapes.objects(node_shape, SH.sparql), key=str)]
        cross = node_shape in CROSS_RECORD_SHAPES
        classes = tuple(sorted(map(str, shapes.objects(node_shape, SH.targetClass))))
        only_classes = len(classes) == len(targets)  # no subjects-of / objects-of target
        checks.extend(dataclasses.replace(check, cross=cross, classes=classes if only_classes else None)
                      for check in found)
        unknown = {p for p in shapes.predicates(node_shape, None)} - _META
        if unknown:
            raise OntologyError(f"shape {node_shape} uses {sorted(map(str, unknown))}: not compiled to SPARQL")
    return checks


def _targets(shapes: Graph, shape: Node) -> list[str]:
    out = [f"{{ ?this a <{c}> . }}" for c in shapes.objects(shape, SH.targetClass)]
    out += [f"{{ SELECT DISTINCT ?this WHERE {{ ?this <{p}> ?target__ . }} }}"
            for p in shapes.objects(shape, SH.targetSubjectsOf)]
    out += [f"{{ SELECT DISTINCT ?this WHERE {{ ?target__ <{p}> ?this . }} }}"
            for p in shapes.objects(shape, SH.targetObjectsOf)]
    return out


def _focus(targets: list[str]) -> str:
    return targets[0] if len(targets) == 1 else "{ " + " UNION ".join(targets) + " }"


def _severity(shapes: Graph, shape: Node) -> Severity:
    return SEVERITY.get(shapes.value(shape, SH.severity), Severity.VIOLATION)


def _property_checks(shapes: Graph, prop: Node, targets: list[str]) -> list[CompiledCheck]:
    path = shapes.value(prop, SH.path)
    if not isinstance(path, URIRef):
        raise OntologyError(f"property shape {prop}: only IRI paths are compiled to SPARQL")
    unknown = {p for p in shapes.predicates(prop, None)} - _META - _SUPPORTED
    if unknown:
        raise OntologyError(f"property shape {prop} uses {sorted(map(str, unknown))}: not compiled to SPARQL")
    focus = _focus(targets)
    severity = _severity(shapes, prop)
    message = str(shapes.value(prop, SH.message) or "")
    checks = []

    def add(component: str, query: str) -> None:
        checks.append(CompiledCheck(URIRef(str(prop)), severity, message, query, path,
                                    SH[f"{component}ConstraintComponent"]))

    value = shapes.value(prop, SH.minCount)
    if value is not None:
        add("MinCount", f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this <{path}> ?v__ }} }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v__) < {int(str(value))})")
    value = shapes.value(prop, SH.maxCount)
    if value is not None:
        add("MaxCount", f"SELECT ?this WHERE {{ {focus} ?this <{path}> ?v__ }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v__) > {int(str(value))})")
    value = shapes.value(prop, SH.datatype)
    if value is not None:
        if value not in _DATATYPES:
            raise OntologyError(f"property shape {prop}: sh:datatype {value} is not compiled to SPARQL")
        add("Datatype", f"SELECT ?this ?value WHERE {{ {focus} ?this <{path}> ?value . "
                        f"FILTER(!isLiteral(?value) || DATATYPE(?value) != <{value}>{_not_surely_valid(value)}) }}")
        checks[-1] = dataclasses.replace(checks[-1], datatype=value)
    value = shapes.value(prop, SH.pattern)
    if value is not None:
        add("Pattern", f"SELECT ?this ?value WHERE {{ {focus} ?this <{path}> ?value . "
                       f"FILTER(isBlank(?value) || !REGEX(STR(?value), {Literal(str(value)).n3()})) }}")
    value = shapes.value(prop, SH["class"])
    if value is not None:
        add("Class", f"SELECT ?this ?value WHERE {{ {focus} ?this <{path}> ?value . "
                     f"FILTER NOT EXISTS {{ ?value a/<{RDFS.subClassOf}>* <{value}> }} }}")
    for kind, op in (("minInclusive", "<"), ("maxInclusive", ">")):
        value = shapes.value(prop, SH[kind])
        if value is not None:
            # An incomparable value ("fifty"^^xsd:integer) fails too: the comparison's error counts as false.
            test = f"?value {'>=' if op == '<' else '<='} {value.n3()}"
            add(kind[0].upper() + kind[1:], f"SELECT ?this ?value WHERE {{ {focus} ?this <{path}> ?value . "
                                            f"FILTER(!COALESCE({test}, false)) }}")
    return checks


# sh:datatype also fails an ill-typed literal ("2022-02-30"^^xsd:date). The SPARQL keeps every value that
# is not surely well typed (not in this simple lexical form, or not the same after a cast), and Python
# decides those few with rdflib's parser, the one pySHACL uses, so the two engines agree on any literal.
# None: no lexical check (strings; xsd:gYear, which rdflib and so pySHACL do not parse).
_DATATYPES: dict[Node, str | None] = {
    XSD.string: None, RDF.langString: None, XSD.gYear: None,
    XSD.date: "^([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-[0-9]{2}-[0-9]{2}$",
    XSD.integer: "^-?[0-9]+$",
    XSD.boolean: "^(true|false)$",
}


def _not_surely_valid(datatype: Node) -> str:
    simple = _DATATYPES[datatype]
    if simple is None:
        return ""
    return (f" || !REGEX(STR(?value), {Literal(simple).n3()})"
            f" || !COALESCE(STR(<{datatype}>(STR(?value))) = STR(?value), false)")


def _well_typed(value: Node | None, datatype: Node) -> bool:
    """What pySHACL's sh:datatype accepts for a literal of that datatype: rdflib parses its lexical form."""
    return isinstance(value, Literal) and value.datatype == datatype and value.ill_typed is not True


def _sparql_check(shapes: Graph, shape: Node, constraint: Node, targets: list[str]) -> CompiledCheck:
    select = str(shapes.value(constraint, SH.select))
    prefixes_node = shapes.value(constraint, SH.prefixes)
    header = ""
    for decl in shapes.objects(prefixes_node, SH.declare):
        header += f"PREFIX {shapes.value(decl, SH.prefix)}: <{shapes.value(decl, SH.namespace)}>\n"
    body = select.replace("$this", "?this")
    if re.search(r"\bSELECT\b.*\bWHERE\s*\{", body, re.IGNORECASE | re.DOTALL) is None:
        raise OntologyError(f"{constraint}: a SPARQL constraint needs SELECT … WHERE {{ … }}")
    # The constraint runs once over the whole corpus as a sub-select joined with its targets; joining the
    # targets inside a body that holds a UNION makes Oxigraph's planner go quadratic (minutes at 10k records).
    query = header + f"SELECT * WHERE {{ {{ {body} }} {_focus(targets)} }}"
    return CompiledCheck(URIRef(str(shape)), _severity(shapes, shape), str(shapes.value(constraint, SH.message) or ""),
                         query, None, SH.SPARQLConstraintComponent)


@lru_cache(maxsize=4)
def _compiled(path: Path | None = None) -> tuple[CompiledCheck, ...]:
    return tuple(compile_shapes(shapes_graph(path)))


def validate_fast(corpus: Corpus, mapped: Mapped, minter: Minter | None = None,
                  load_findings: Sequence[Finding] = ()) -> Report:
    """The same findings as :func:`validate`, from SPARQL over an embedded Oxigraph store."""
    minter = minter or Minter()
    locator = Locator(corpus.policies(), mapped.stated, minter, by_id(corpus.facilities))
    stated = [*mapped.stated, *outside_triples(corpus.facilities, minter)] if corpus.facilities else mapped.stated
    ordered = unique_results(check_results(stated, locator, minter))
    findings = sorted([*load_findings, *(r.finding for r in ordered)], key=finding_order)
    return Report(findings=findings, results=ordered)


def check_results(stated: Iterable[Triple], locator: Locator, minter: Minter,
                  only: Callable[[CompiledCheck, ox.Store], bool] | None = None, nt: bytes = b"",
                  keep: Callable[[bool, Node], bool] | None = None) -> list[Result]:
    """The compiled checks over stated triples (plus N-Triples ``nt``) and the vocabularies.

    ``only(check, store)`` picks the checks to run (all by default);
    ``keep(cross, focus)`` drops rows before they are located in a record:
    the incremental build runs the checks on partial stores and wants only
    the results each store can decide.
    """
    store = ox.Store()  # in memory: an on-disk store's bulk loader peaks higher (measured at 10k records)
    load_oxigraph(store, itertools.chain(stated, vocabularies().graph))
    if nt:
        store.bulk_load(nt, ox.RdfFormat.N_TRIPLES)
    checks = [c for c in _compiled() if only is None or only(c, store)]
    return _run_checks(store, locator, checks, keep)


def global_triples(stated: Iterable[Triple], minter: Minter) -> list[Triple]:
    """What the cross-record checks and the checks on shared nodes read.

    Lineage links, status and dates, the links to clusters, jurisdictions and
    agents, and everything said about those shared nodes: the incremental
    build keeps this much of every policy to re-run those checks alone.
    """
    policy_prefix = minter.base + "policy/"
    out: list[Triple] = []
    for triple in stated:
        s, p, o = triple
        if p in LINEAGE_PREDICATES or p in LISTED_PREDICATES or (p == RDF.type and o in (CCUS.Policy, CCUS.Cluster)) \
                or not str(s).startswith(policy_prefix):
            out.append(triple)
    return out


def unique_results(results: Iterable[Result]) -> list[Result]:
    """One result per (finding, focus, path, value), in report order.

    When two constraints of a shape fail one value ("fifty"^^xsd:integer fails sh:datatype and
    sh:minInclusive), the same component is kept whichever engine ran and in whatever order.
    """
    ranked = sorted(results, key=lambda r: str(r.component or ""), reverse=True)
    unique = {(r.finding, r.focus, r.path, r.value): r for r in ranked}
    return sorted(unique.values(), key=lambda r: finding_order(r.finding))


def _run_checks(store: ox.Store, locator: Locator, checks: Sequence[CompiledCheck],
                keep: Callable[[bool, Node], bool] | None = None) -> list[Result]:
    # pyoxigraph releases the GIL while it evaluates: the checks run on every core, and their
    # rows are read back in the checks' order, so the findings do not depend on the timing.
    def solutions(check: CompiledCheck) -> list[ox.QuerySolution]:
        answer = store.query(check.query)
        assert isinstance(answer, ox.QuerySolutions)  # every compiled check is a SELECT
        return list(answer)

    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        answers = list(pool.map(solutions, checks))
    results: list[Result] = []
    for check, rows in zip(checks, answers, strict=True):
        for row in rows:
            names = {v: _rdf(row[v]) for v in ("this", "path", "value") if _has(row, v)}
            focus = names["this"]
            if keep is not None and not keep(check.cross, focus):
                continue
            if check.datatype is not None and _well_typed(names.get("value"), check.datatype):
                continue
            path = names.get("path", check.path)
            value = names.get("value", focus if check.component == SH.SPARQLConstraintComponent else None)
            message = _fill(check.message, row)
            finding = locator.finding(focus, path, value, check.severity, message, str(check.shape))
            results.append(Result(finding, focus, path, value, check.shape, check.component, check.cross))
    return results


def _has(row: Any, name: str) -> bool:
    try:
        return row[name] is not None
    except (KeyError, IndexError, TypeError):
        return False


def _rdf(term: Any) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _fill(template: str, row: Any) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if not _has(row, name):
            return match.group(0)
        term = row[name]
        return term.value
    return re.sub(r"\{[?$](\w+)\}", one, template)
