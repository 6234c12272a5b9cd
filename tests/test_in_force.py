"""In force on a date, on a corpus built to test the law: a base act and its amendments, a repeal by a
new act and by a dated milestone, an expiry, a lapse, a transposition replaced by a second one, an
implementing regulation, a treaty amendment in force and one provisionally applied, an Adopted act
awaiting commencement and a draft amending bill.

The legal answer is written out by hand below (INTERVALS); every day either side of every start and
end is checked against the lineage graph, the `in-force` query on rdflib and on Oxigraph, and (on
the days that matter most) the CLI.
"""

from __future__ import annotations

import json
from datetime import date as Date
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.build import load
from kg.cli import main
from kg.lineage import Lineage, dates_of
from kg.queries import run
from kg.sparql import SparqlSource
from kg.store import OxigraphSource

from .conftest import FIXTURES, minimal_record, write_record

CORPUS = FIXTURES / "relations"
OPEN = "9999-12-31"

# id -> [first day in force, first day no longer in force); None: never in force.
INTERVALS: dict[str, tuple[str, str] | None] = {
    "no-petroleum-storage-regs-1997": ("1997-01-15", "2001-07-01"),  # repealed by the 2001 act when it commenced
    "no-storage-act-2001": ("2001-07-01", OPEN),  # in force at its in-force milestone, not at passing
    "no-storage-regulations-2002": ("2002-01-01", OPEN),  # its repeal (2025 act) has not commenced
    "no-pilot-rules-2003": ("2003-05-01", "2012-04-01"),  # a dated repealed milestone
    "no-storage-amendment-2005": ("2006-01-01", OPEN),  # a `commenced` milestone
    "no-injection-permits-2008": ("2008-09-01", "2013-09-01"),  # lapsed
    "no-storage-amendment-2010": ("2010-02-01", OPEN),  # in force when made
    "no-storage-amendment-2015": ("2015-06-01", "2020-01-01"),  # a temporary amendment that expired
    "no-storage-amendment-2024": ("2026-07-01", OPEN),  # Adopted, commences on a set day
    "no-ccs-liability-act-2025": None,  # Adopted, awaiting commencement: never in force yet
    "no-storage-bill-2026": None,  # a draft bill
    "eu-storage-directive-2009": ("2009-06-25", OPEN),  # transposition ends nothing
    "dk-storage-transposition-2011": ("2011-06-01", "2016-07-01"),  # superseded by the 2016 act in force
    "dk-storage-act-2016": ("2016-07-01", OPEN),
    "int-protocol-1996": ("2006-03-24", OPEN),
    "int-protocol-amendment-2006": ("2007-02-10", OPEN),
    "int-protocol-amendment-2009": None,  # awaiting acceptance, only provisionally applied
    "se-storage-amendment-2012": ("2012-03-01", OPEN),  # amends an act with no record: a row of its own
    "int-storage-agreement-2021": None,  # status Provisionally applied
}
PROVISIONAL = {"int-protocol-amendment-2009": ("2019-10-11", OPEN), "int-storage-agreement-2021": ("2021-05-05", OPEN)}
AMENDS = {"no-storage-amendment-2005": "no-storage-act-2001", "no-storage-amendment-2010": "no-storage-act-2001",
          "no-storage-amendment-2015": "no-storage-act-2001", "no-storage-amendment-2024": "no-storage-act-2001",
          "no-storage-bill-2026": "no-storage-act-2001", "int-protocol-amendment-2006": "int-protocol-1996",
          "int-protocol-amendment-2009": "int-protocol-1996"}
ISSUED = {pid: pid.rsplit("-", 1)[1] for pid in INTERVALS}  # every id ends in its year, and so orders amendments


def within(span: tuple[str, str] | None, day: str) -> bool:
    return span is not None and span[0] <= day < span[1]


def expected(day: str) -> dict[str, list[str]]:
    """The legal answer: rows in force, each with its amendments in force, oldest first."""
    rows = {pid: [] for pid, span in INTERVALS.items() if pid not in AMENDS and within(span, day)}
    for amendment, target in sorted(AMENDS.items(), key=lambda kv: (ISSUED[kv[0]], kv[0])):
        if target in rows and within(INTERVALS[amendment], day):
            rows[target].append(amendment)
    return dict(sorted(rows.items()))


def boundary_days() -> list[str]:
    """The day before, of and after every start and end."""
    days = set()
    for span in [*INTERVALS.values(), *PROVISIONAL.values()]:
        for mark in span or ():
            if mark != OPEN:
                d = Date.fromisoformat(mark)
                days.update((d + timedelta(days=k)).isoformat() for k in (-1, 0, 1))
    return sorted(days)


@pytest.fixture(scope="module")
def lineage() -> Lineage:
    return Lineage.from_source(load(CORPUS).source())


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SparqlSource]:
    return {"rdflib": load(CORPUS).source(),
            "oxigraph": OxigraphSource.from_seeds(tmp_path_factory.mktemp("ox") / "store", CORPUS)}


def from_lineage(lineage: Lineage, day: str) -> dict[str, list[str]]:
    answer: Any = lineage.in_force_rows(day)
    return {row["id"]: row["amendedBy"] for row in answer["policies"]}


def from_query(source: SparqlSource, day: str, jurisdiction: str | None = None) -> dict[str, list[str]]:
    params = {"date": day, **({"jurisdiction": jurisdiction} if jurisdiction else {})}
    rows: dict[str, list[str]] = {}
    for row in run(source, "in-force", params).dicts():
        amendments = rows.setdefault(str(row["id"]), [])
        if row.get("amendedBy") is not None:
            amendments.append(str(row["amendedBy"]))
    return rows


def test_the_corpus_breaks_only_the_rules_it_means_to() -> None:
    findings = [(Path(f.file).name, f.field, str(f.severity), f.rule.rsplit("#", 1)[-1])
                for f in load(CORPUS).validate().findings if str(f.severity) in ("violation", "warning")]
    assert sorted(findings) == [
        # the 2025 act repeals the regulations only once it commences, which it has not: they are still Active
        ("no-storage-regulations-2002.md", "status", "violation", "RepealedNotActive"),
        # an amendment of an act with no record stays a row of its own
        ("se-storage-amendment-2012.md", "evolution.amends[0]", "violation", "LinkTargetExists")]


def test_every_boundary_day_on_the_lineage_graph(lineage: Lineage) -> None:
    days = boundary_days()
    assert len(days) == 60  # 20 distinct starts and ends
    for day in days:
        assert from_lineage(lineage, day) == expected(day), day
        assert lineage.provisionally_applied(day) == sorted(p for p, s in PROVISIONAL.items() if within(s, day)), day


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_every_boundary_day_on_the_in_force_query(engine: str, engines: dict[str, SparqlSource],
                                                  lineage: Lineage) -> None:
    # rdflib is slow on this query (about 0.35 s of CPU a day here): the boundary days only
    days = boundary_days() if engine == "rdflib" else sorted({*boundary_days(), *dates_of(lineage)})
    for day in days:
        assert from_query(engines[engine], day) == expected(day), day
    assert from_query(engines[engine], "2017-01-01", "NO") == {
        "no-storage-act-2001": ["no-storage-amendment-2005", "no-storage-amendment-2010", "no-storage-amendment-2015"],
        "no-storage-regulations-2002": []}


def test_days_that_matter(lineage: Lineage) -> None:
    # the base act passed on 2001-03-01 but commenced on 2001-07-01; the regulations it repeals run until then
    assert from_lineage(lineage, "2001-06-30") == {"no-petroleum-storage-regs-1997": []}
    assert from_lineage(lineage, "2001-07-01") == {"no-storage-act-2001": []}
    # an amendment passed in 2005 counts from its commencement, and never ends the act it amends
    assert from_lineage(lineage, "2005-12-31")["no-storage-act-2001"] == []
    assert from_lineage(lineage, "2006-01-01")["no-storage-act-2001"] == ["no-storage-amendment-2005"]
    # the temporary amendment expired; the 2024 amendment commences in July 2026; the draft bill never counts
    assert from_lineage(lineage, "2019-12-31")["no-storage-act-2001"] == [
        "no-storage-amendment-2005", "no-storage-amendment-2010", "no-storage-amendment-2015"]
    assert from_lineage(lineage, "2026-06-30")["no-storage-act-2001"] == [
        "no-storage-amendment-2005", "no-storage-amendment-2010"]
    assert from_lineage(lineage, "2026-07-01")["no-storage-act-2001"] == [
        "no-storage-amendment-2005", "no-storage-amendment-2010", "no-storage-amendment-2024"]
    # a repeal by an act that has not commenced ends nothing
    assert "no-storage-regulations-2002" in from_lineage(lineage, "2026-07-01")
    # the directive stays in force through both transpositions; the second replaces the first
    assert [p for p in from_lineage(lineage, "2016-07-01") if p.startswith(("dk-", "eu-"))] == [
        "dk-storage-act-2016", "eu-storage-directive-2009"]
    # the treaty as amended in 2006; the 2009 amendment is provisionally applied, not in force
    assert from_lineage(lineage, "2020-01-01")["int-protocol-1996"] == ["int-protocol-amendment-2006"]
    assert not lineage.in_force_on("int-protocol-amendment-2009", "2020-01-01")
    assert lineage.provisionally_applied("2020-01-01", "INT") == ["int-protocol-amendment-2009"]
    assert lineage.provisionally_applied("2021-05-05", "INT") == ["int-protocol-amendment-2009",
                                                                  "int-storage-agreement-2021"]


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_cli_json_with_amendments_and_provisional_application() -> None:
    result = invoke("in-force", "--date", "2020-01-01", "--country", "INT", "--seeds", str(CORPUS), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "date": "2020-01-01",
        "policies": [{"id": "int-protocol-1996", "title": "Storage Protocol 1996 (test)", "jurisdiction": "INT",
                      "issued": "1996-11-07", "amendedBy": ["int-protocol-amendment-2006"]}],
        "provisionallyApplied": [{"id": "int-protocol-amendment-2009",
                                  "title": "Amendment to Article 6 of the Storage Protocol 2009 (test)",
                                  "jurisdiction": "INT", "issued": "2009-10-30", "amends": ["int-protocol-1996"]}]}


@pytest.mark.parametrize("day", ["2001-06-30", "2001-07-01", "2015-06-01", "2019-12-31", "2020-01-01",
                                 "2026-07-01"])
def test_cli_agrees_with_the_legal_answer(day: str) -> None:
    result = invoke("in-force", "--date", day, "--seeds", str(CORPUS), "--format", "json")
    assert {r["id"]: r["amendedBy"] for r in json.loads(result.output)["policies"]} == expected(day)


def test_cli_text_shows_amendments_and_the_provisional() -> None:
    result = invoke("in-force", "--date", "2020-01-01", "--country", "INT", "--seeds", str(CORPUS))
    assert result.exit_code == 0, result.output
    text = result.output
    assert "In force on 2020-01-01 in INT: 1" in text
    assert text.splitlines()[4].startswith("│ int-protocol-1996 ")
    assert "│ ↳ int-protocol-amendment-2006 │" in text
    assert "Provisionally applied on 2020-01-01 (not in force): 1" in text


def test_timeline_counts_rows_not_amendments(lineage: Lineage) -> None:
    timeline = lineage.timeline()
    assert timeline["NO"][2019] == 2  # the act (as amended) and its regulations
    assert timeline["INT"][2020] == 1
    assert timeline["SE"][2012] == 1


# --- the lineage graph and the query agree on random corpora ----------------------------------

STATUSES = ["Active", "Superseded", "Repealed", "Expired", "Adopted", "Draft", "Proposed", "Provisionally applied",
            "Under review by the minister"]  # the last maps to no status concept
KINDS = ["in-force", "commenced", "repealed", "expired", "lapsed", "provisionally-applied", "adopted"]
LINKS = ["supersedes", "supersededBy", "repeals", "repealedBy", "amends", "amendedBy", "implements",
         "transposes", "consolidatedFrom"]


@st.composite
def random_corpus(draw: st.DrawFn) -> list[dict[str, Any]]:
    size = draw(st.integers(min_value=2, max_value=6))
    years = st.integers(min_value=2000, max_value=2006)

    def when(partial: bool) -> str:
        y, m, d = draw(years), draw(st.integers(1, 12)), draw(st.integers(1, 28))
        return draw(st.sampled_from([f"{y}-{m:02d}-{d:02d}", f"{y}-{m:02d}", f"{y}"])) if partial else \
            f"{y}-{m:02d}-{d:02d}"

    records = []
    for i in range(size):
        issued = when(False)
        milestones = [{"date": when(True), "event": "Event.", "type": draw(st.sampled_from(KINDS))}
                      for _ in range(draw(st.integers(0, 3)))]
        evolution: dict[str, Any] = {"milestones": milestones}
        for j in range(i):
            if draw(st.integers(0, 2)) == 0:
                evolution.setdefault(draw(st.sampled_from(LINKS)), []).append(f"xx-p{j}")
        if "supersededBy" in evolution:
            evolution["supersededBy"] = evolution["supersededBy"][0]
        records.append(minimal_record(f"xx-p{i}", pubDate=issued, year=int(issued[:4]),
                                      status=draw(st.sampled_from(STATUSES)),
                                      legalWeight=draw(st.sampled_from(["Regulation", "Regulation", "Proposal"])),
                                      evolution=evolution))
    return records


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(random_corpus())
def test_lineage_and_query_agree_on_random_corpora(tmp_path_factory: pytest.TempPathFactory,
                                                   records: list[dict[str, Any]]) -> None:
    folder = tmp_path_factory.mktemp("random")
    for data in records:
        write_record(folder, data)
    source = OxigraphSource.from_seeds(tmp_path_factory.mktemp("ox") / "store", folder)
    lineage = Lineage.from_source(source)
    for day in dates_of(lineage):
        assert from_query(source, day) == from_lineage(lineage, day), (day, records)
