"""Property: any record the format allows survives record -> graph -> record exactly."""

from __future__ import annotations

import string
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kg.build import load
from kg.mapping import records_from_triples
from kg.records import DIMENSIONS, IMPACTS, REGULATORY, RELATIONS, load_corpus

from .conftest import write_record

pytestmark = pytest.mark.slow  # property-based: generated records mapped and read back, a hundred corpora

# Every character a record may hold: not the C0 controls, lone surrogates or U+FFFE/U+FFFF,
# which the loader refuses (no export format can carry them); not \r, which the loader folds.
FORBIDDEN = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]))
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r" + FORBIDDEN), max_size=30)
NONEMPTY = TEXT.filter(lambda s: s.strip() != "")
DATE = st.dates().map(lambda d: d.isoformat()).filter(lambda s: len(s) == 10)
IDS = st.from_regex(r"[a-z]{2}-[a-z0-9]{1,8}-(19|20)[0-9]{2}", fullmatch=True)
JSONISH = st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**6) | TEXT,
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                           st.text(string.ascii_letters, min_size=1, max_size=6), inner, max_size=3),
                       max_leaves=6)


@st.composite
def records(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    rid = draw(IDS)
    data: dict[str, Any] = {"id": rid, "title": draw(NONEMPTY)}
    optional: dict[str, st.SearchStrategy[Any]] = {
        "country": st.sampled_from(["Norway", "中国", "Atlantis", "", "European Union"]),
        "source": TEXT,
        "pubDate": DATE,
        "year": st.integers(1900, 2100),
        "status": st.sampled_from(["Active", "现行", "Superseded", "Whatever", ""]),
        "category": st.sampled_from(["Regulatory", "法律监管", "Storage", "Odd"]),
        "legalWeight": st.sampled_from(["Primary Legislation", "Fiscal Incentive", ""]),
        "reviewStatus": st.sampled_from(["verified", "unverified", "draft"]),
        "url": st.sampled_from(["https://example.org/a", "", "not a url"]),
        "description": TEXT,
        "sectors": st.lists(TEXT, max_size=3),
        "relatedFacilities": st.lists(st.text(string.digits, max_size=4), max_size=3),
        "analysis": st.dictionaries(st.sampled_from(DIMENSIONS), st.fixed_dictionaries(
            {}, optional={"score": st.integers(0, 100), "label": TEXT, "evidence": TEXT,
                          "citation": TEXT, "auditNote": TEXT}), max_size=3),
        "impactAnalysis": st.fixed_dictionaries({}, optional={k: TEXT for k in IMPACTS}),
        "regulatory": st.fixed_dictionaries({}, optional={k: TEXT for k in REGULATORY}),
        "evolution": st.fixed_dictionaries({}, optional={
            "supersedes": st.lists(IDS, max_size=3),
            "supersededBy": st.one_of(st.just(""), IDS),
            "clusters": st.lists(TEXT, max_size=3),
            "milestones": st.lists(st.fixed_dictionaries({"date": DATE, "event": TEXT}, optional={
                "type": st.sampled_from(["in-force", "commenced", "provisionally-applied", "lapsed", "x"])}),
                max_size=2),
            **{name: st.one_of(st.just(""), IDS, st.lists(IDS, max_size=3))
               for pair in RELATIONS.items() for name in pair},
        }),
        "sources": st.lists(st.fixed_dictionaries({}, optional={
            "url": st.sampled_from(["https://example.org/gazette", "", "not a url"]), "title": TEXT,
            "supports": st.lists(st.sampled_from(["pubDate", "status", "evolution.amends[0]", "odd", ""]),
                                 max_size=3), "xNote": JSONISH}), max_size=3),
        "provenance": st.fixed_dictionaries({}, optional={
            "author": st.sampled_from(["Gemini Intelligence", "ccus-kg project", ""]),
            "reviewer": TEXT, "lastAuditDate": DATE}),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            data[key] = draw(strategy)
    extras = draw(st.dictionaries(st.from_regex(r"x[A-Za-z]{1,8}", fullmatch=True), JSONISH, max_size=3))
    data.update(extras)
    body = draw(TEXT).strip()
    return data, body


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records(), min_size=1, max_size=3, unique_by=lambda r: r[0]["id"]))
# A shared node's lines pass through the build's store as N-Triples text, where U+0085 and U+2028 stay
# unescaped: cutting that text with str.splitlines broke the line (found by this test).
@example([({"id": "aa-0-1900", "title": "0", "evolution": {"clusters": ["\x85"]}}, "")])
@example([({"id": "aa-0-1900", "title": "0", "evolution": {"clusters": ["a\u2028b", "c\u2029d"]}}, "")])
def test_any_record_round_trips(items: list[tuple[dict[str, Any], str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for data, body in items:
            write_record(root, data, body=body)
        corpus = load_corpus(root)
        assert corpus.findings == []
        back = records_from_triples(load(root).triples)
        for record in corpus.records:
            assert back[(record.id, record.lang)] == (record.data, record.body)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records(), records(), st.lists(TEXT, max_size=3), st.lists(TEXT, max_size=3))
def test_language_versions_with_paired_or_unpaired_clusters_round_trip(
        en: tuple[dict[str, Any], str], zh: tuple[dict[str, Any], str], en_clusters: list[str],
        zh_clusters: list[str]) -> None:
    """English and Chinese versions of one policy: clusters paired by position share nodes."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for folder, (data, body), clusters in (("en", en, en_clusters), ("zh", zh, zh_clusters)):
            data = {**data, "id": en[0]["id"]}
            data["evolution"] = {**data.get("evolution", {}), "clusters": clusters}
            write_record(root / folder, data, body=body)
        corpus = load_corpus(root)
        assert corpus.findings == []
        back = records_from_triples(load(root).triples)
        for record in corpus.records:
            assert back[(record.id, record.lang)] == (record.data, record.body)
