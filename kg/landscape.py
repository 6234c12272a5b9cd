"""Facilities linked to the instruments that govern them, and jurisdiction profiles, derived by rule.

Both answers rest on one in-force rule, kg.lineage's: an instrument governs a
facility on a day when it is of the facility's jurisdiction or one above it,
in force that day, and its category or one of its regulatory pillars bears on
a stage of the facility's type. A jurisdiction covers a pillar on a day when
an instrument of it (or above it) in force that day addresses the pillar (its
``regulatory.<pillar>`` text is not empty). Links a record states are kept as
stated; derived ones say so, with the rule (a ``prov:Plan``) and the reasons.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date as Date
from typing import Any

from rdflib import Literal, URIRef

from kg.errors import Finding, Severity
from kg.facilities import jurisdiction_code
from kg.iris import Minter
from kg.jurisdictions import EU, by_code
from kg.lineage import OPEN_END, Lineage
from kg.mapping import Triple
from kg.namespaces import CCUS, FACILITY_TYPE, PROV, RDF, RULE, XSD
from kg.queries import run
from kg.records import REGULATORY, Corpus, Record, field_line, ids
from kg.sparql import SparqlSource
from kg.vocab import vocabularies

RULE_PREFIX = "ccus-kg:landscape/"
GOVERNING_RULE = RULE["facility-governing-instrument"]
PILLARS = REGULATORY
# EU member states (ISO 3166-1), for which EU instruments are the jurisdiction above the country.
EU_MEMBERS = frozenset({"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
                        "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"})
# What bears on each stage of a CCUS chain: instrument categories (concept notations, folded) and pillars.
STAGES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "capture": (frozenset({"incentive", "market", "mrv"}), frozenset({"co2_definition"})),
    "transport": (frozenset({"regulatory", "technical"}),
                  frozenset({"cross_border_rules", "co2_definition", "permitting_lead_time"})),
    "storage": (frozenset({"storage", "liability", "regulatory", "mrv"}),
                frozenset({"pore_space_rights", "liability_transfer", "liability_period", "financial_assurance",
                           "permitting_lead_time", "co2_definition"})),
}
# Facility type concept -> the stages it runs.
TYPE_STAGES = {
    FACILITY_TYPE.capture: ("capture",),
    FACILITY_TYPE.ccu: ("capture",),
    FACILITY_TYPE.dac: ("capture",),
    FACILITY_TYPE.transport: ("transport",),
    FACILITY_TYPE.storage: ("storage",),
    FACILITY_TYPE["transport-and-storage"]: ("transport", "storage"),
    FACILITY_TYPE["full-chain"]: ("capture", "transport", "storage"),
}


@dataclass(frozen=True)
class Scope:
    """What one instrument bears on: its jurisdiction, category and the pillars it addresses."""

    id: str
    code: str
    category: str
    pillars: frozenset[str]


@dataclass(frozen=True)
class Derived:
    """A derived facility -> instrument link: the instrument, why it bears, and when it is in force."""

    policy: str
    reasons: tuple[str, ...]
    start: str
    end: str


def scopes(source: SparqlSource) -> dict[str, Scope]:
    """Every instrument's scope, from the ``instrument-scope`` named query."""
    rows: dict[str, tuple[str, str, set[str]]] = {}
    for row in run(source, "instrument-scope").dicts():
        pid = str(row["id"])
        entry = rows.setdefault(pid, (str(row["code"] or ""), str(row["category"] or ""), set()))
        if row["pillar"] is not None:
            entry[2].add(str(row["pillar"]))
    return {pid: Scope(pid, code, category.casefold(), frozenset(p)) for pid, (code, category, p) in rows.items()}


def above(code: str) -> tuple[str, ...]:
    """A jurisdiction and those above it: the country of a subdivision, the EU for a member state.

    >>> above("US-ND"), above("NL"), above("NO")
    (('US-ND', 'US'), ('NL', 'EU'), ('NO',))
    """
    out = [code]
    found = by_code(code)
    if found is not None and found.parent:
        out.append(found.parent)
    if out[-1] in EU_MEMBERS:
        out.append(EU)
    return tuple(out)


def reasons(scope: Scope, stages: Sequence[str]) -> tuple[str, ...]:
    """Why an instrument bears on a facility running these stages ("category:storage", "pillar:…")."""
    found: set[str] = set()
    for stage in stages:
        categories, pillars = STAGES[stage]
        if scope.category in categories:
            found.add(f"category:{scope.category}")
        found.update(f"pillar:{p}" for p in scope.pillars & pillars)
    return tuple(sorted(found))


def facility_stages(record: Record) -> tuple[str, ...]:
    """The stages a facility's type runs (none for an unmapped type)."""
    value = record.get("type")
    concept = vocabularies().lookup("facility-type", value) if isinstance(value, str) and value else None
    return TYPE_STAGES.get(concept, ()) if concept is not None else ()


class Deriver:
    """Derives governing instruments for facilities; answers are memoised per (jurisdiction, stages)."""

    def __init__(self, lineage: Lineage, scope: dict[str, Scope]):
        self.lineage = lineage
        self.scope = scope
        self._memo: dict[tuple[tuple[str, ...], tuple[str, ...]], list[Derived]] = {}

    def candidates(self, code: str | None, stages: tuple[str, ...]) -> list[Derived]:
        """Every instrument ever in force that the rule links to a facility of this place and type."""
        if code is None or not stages:
            return []
        key = (above(code), stages)
        if key not in self._memo:
            out = []
            for pid in self.lineage.policies:
                scope = self.scope.get(pid)
                span = self.lineage.interval(pid)
                if scope is None or span is None or scope.code not in key[0]:
                    continue
                why = reasons(scope, stages)
                if why:
                    out.append(Derived(pid, why, span[0], span[1]))
            self._memo[key] = out
        return self._memo[key]

    def on(self, record: Record, day: str) -> list[Derived]:
        """The instruments derived for a facility that are in force on the day."""
        return [d for d in self.candidates(jurisdiction_code(record), facility_stages(record))
                if d.start <= day < d.end]

    def why_not(self, record: Record, pid: str) -> str | None:
        """Why the rule cannot support a stated link (None when it can, or the instrument has no record)."""
        if pid not in self.scope or self.lineage.graph.nodes.get(pid, {}).get("dangling", True):
            return None
        code = jurisdiction_code(record)
        stages = facility_stages(record)
        if any(d.policy == pid for d in self.candidates(code, stages)):
            return None
        scope = self.scope[pid]
        if code is None:
            return "the facility names no jurisdiction"
        if scope.code not in above(code):
            return f"its jurisdiction {scope.code or 'is unknown and'} is not {' or '.join(above(code))}"
        if self.lineage.interval(pid) is None:
            return "it is never in force by the in-force rule"
        kind = record.get("type") or "untyped"
        return f"neither its category nor its regulatory pillars bear on a {kind} facility"


def link_triples(corpus: Corpus, deriver: Deriver, minter: Minter) -> tuple[list[Triple], list[Finding]]:
    """The qualified facility -> instrument links and the unsupported-link warnings.

    A stated link is a node of the facility (basis "stated"). Derived links
    depend only on the facility's jurisdiction and the stages its type runs,
    so they are stated once per such rule context (basis "derived", with the
    rule and the reasons) and each facility points to its context: the graph
    grows with facilities plus contexts x instruments, not facilities x
    instruments. Every link carries the days its instrument is in force.
    """
    triples: list[Triple] = []
    findings: list[Finding] = []
    done: set[str] = set()
    contexts: set[URIRef] = set()

    def days(link: URIRef, pid: str) -> None:
        span = deriver.lineage.interval(pid) if pid in deriver.lineage.graph else None
        if span is not None:
            triples.append((link, CCUS.inForceFrom, Literal(span[0], datatype=XSD.date)))
            if span[1] != OPEN_END:
                triples.append((link, CCUS.inForceUntil, Literal(span[1], datatype=XSD.date)))

    for record in sorted(corpus.facilities, key=lambda r: (r.id, r.lang != "en", r.lang)):
        stated = ids(record.get("relatedPolicies"))
        for i, pid in enumerate(stated):
            why = deriver.why_not(record, pid)
            if why is not None:
                path = f"relatedPolicies[{i}]"
                findings.append(Finding(
                    file=record.display or record.rel, line=field_line(record.path, path), field=path,
                    severity=Severity.WARNING, rule=RULE_PREFIX + "unsupported-link", record=record.id,
                    message=f"{path} names '{pid}', which the derivation rule does not support: {why}"))
        if record.id in done:
            continue
        done.add(record.id)
        facility = minter.facility(record.id)
        for pid in stated:
            link = minter.facility_policy_link(record.id, pid)
            triples += [(facility, CCUS.policyLink, link), (link, RDF.type, CCUS.FacilityPolicyLink),
                        (link, CCUS.instrument, minter.policy(pid)), (link, CCUS.basis, Literal("stated"))]
            days(link, pid)
        code, stages = jurisdiction_code(record), facility_stages(record)
        if code is None or not stages:
            continue
        context = minter.rule_context(code, stages)
        triples.append((facility, CCUS.ruleContext, context))
        if context in contexts:
            continue
        contexts.add(context)
        triples += [(context, RDF.type, CCUS.RuleContext), (context, CCUS.jurisdiction, minter.jurisdiction(code))]
        triples += [(context, CCUS.stage, Literal(stage)) for stage in stages]
        for derived in deriver.candidates(code, stages):
            link = minter.context_policy_link(code, stages, derived.policy)
            triples += [(context, CCUS.policyLink, link), (link, RDF.type, CCUS.FacilityPolicyLink),
                        (link, CCUS.instrument, minter.policy(derived.policy)), (link, CCUS.basis, Literal("derived")),
                        (link, CCUS.derivationRule, GOVERNING_RULE), (link, PROV.wasDerivedFrom,
                                                                       minter.policy(derived.policy))]
            triples += [(link, CCUS.reason, Literal(r)) for r in derived.reasons]
            days(link, derived.policy)
    return triples, findings


# --- jurisdiction profiles -------------------------------------------------------------------------


def profile(lineage: Lineage, scope: dict[str, Scope], jurisdiction: str, day: str) -> dict[str, Any]:
    """The seven pillars of a jurisdiction on a day, each covered or not, with the instruments in force
    (of the jurisdiction or above it) that address it as evidence."""
    places = above(jurisdiction)
    pillars: dict[str, dict[str, Any]] = {p: {"covered": False, "instruments": []} for p in PILLARS}
    for pid in lineage.policies:
        found = scope.get(pid)
        if found is None or found.code not in places or not lineage.in_force_on(pid, day):
            continue
        for pillar in sorted(found.pillars):
            pillars[pillar]["instruments"].append(pid)
            pillars[pillar]["covered"] = True
    return {"jurisdiction": jurisdiction, "date": day, "pillars": pillars}


def timeline(lineage: Lineage, scope: dict[str, Scope], jurisdiction: str, years: Iterable[int]
             ) -> list[dict[str, Any]]:
    """The profile on 1 January of each year."""
    return [profile(lineage, scope, jurisdiction, f"{year:04d}-01-01") for year in years]


def profile_findings(corpus: Corpus, lineage: Lineage, scope: dict[str, Scope]) -> list[Finding]:
    """Where a stated profile and the instruments disagree: a pillar stated with no instrument in force
    behind it, or a pillar left empty that an instrument in force addresses. Compared on the profile's
    last audit date (else today)."""
    findings = []
    for record in corpus.countries:
        code = jurisdiction_code(record)
        if code is None:
            continue
        audited = record.get("provenance.lastAuditDate")
        day = audited if isinstance(audited, str) and audited else Date.today().isoformat()
        derived = profile(lineage, scope, code, day)["pillars"]
        for pillar in PILLARS:
            path = f"regulatory.{pillar}"
            text = record.get(path)
            stated = isinstance(text, str) and bool(text.strip())
            evidence = derived[pillar]["instruments"]
            if stated and not evidence:
                message = (f"{path} is stated, but no instrument of {code} (or above it) in force on {day} "
                           "addresses it")
                rule = "profile-without-instrument"
            elif not stated and evidence:
                message = (f"{path} is empty, but instruments in force on {day} address it: "
                           f"{', '.join(evidence)}")
                rule = "instrument-without-profile"
            else:
                continue
            findings.append(Finding(file=record.display or record.rel, line=field_line(record.path, path) or
                                    field_line(record.path, "regulatory"), field=path, severity=Severity.WARNING,
                                    message=message, rule=RULE_PREFIX + rule, record=record.id))
    return findings


__all__ = ["EU_MEMBERS", "GOVERNING_RULE", "PILLARS", "STAGES", "TYPE_STAGES", "Derived", "Deriver", "Scope",
           "above", "facility_stages", "link_triples", "profile", "profile_findings", "reasons", "scopes",
           "timeline"]
