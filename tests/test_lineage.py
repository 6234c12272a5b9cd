"""Lineage: exact answers on small corpora whose shape is known (chain, fork, merge, cycle, dangling)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.build import load
from kg.cli import main
from kg.export import lineage_graph
from kg.lineage import Lineage, dates_of, pagerank
from kg.queries import run
from kg.store import OxigraphSource

from .conftest import FIXTURES, SEEDS, minimal_record, write_record


def rec(pid: str, issued: str, **fields: Any) -> dict[str, Any]:
    return minimal_record(pid, pubDate=issued, year=int(issued[:4]), **fields)


def ev(supersedes: list[str] | None = None, by: str = "", clusters: list[str] | None = None,
       milestones: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"supersedes": supersedes or [], "supersededBy": by, "clusters": clusters or [],
            "milestones": milestones or []}


RECORDS = [
    # a chain of four, links stated in both directions
    rec("no-a-2000", "2000-03-01", status="Superseded", evolution=ev(by="no-b-2005", clusters=["Storage law"])),
    rec("no-b-2005", "2005-06-15", status="Superseded", evolution=ev(["no-a-2000"], "no-c-2010", ["Storage law"])),
    rec("no-c-2010", "2010-01-01", status="Superseded", evolution=ev(["no-b-2005"], "no-d-2015", ["Storage law"])),
    rec("no-d-2015", "2015-09-30", evolution=ev(["no-c-2010"], clusters=["Storage law", "Liability"])),
    # a fork: one act replaced by two
    rec("dk-f-2001", "2001-01-01", country="Denmark", status="Superseded", evolution=ev(by="dk-g-2008")),
    rec("dk-g-2008", "2008-05-01", country="Denmark", evolution=ev(["dk-f-2001"], clusters=["Liability"])),
    rec("dk-h-2009", "2009-05-01", country="Denmark", evolution=ev(["dk-f-2001"])),
    # a merge: two rules consolidated into one
    rec("ca-ab-k-2003", "2003-02-01", country="Canada", jurisdiction="CA-AB", status="Superseded",
        evolution=ev(by="ca-ab-m-2012")),
    rec("ca-ab-l-2004", "2004-02-01", country="Canada", jurisdiction="CA-AB", status="Superseded",
        evolution=ev(by="ca-ab-m-2012")),
    rec("ca-ab-m-2012", "2012-01-10", country="Canada", jurisdiction="CA-AB",
        evolution=ev(["ca-ab-k-2003", "ca-ab-l-2004"], clusters=["Liability"], milestones=[
            {"date": "2012-01-10", "event": "Assented to.", "type": "adopted"},
            {"date": "2013-01-01", "event": "Entered into force.", "type": "in-force"}])),
    # a cycle
    rec("se-x-2006", "2006-01-01", country="Sweden", status="Superseded", evolution=ev(["se-y-2006"], "se-y-2006")),
    rec("se-y-2006", "2006-01-01", country="Sweden", status="Superseded", evolution=ev(["se-x-2006"], "se-x-2006")),
    # a dangling reference, a repeal, a draft
    rec("fi-p-2011", "2011-04-01", country="Finland", evolution=ev(["fi-ghost-1999"])),
    rec("fi-r-2002", "2002-02-02", country="Finland", status="Repealed", evolution=ev(milestones=[
        {"date": "2010-07-01", "event": "Repealed by the Storage Act.", "type": "repealed"}])),
    rec("fi-s-2020", "2020-02-02", country="Finland", status="Draft"),
    rec("fi-t-2021", "2021-03-03", country="Finland", status="Superseded", legalWeight="Proposal"),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lineage")
    for data in RECORDS:
        write_record(root, data)
    return root


@pytest.fixture(scope="module")
def lineage(folder: Path) -> Lineage:
    return Lineage.from_source(load(folder).source())


@pytest.fixture(scope="module")
def oxigraph(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> OxigraphSource:
    return OxigraphSource.from_seeds(tmp_path_factory.mktemp("ox") / "store", folder)


def test_chain_of_four(lineage: Lineage) -> None:
    assert lineage.describe("no-c-2010") == {
        "id": "no-c-2010", "predecessors": ["no-a-2000", "no-b-2005"], "successors": ["no-d-2015"],
        "current": ["no-d-2015"], "clusters": ["Storage law"],
        "chain": ["no-a-2000", "no-b-2005", "no-c-2010", "no-d-2015"],
        "relations": {r: [] for r in ("amends", "amendedBy", "repeals", "repealedBy", "implements", "implementedBy",
                                      "transposes", "transposedBy")}}
    assert lineage.describe("no-a-2000")["current"] == ["no-d-2015"]
    assert lineage.describe("no-d-2015")["current"] == ["no-d-2015"]


def test_node_attributes(lineage: Lineage) -> None:
    node = lineage.graph.nodes["ca-ab-m-2012"]
    assert (node["title"], node["jurisdiction"], node["country"], node["issued"], node["status"]) == (
        "Title of ca-ab-m-2012", "CA-AB", "CA", "2012-01-10", "Active")
    assert [(m.date, m.type) for m in node["milestones"]] == [("2012-01-10", "adopted"), ("2013-01-01", "in-force")]
    assert lineage.graph.nodes["fi-ghost-1999"]["dangling"] is True


def test_fork_merge_roots_dangling_cycles(lineage: Lineage) -> None:
    assert lineage.forks() == {"dk-f-2001": ["dk-g-2008", "dk-h-2009"]}
    assert lineage.merges() == {"ca-ab-m-2012": ["ca-ab-k-2003", "ca-ab-l-2004"]}
    assert lineage.describe("dk-f-2001")["current"] == ["dk-g-2008", "dk-h-2009"]
    assert lineage.roots() == ["ca-ab-k-2003", "ca-ab-l-2004", "dk-f-2001", "fi-ghost-1999", "no-a-2000"]
    assert lineage.dangling() == [("fi-p-2011", "supersedes", "fi-ghost-1999")]
    assert lineage.cycles() == [["se-x-2006", "se-y-2006"]]


def test_analysis_report(lineage: Lineage) -> None:
    report = lineage.analysis()
    assert report["policies"] == 16
    assert report["familySizes"] == [4, 3, 3, 2, 2]
    assert report["longestChains"][0] == ["no-a-2000", "no-b-2005", "no-c-2010", "no-d-2015"]
    assert report["depthByJurisdiction"] == {"CA": 2, "DK": 2, "FI": 2, "NO": 4, "SE": 2}
    assert report["clusterOverlap"] == [{"a": "Liability", "b": "Storage law", "shared": 1, "jaccard": 0.167}]
    top = {c["id"] for c in report["centrality"][:2]}
    assert top == {"no-d-2015", "ca-ab-m-2012"}  # the only policies with three neighbours
    timeline = report["timeline"]
    assert timeline["NO"]["2004"] == 1 and timeline["FI"]["2009"] == 1 and "2010" not in timeline["FI"]
    assert timeline["CA"]["2012"] == 2 and timeline["CA"]["2013"] == 1  # the merge is in force from 2013


@pytest.mark.parametrize(("day", "expected"), [
    ("2000-02-29", []),  # the day before issue
    ("2000-03-01", ["no-a-2000"]),  # the day of issue
    ("2005-06-14", ["no-a-2000"]),  # the day before the successor
    ("2005-06-15", ["no-b-2005"]),  # the day the successor is issued
])
def test_in_force_on_boundary_days(lineage: Lineage, day: str, expected: list[str]) -> None:
    assert lineage.in_force(day, "NO") == expected


def test_in_force_milestones_and_statuses(lineage: Lineage) -> None:
    assert lineage.in_force("2012-06-01", "CA") == ["ca-ab-k-2003", "ca-ab-l-2004"]  # adopted, not yet in force
    assert lineage.in_force("2013-01-01", "CA") == ["ca-ab-m-2012"]
    assert lineage.in_force("2010-06-30", "FI") == ["fi-r-2002"]
    assert lineage.in_force("2010-07-01", "FI") == []  # repealed that day
    assert lineage.in_force("2026-01-01", "FI") == ["fi-p-2011"]  # a draft or a proposal never is
    assert lineage.in_force("2009-06-01", "DK") == ["dk-g-2008", "dk-h-2009"]


def sparql_in_force(source: object, day: str, jurisdiction: str | None = None) -> list[str]:
    params = {"date": day, **({"jurisdiction": jurisdiction} if jurisdiction else {})}
    rows = run(source, "in-force", params).dicts()  # type: ignore[arg-type]
    return list(dict.fromkeys(str(row["id"]) for row in rows))  # one row per amendment in force: each id once


def test_in_force_query_agrees_on_every_date_of_the_grid(folder: Path, lineage: Lineage,
                                                        oxigraph: OxigraphSource) -> None:
    memory = load(folder).source()
    grid = list(dates_of(lineage))
    assert len(grid) > 30
    for day in grid:
        expected = lineage.in_force(day)
        assert sparql_in_force(memory, day) == expected, day
        assert sparql_in_force(oxigraph, day) == expected, day
    for code in ("CA", "CA-AB", "FI", "NO"):
        assert sparql_in_force(oxigraph, "2013-06-01", code) == lineage.in_force("2013-06-01", code)


@pytest.mark.parametrize("where", ["seeds", "hub-like", "hub"])
def test_in_force_query_agrees_on_shipped_corpora(where: str, request: pytest.FixtureRequest,
                                                  tmp_path: Path) -> None:
    from .fixtures_hub import POLICIES

    folder = {"seeds": SEEDS, "hub-like": POLICIES}.get(where) or request.getfixturevalue("hub")
    source = OxigraphSource.from_seeds(tmp_path / "store", folder)
    lineage = Lineage.from_source(source)
    grid = [f"{y}-{md}" for y in range(1990, 2027) for md in ("01-01", "07-01")] + list(dates_of(lineage))
    for day in grid:
        assert sparql_in_force(source, day) == lineage.in_force(day), day


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_lineage_cli_json_text_and_unknown_id(folder: Path) -> None:
    result = invoke("lineage", "no-b-2005", "--seeds", str(folder), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["chain"] == ["no-a-2000", "no-b-2005", "no-c-2010", "no-d-2015"]
    text = invoke("lineage", "no-b-2005", "--seeds", str(folder)).output
    assert text.splitlines()[:4] == [
        "no-b-2005  Title of no-b-2005 (NO, 2005-06-15, Superseded)",
        "├── predecessors:",
        "│   └── no-a-2000  Title of no-a-2000 (NO, 2000-03-01, Superseded)",
        "├── successors:",
    ]
    assert "├── current: no-d-2015" in text
    missing = invoke("lineage", "no-c-201", "--seeds", str(folder))
    assert missing.exit_code == 2
    assert "no policy 'no-c-201'" in missing.output and "no-c-2010" in missing.output
    assert "Traceback" not in missing.output


def test_lineage_pictures(folder: Path, tmp_path: Path) -> None:
    svg = tmp_path / "family.svg"
    mermaid = invoke("lineage", "ca-ab-m-2012", "--seeds", str(folder), "--format", "mermaid", "--svg", str(svg))
    assert mermaid.output.splitlines()[0] == "flowchart LR"
    assert mermaid.output.count("-->|supersedes|") == 2
    assert '    k0a[" "] -->|supersedes (replaces)| k0b[" "]' in mermaid.output.splitlines()  # the legend
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert sum(1 for t in texts if t and t.startswith("ca-ab-")) == 3
    assert "supersedes (replaces)" in texts  # the legend
    dot = invoke("lineage", "fi-p-2011", "--seeds", str(folder), "--format", "dot").output
    assert '  "fi-ghost-1999" -> "fi-p-2011" [label="supersedes", color="#5b6b7c", style=solid];' in dot.splitlines()
    timeline = tmp_path / "timeline.svg"
    assert invoke("analyze", "--seeds", str(folder), "--svg", str(timeline)).exit_code == 0
    assert ET.parse(timeline).getroot().get("aria-label") == "instruments in force per year"


def test_in_force_cli(folder: Path) -> None:
    result = invoke("in-force", "--date", "2005-06-15", "--country", "Norway", "--seeds", str(folder),
                    "--format", "json")
    assert json.loads(result.output) == {"date": "2005-06-15", "policies": [
        {"id": "no-b-2005", "title": "Title of no-b-2005", "jurisdiction": "NO", "issued": "2005-06-15",
         "amendedBy": []}], "provisionallyApplied": []}
    for bad, message in (("2005-02-30", "not a real date"), ("June 2005", "not a real date")):
        result = invoke("in-force", "--date", bad, "--seeds", str(folder))
        assert result.exit_code == 2 and message in result.output
    result = invoke("in-force", "--date", "2005-01-01", "--country", "Atlantis", "--seeds", str(folder))
    assert result.exit_code == 2 and "names no ISO 3166 jurisdiction" in result.output


def test_analyze_cli_reports_dangling_and_cycles_without_failing(folder: Path) -> None:
    result = invoke("analyze", "--seeds", str(folder))
    assert result.exit_code == 0, result.output
    assert "fi-p-2011 supersedes fi-ghost-1999 (no such record)" in result.output
    assert "cycles: se-x-2006 → se-y-2006" in result.output
    data = json.loads(invoke("analyze", "--seeds", str(folder), "--format", "json").output)
    assert data["dangling"] == [{"policy": "fi-p-2011", "relation": "supersedes", "target": "fi-ghost-1999"}]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_exports_are_deterministic_and_readable(fmt: str, folder: Path, lineage: Lineage,
                                                      tmp_path: Path) -> None:
    out = tmp_path / f"lineage.{fmt}"
    result = invoke("export", "--seeds", str(folder), "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == lineage_graph(lineage, fmt)
    graph = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    assert graph.number_of_nodes() == 17 and graph.number_of_edges() == 10
    assert graph.has_edge("no-c-2010", "no-d-2015")


def test_lineage_reads_any_store(folder: Path, oxigraph: OxigraphSource) -> None:
    memory = Lineage.from_source(load(folder).source())
    embedded = Lineage.from_source(oxigraph)
    assert embedded.analysis() == memory.analysis()
    assert nx.utils.edges_equal(sorted(embedded.graph.edges(keys=True)), sorted(memory.graph.edges(keys=True)))


# --- typed legal relationships, on tests/fixtures/relations (see test_in_force.py) ---------------

RELATIONS = FIXTURES / "relations"
NO_RELATIONS = {r: [] for r in ("amends", "amendedBy", "repeals", "repealedBy", "implements", "implementedBy",
                                "transposes", "transposedBy")}


@pytest.fixture(scope="module")
def typed() -> Lineage:
    return Lineage.from_source(load(RELATIONS).source())


def test_relations_of_a_base_act(typed: Lineage) -> None:
    assert typed.describe("no-storage-act-2001") == {
        "id": "no-storage-act-2001", "predecessors": ["no-petroleum-storage-regs-1997"], "successors": [],
        "current": ["no-storage-act-2001"], "clusters": [],
        "chain": ["no-petroleum-storage-regs-1997", "no-storage-act-2001"],
        "relations": {**NO_RELATIONS,
                      "amendedBy": ["no-storage-amendment-2005", "no-storage-amendment-2010",
                                    "no-storage-amendment-2015", "no-storage-amendment-2024", "no-storage-bill-2026"],
                      "repeals": ["no-petroleum-storage-regs-1997"],
                      "implementedBy": ["no-storage-regulations-2002"]}}


def test_amendment_implementation_and_transposition_are_not_the_replacement_line(typed: Lineage) -> None:
    amendment = typed.describe("no-storage-amendment-2010")
    assert (amendment["predecessors"], amendment["successors"], amendment["chain"]) == (
        [], [], ["no-storage-amendment-2010"])
    assert amendment["relations"] == {**NO_RELATIONS, "amends": ["no-storage-act-2001"]}
    assert amendment["current"] == ["no-storage-act-2001"]  # the current version of what it amends
    directive = typed.describe("eu-storage-directive-2009")
    assert (directive["successors"], directive["current"]) == ([], ["eu-storage-directive-2009"])
    assert directive["relations"]["transposedBy"] == ["dk-storage-act-2016", "dk-storage-transposition-2011"]
    assert typed.describe("dk-storage-act-2016")["chain"] == ["dk-storage-transposition-2011", "dk-storage-act-2016"]
    # a repeal by an act not yet in force is on the replacement line but leaves the regulations current
    regulations = typed.describe("no-storage-regulations-2002")
    assert regulations["successors"] == ["no-ccs-liability-act-2025"]
    assert regulations["relations"]["repealedBy"] == ["no-ccs-liability-act-2025"]
    assert regulations["current"] == ["no-storage-regulations-2002"]
    # a link to an id with no record is kept, and reported as dangling
    assert typed.describe("se-storage-amendment-2012")["relations"]["amends"] == ["se-storage-act-1999"]
    assert typed.dangling() == [("se-storage-amendment-2012", "amends", "se-storage-act-1999")]


def test_chain_is_oldest_first_even_when_a_link_dangles(lineage: Lineage) -> None:
    assert lineage.chain("fi-p-2011") == ["fi-ghost-1999", "fi-p-2011"]


def test_chain_of_a_hub_policy_with_a_dangling_predecessor(hub: Path) -> None:
    chain = Lineage.from_source(load(hub).source()).describe("cn-ccer")["chain"]
    assert chain == ["cn-ccer-legacy-2012", "cn-ccer"]


def test_chain_of_a_bilingual_policy_with_a_dangling_predecessor() -> None:
    from .fixtures_hub import POLICIES

    described = Lineage.from_source(load(POLICIES).source()).describe("cn-ets-pilot")
    assert described["chain"] == ["cn-ets-pilot-2011", "cn-ets-pilot"]
    assert described["predecessors"] == ["cn-ets-pilot-2011"] and described["successors"] == []


def test_lineage_text_lists_typed_relations() -> None:
    result = invoke("lineage", "no-storage-act-2001", "--seeds", str(RELATIONS))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "no-storage-act-2001  Storage Act 2001 (test) (NO, 2001-03-01, Active)",
        "├── predecessors:",
        "│   └── no-petroleum-storage-regs-1997  Petroleum Storage Regulations 1997 (test) (NO, 1997-01-15, Repealed)"
        " [repealed]",
        "├── successors: none",
        "├── amended by:",
        "│   ├── no-storage-amendment-2005  Storage (Amendment) Act 2005 (test) (NO, 2005-05-10, Active)",
        "│   ├── no-storage-amendment-2010  Storage (Amendment) Act 2010 (test) (NO, 2010-02-01, Active)",
        "│   ├── no-storage-amendment-2015  Storage (Temporary Measures) Act 2015 (test) (NO, 2015-06-01, Expired)",
        "│   ├── no-storage-amendment-2024  Storage (Amendment) Act 2024 (test) (NO, 2024-03-01, Adopted)",
        "│   └── no-storage-bill-2026  Storage (Amendment) Bill 2026 (test) (NO, 2026-01-15, Draft)",
        "├── repeals:",
        "│   └── no-petroleum-storage-regs-1997  Petroleum Storage Regulations 1997 (test) (NO, 1997-01-15, Repealed)",
        "├── implemented by:",
        "│   └── no-storage-regulations-2002  Storage Regulations 2002 (test) (NO, 2002-01-01, Active)",
        "├── current: no-storage-act-2001",
        "└── clusters: none",
    ]


def test_pictures_draw_each_relation_type_with_a_legend(tmp_path: Path) -> None:
    svg = tmp_path / "act.svg"
    args = ["lineage", "no-storage-act-2001", "--seeds", str(RELATIONS)]
    mermaid = invoke(*args, "--format", "mermaid", "--svg", str(svg)).output.splitlines()
    edges = [line for line in mermaid if line.startswith("  n") and "|" in line]
    assert [sum(kind in line for line in edges) for kind in ("==>|amends|", "-.->|implements|", "--x|repeals|")] == [
        5, 1, 1]
    assert [line for line in mermaid if line.startswith("    k")] == [
        '    k0a[" "] ==>|amends| k0b[" "]', '    k1a[" "] --x|repeals| k1b[" "]',
        '    k2a[" "] -.->|implements| k2b[" "]']
    assert "  linkStyle 0 stroke:#b3261e,stroke-width:2.5px" in mermaid  # the first edge is the repeal
    root = ET.parse(svg).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    legend = next(g for g in root.iter(f"{ns}g") if g.get("class") == "legend")
    assert [t.text for t in legend.iter(f"{ns}text")][1:] == ["amends", "repeals", "implements"]
    strokes = {line.get("marker-end"): line.get("stroke") for line in root.iter(f"{ns}line")}
    assert strokes == {"url(#arrow-amends)": "#0b6e4f", "url(#arrow-implements)": "#6a3d9a",
                       "url(#arrow-repeals)": "#b3261e"}
    dot = invoke(*args, "--format", "dot").output.splitlines()
    assert ('  "no-storage-act-2001" -> "no-storage-amendment-2005" [label="amends", color="#0b6e4f", style=solid];'
            in dot)
    assert ('  "no-storage-act-2001" -> "no-storage-regulations-2002" [label="implements", color="#6a3d9a", '
            'style=dashed];' in dot)
    assert "  subgraph cluster_legend {" in dot


def test_graph_exports_carry_the_relation_type(tmp_path: Path) -> None:
    out = tmp_path / "typed.graphml"
    assert invoke("export", "--seeds", str(RELATIONS), "--format", "graphml", "-o", str(out)).exit_code == 0
    graph = nx.read_graphml(out)
    relation = nx.get_edge_attributes(graph, "relation")
    assert relation[("no-storage-act-2001", "no-storage-amendment-2005")] == "amends"
    assert relation[("eu-storage-directive-2009", "dk-storage-transposition-2011")] == "transposes"
    assert relation[("dk-storage-transposition-2011", "dk-storage-act-2016")] == "supersedes"
    assert relation[("no-storage-regulations-2002", "no-ccs-liability-act-2025")] == "repeals"
    assert relation[("no-storage-act-2001", "no-storage-regulations-2002")] == "implements"
    gexf = tmp_path / "typed.gexf"
    assert invoke("export", "--seeds", str(RELATIONS), "--format", "gexf", "-o", str(gexf)).exit_code == 0
    assert nx.get_edge_attributes(nx.read_gexf(gexf), "relation") == relation


def test_a_consolidated_text_is_a_successor_but_ends_nothing(corpus: Any) -> None:
    folder = corpus(rec("pl-act-2010", "2010-05-01"),
                    rec("pl-act-consolidated-2015", "2015-03-01", evolution={"consolidatedFrom": ["pl-act-2010"]}))
    source = load(folder).source()
    lineage = Lineage.from_source(source)
    assert lineage.successors("pl-act-2010") == ["pl-act-consolidated-2015"]
    assert lineage.in_force("2016-01-01") == ["pl-act-2010", "pl-act-consolidated-2015"]
    assert sparql_in_force(source, "2016-01-01") == ["pl-act-2010", "pl-act-consolidated-2015"]
    assert lineage.current("pl-act-2010", "2016-01-01") == ["pl-act-consolidated-2015"]
    assert lineage.current("pl-act-2010", "2014-01-01") == ["pl-act-2010"]


@pytest.mark.parametrize("pid", ["no-storage-act-2001", "no-storage-regulations-2002", "dk-storage-act-2016",
                                 "no-storage-amendment-2010", "eu-storage-directive-2009"])
def test_lineage_chain_query_follows_the_same_replacement_line(pid: str, typed: Lineage,
                                                              tmp_path: Path) -> None:
    expected = {(m, "self" if m == pid else "predecessor" if m in typed.predecessors(pid) else "successor")
                for m in typed.chain(pid)}
    for source in (load(RELATIONS).source(), OxigraphSource.from_seeds(tmp_path / "store", RELATIONS)):
        rows = {(str(r["member"]), str(r["relation"])) for r in run(source, "lineage-chain", {"id": pid}).dicts()}
        assert rows == expected


def test_pagerank_without_scipy_matches_networkx_on_the_shipped_graph() -> None:
    """Our power iteration replaces networkx.pagerank (which needs scipy): same ranks to 1e-6."""
    g = Lineage.from_source(load(SEEDS).source()).centrality_graph()
    assert g.number_of_nodes() > 100 and g.number_of_edges() > 100
    ours, theirs = pagerank(g), nx.pagerank(g, tol=1e-12)
    assert ours.keys() == theirs.keys()
    assert max(abs(ours[n] - theirs[n]) for n in ours) < 1e-6
    assert abs(sum(ours.values()) - 1.0) < 1e-9


def test_pagerank_of_a_small_graph_by_hand() -> None:
    assert pagerank(nx.Graph()) == {}
    g = nx.Graph([("a", "b"), ("b", "c")])
    g.add_node("d")  # no edge: its rank is spread evenly
    rank = pagerank(g)
    assert rank == pytest.approx(nx.pagerank(g, tol=1e-12, max_iter=1000), abs=1e-9)
    assert rank["a"] == pytest.approx(rank["c"]) and rank["b"] > rank["a"] > rank["d"]
