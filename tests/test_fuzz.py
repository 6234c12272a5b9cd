"""Fuzzing the loader: whatever a record file holds, no internal error, every problem a finding
with a file, and every export of what loads parses again in its own format."""

from __future__ import annotations

import json
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph

from kg.build import load
from kg.export import FORMATS, lineage_graph, serialize
from kg.lineage import Lineage
from kg.records import DIMENSIONS, SCHEMA

from .conftest import minimal_record, write_record

pytestmark = pytest.mark.slow  # property-based: hundreds of generated corpora through the loader and every export

FIELDS = sorted({path.split(".")[0] for path in SCHEMA} | {"evolution", "analysis", "language"})
# Any character at all, control characters and lone surrogates included: the loader must refuse
# what no export can carry, and keep the rest exactly.
ANY_TEXT = st.text(max_size=20)
SCALARS = (st.none() | st.booleans() | st.integers(-(10**20), 10**20)
           | st.floats(allow_nan=True, allow_infinity=True) | ANY_TEXT)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(ANY_TEXT | st.sampled_from([*FIELDS, *DIMENSIONS, "score"]),
                                        inner, max_size=4), max_leaves=12)


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """A record's text: a valid record with fields replaced by anything, as JSON, YAML or raw text."""
    data: dict[str, Any] = minimal_record("fuzzed")
    for key in draw(st.lists(st.sampled_from(FIELDS) | ANY_TEXT, max_size=4)):
        data[key] = draw(VALUES)
    style = draw(st.sampled_from(["json", "yaml", "text", "bytes-like"]))
    if style == "json":
        front = json.dumps(data, ensure_ascii=draw(st.booleans()), indent=2)
    elif style == "yaml":
        front = yaml.safe_dump(data, allow_unicode=draw(st.booleans()))
    elif style == "text":
        front = draw(st.text(max_size=200))
    else:  # YAML-looking lines with anchors, aliases and tags
        lines = draw(st.lists(st.sampled_from([
            "a: &x [1, 2]", "b: *x", "c: !!binary aGk=", "d: &y {e: *y}", "pubDate: 2022-02-30",
            "title: t", "title: u", "? [k]\n: v", "f: .inf", "g: \"\\ud800\"", "<<: *x", "id: fuzzed",
            "evolution: {milestones: [{date: 2023-13-01, event: e}]}", "h: [[[[[[[[[[]]]]]]]]]]",
        ]), max_size=8))
        front = "\n".join(lines)
    body = draw(ANY_TEXT)
    return f"---\n{front}\n---\n\n{body}\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(front_matter(), min_size=1, max_size=3), st.binary(max_size=64))
def test_no_input_breaks_the_loader_or_the_exports(texts: list[str], raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "seeds"
        write_record(root, minimal_record("anchor-record"))
        for i, text in enumerate(texts):
            (root / f"fuzzed-{i}.md").write_bytes(text.encode("utf-8", "surrogatepass"))
        (root / "raw.md").write_bytes(raw)
        kg = load(root)  # raising anything here is the bug this test looks for
        report = kg.validate()
        assert all(f.file for f in report.findings)
        assert all(f.severity.value in ("violation", "warning", "info") for f in report.findings)
        assert "anchor-record" in {r.id for r in kg.corpus.records}  # the good record always loads
        files_with_violations = {Path(f.file).name for f in report.findings if f.severity.value == "violation"}
        loaded = {r.path.name for r in kg.corpus.records}
        # A file is either loaded or reported: never silently dropped.
        names = {p.name for p in root.iterdir()}
        assert names <= loaded | files_with_violations
        for fmt in FORMATS:
            text = serialize(kg.triples, fmt)
            if fmt == "jsonld":
                json.loads(text)
            parsed = Dataset() if fmt == "trig" else Graph()
            parsed.parse(data=text, format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld",
                                            "trig": "trig", "xml": "xml"}[fmt])
            assert len(list(parsed.quads()) if fmt == "trig" else parsed) == len(set(kg.triples)), fmt
        for literal in (o for _, _, o in kg.triples if getattr(o, "datatype", None) is not None
                        and str(o.datatype).endswith("#JSON")):
            json.loads(str(literal))  # rdf:JSON is JSON: no NaN, no Infinity
        lineage = Lineage.from_source(kg.source())
        for fmt in ("graphml", "gexf"):
            ET.fromstring(lineage_graph(lineage, fmt).encode("utf-8"))
