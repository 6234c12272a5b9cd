"""The lineage graph: policies as networkx nodes, supersession and consolidation as edges.

Built only through SPARQL (the ``lineage-*`` queries in ``queries/``), so the
same code works on the in-memory graph, an Oxigraph store or a remote
endpoint. Edges run from the older instrument to the newer one; an id named
by a link but holding no record becomes a node marked ``dangling``, so bad
references are reported rather than lost.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import timedelta
from typing import Any

import networkx as nx

from kg.errors import QueryError
from kg.queries import run
from kg.sparql import SparqlSource

SUPERSEDES = "supersedes"
CONSOLIDATED = "consolidatedFrom"
NEVER_IN_FORCE = frozenset({"Draft", "Proposed"})  # statuses; a legal weight of Proposal never is either
PROPOSAL = "Proposal"
ENDING = frozenset({"repealed", "expired"})
OPEN_END = "9999-12-31"


def day(value: str) -> str:
    """A full or partial ISO date as the first day it covers: '2025' -> '2025-01-01'."""
    return {4: value + "-01-01", 7: value + "-01"}.get(len(value), value)


@dataclass(frozen=True)
class Milestone:
    """A dated event on a policy's node."""

    position: int
    date: str
    type: str
    event: str


@dataclass
class Lineage:
    """The lineage graph and the questions asked of it."""

    graph: nx.MultiDiGraph = field(default_factory=nx.MultiDiGraph)
    # Answers derived from the graph, computed once (the graph is not changed after building).
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    # --- building -----------------------------------------------------------------------
    @classmethod
    def from_source(cls, source: SparqlSource) -> Lineage:
        """Read nodes, edges, clusters and milestones from any SPARQL source."""
        lineage = cls()
        g = lineage.graph
        for row in run(source, "lineage-nodes").dicts():
            g.add_node(_s(row["id"]), title=_s(row["title"]), jurisdiction=_s(row["jurisdiction"]),
                       country=_s(row["country"]), issued=_s(row["issued"]), status=_s(row["statusName"]),
                       weight=_s(row["weightName"]),
                       clusters=[], milestones=[], dangling=False)
        for row in run(source, "lineage-clusters").dicts():
            g.nodes[_s(row["id"])]["clusters"].append(_s(row["name"]) or _s(row["cluster"]))
        for row in run(source, "lineage-milestones").dicts():
            g.nodes[_s(row["id"])]["milestones"].append(
                Milestone(int(str(row["position"])), _s(row["date"]), _s(row["type"]), _s(row["event"])))
        for row in run(source, "lineage-edges").dicts():
            older, newer, relation = _s(row["older"]), _s(row["newer"]), _s(row["relation"])
            for end in (older, newer):
                if end not in g:
                    g.add_node(end, title="", jurisdiction="", country="", issued="", status="", weight="",
                               clusters=[], milestones=[], dangling=True)
            if not g.has_edge(older, newer, key=relation):
                g.add_edge(older, newer, key=relation, relation=relation)
        for node in g.nodes.values():
            node["clusters"].sort()
        return lineage

    # --- one policy ---------------------------------------------------------------------
    @property
    def policies(self) -> list[str]:
        """Ids with a record (dangling targets excluded), sorted."""
        return sorted(n for n, d in self.graph.nodes(data=True) if not d["dangling"])

    def require(self, pid: str) -> None:
        """Fail with the closest ids when a policy is unknown."""
        if pid in self.graph and not self.graph.nodes[pid]["dangling"]:
            return
        close = difflib.get_close_matches(pid, self.policies, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise QueryError(f"no policy '{pid}' in the corpus{hint}")

    def predecessors(self, pid: str) -> list[str]:
        return sorted(nx.ancestors(self.graph, pid))

    def successors(self, pid: str) -> list[str]:
        return sorted(nx.descendants(self.graph, pid))

    def chain(self, pid: str) -> list[str]:
        """The policy, everything before it and everything after it, oldest first."""
        members = {pid, *nx.ancestors(self.graph, pid), *nx.descendants(self.graph, pid)}
        return sorted(members, key=lambda n: (self.graph.nodes[n]["issued"] or "9999", n))

    def current(self, pid: str, on: str | None = None) -> list[str]:
        """The heads reached by following successors that are in force on the day (today by default)."""
        on = on or Date.today().isoformat()
        reach = {pid, *nx.descendants(self.graph, pid)}
        heads = [n for n in reach if not any(s for s in self.graph.successors(n) if self._known(s))]
        return sorted(n for n in heads if self._known(n) and self.in_force_on(n, on))

    def clusters(self, pid: str) -> list[str]:
        return list(self.graph.nodes[pid]["clusters"])

    def describe(self, pid: str) -> dict[str, object]:
        """The JSON answer of `ccus-kg lineage`."""
        self.require(pid)
        return {"id": pid, "predecessors": self.predecessors(pid), "successors": self.successors(pid),
                "current": self.current(pid), "clusters": self.clusters(pid), "chain": self.chain(pid)}

    # --- point in time ------------------------------------------------------------------
    def start(self, pid: str) -> str:
        """The first day in force: the earliest dated in-force milestone, else the issue date."""
        node = self.graph.nodes[pid]
        dates = [day(m.date) for m in node["milestones"] if m.type == "in-force" and m.date]
        return min(dates) if dates else node["issued"]

    def _known(self, pid: str) -> bool:
        return not self.graph.nodes[pid]["dangling"]

    def _startable(self, pid: str) -> bool:
        node = self.graph.nodes[pid]
        return (bool(node["issued"]) and not node["dangling"] and node["status"] not in NEVER_IN_FORCE
                and node["weight"] != PROPOSAL)

    def interval(self, pid: str) -> tuple[str, str] | None:
        """[first day, day it ended) in force, or None for an instrument never in force.

        It ends at the first dated repealed/expired milestone or the first day a
        successor is in force, whichever comes first; '9999-12-31' when neither is known.
        """
        cache = self._memo.setdefault("intervals", {})
        if pid not in cache:
            if not self._startable(pid):
                cache[pid] = None
            else:
                ends = [day(m.date) for m in self.graph.nodes[pid]["milestones"] if m.type in ENDING and m.date]
                ends += [self.start(s) for s in self.graph.successors(pid) if self._startable(s)]
                cache[pid] = (self.start(pid), min(ends, default=OPEN_END))
        return cache[pid]

    def in_force_on(self, pid: str, on: str) -> bool:
        """Started on or before the day and not yet ended."""
        span = self.interval(pid)
        return span is not None and span[0] <= on < span[1]

    def in_force(self, on: str, jurisdiction: str | None = None) -> list[str]:
        """Ids in force on a day, optionally in one jurisdiction (its subdivisions included)."""
        found = []
        for pid in self.policies:
            node = self.graph.nodes[pid]
            if jurisdiction and jurisdiction not in (node["jurisdiction"], node["country"]):
                continue
            if self.in_force_on(pid, on):
                found.append(pid)
        return found

    # --- the whole graph ----------------------------------------------------------------
    def families(self) -> list[list[str]]:
        """Weakly connected lineage components of two or more policies, largest first."""
        parts = [sorted(c) for c in nx.weakly_connected_components(self.graph) if len(c) > 1]
        return sorted(parts, key=lambda c: (-len(c), c[0]))

    def longest_chains(self, limit: int = 5) -> list[list[str]]:
        """The longest supersession paths, oldest first (cycles are left out: see cycles())."""
        dag = self.acyclic()
        best: dict[str, list[str]] = {}
        for node in nx.topological_sort(dag):
            preds = [best[p] for p in dag.predecessors(node)]
            longest = max(preds, key=lambda c: (len(c), [-ord(ch) for ch in c[0]]), default=[])
            best[node] = [*longest, node]
        ends = [c for n, c in best.items() if dag.out_degree(n) == 0 and len(c) > 1]
        return sorted(ends, key=lambda c: (-len(c), c))[:limit]

    def forks(self) -> dict[str, list[str]]:
        """Policies replaced by several successors."""
        return {n: sorted(set(self.graph.successors(n))) for n in sorted(self.graph)
                if len(set(self.graph.successors(n))) > 1}

    def merges(self) -> dict[str, list[str]]:
        """Policies that replace or consolidate several predecessors."""
        return {n: sorted(set(self.graph.predecessors(n))) for n in sorted(self.graph)
                if len(set(self.graph.predecessors(n))) > 1}

    def roots(self) -> list[str]:
        """The oldest member of each family: policies with successors but no predecessor."""
        return sorted(n for n in self.graph if self.graph.in_degree(n) == 0 and self.graph.out_degree(n) > 0)

    def dangling(self) -> list[tuple[str, str, str]]:
        """(stating policy, relation, missing id) for every link to an id with no record."""
        found = []
        for older, newer, relation in self.graph.edges(keys=True):
            if not self._known(older):
                found.append((newer, relation, older))
            elif not self._known(newer):
                found.append((older, "supersededBy" if relation == SUPERSEDES else "consolidatedInto", newer))
        return sorted(found)

    def cycles(self) -> list[list[str]]:
        """Supersession cycles, each rotated to start at its smallest id."""
        if "cycles" not in self._memo:
            self._memo["cycles"] = self._cycles()
        return [list(c) for c in self._memo["cycles"]]

    def _cycles(self) -> list[list[str]]:
        simple = nx.DiGraph(self.graph)
        found = []
        for component in nx.strongly_connected_components(simple):
            if len(component) > 1 or simple.has_edge(*(2 * [next(iter(component))])):
                found.extend(list(c) for c in nx.simple_cycles(simple.subgraph(component)))
        rotated = [c[c.index(min(c)):] + c[:c.index(min(c))] for c in found]
        return sorted(rotated)

    def depth_by_jurisdiction(self) -> dict[str, int]:
        """The longest chain (in policies) within each country's lineage."""
        dag = self.acyclic()
        length: dict[str, int] = {}
        for node in nx.topological_sort(dag):
            length[node] = 1 + max((length[p] for p in dag.predecessors(node)), default=0)
        depth: dict[str, int] = {}
        for node, n in length.items():
            country = self.graph.nodes[node]["country"]
            if country:
                depth[country] = max(depth.get(country, 0), n)
        return dict(sorted(depth.items()))

    def centrality(self, limit: int = 10) -> list[tuple[str, float]]:
        """PageRank on the undirected policy-cluster-lineage graph: hub instruments first."""
        g = nx.Graph()
        for pid in self.policies:
            g.add_node(pid)
            for name in self.graph.nodes[pid]["clusters"]:
                g.add_edge(pid, ("cluster", name))
        for older, newer in self.graph.edges():
            g.add_edge(older, newer)
        if g.number_of_edges() == 0:
            return []
        rank = nx.pagerank(g)
        policies = [(n, round(r, 6)) for n, r in rank.items() if isinstance(n, str) and self._known(n)]
        return sorted(policies, key=lambda kv: (-kv[1], kv[0]))[:limit]

    def cluster_members(self) -> dict[str, list[str]]:
        members: dict[str, list[str]] = {}
        for pid in self.policies:
            for name in self.graph.nodes[pid]["clusters"]:
                members.setdefault(name, []).append(pid)
        return dict(sorted(members.items()))

    def cluster_overlap(self, limit: int = 10) -> list[tuple[str, str, int, float]]:
        """Pairs of clusters sharing policies: (a, b, shared, Jaccard), most shared first."""
        members = {k: set(v) for k, v in self.cluster_members().items()}
        names = sorted(members)
        pairs = []
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                shared = len(members[a] & members[b])
                if shared:
                    pairs.append((a, b, shared, round(shared / len(members[a] | members[b]), 3)))
        return sorted(pairs, key=lambda p: (-p[2], -p[3], p[0], p[1]))[:limit]

    def timeline(self) -> dict[str, dict[int, int]]:
        """Instruments in force on 31 December of each year, per country."""
        spans = [(self.graph.nodes[p]["country"], span) for p in self.policies
                 if self.graph.nodes[p]["country"] and (span := self.interval(p)) is not None]
        if not spans:
            return {}
        first = min(int(span[0][:4]) for _, span in spans)
        last = max(int(self.graph.nodes[p]["issued"][:4]) for p in self.policies if self.graph.nodes[p]["issued"])
        out: dict[str, dict[int, int]] = {}
        for country, (start, end) in spans:
            for year in range(max(first, int(start[:4])), last + 1):
                on = f"{year}-12-31"
                if start <= on < end:
                    out.setdefault(country, {}).setdefault(year, 0)
                    out[country][year] += 1
        return {c: dict(sorted(v.items())) for c, v in sorted(out.items())}

    def analysis(self) -> dict[str, object]:
        """Everything `ccus-kg analyze` reports, as plain JSON-ready data."""
        families = self.families()
        return {
            "policies": len(self.policies),
            "links": self.graph.number_of_edges(),
            "families": families,
            "familySizes": sorted((len(f) for f in families), reverse=True),
            "longestChains": self.longest_chains(),
            "forks": self.forks(),
            "merges": self.merges(),
            "roots": self.roots(),
            "dangling": [{"policy": p, "relation": r, "target": t} for p, r, t in self.dangling()],
            "cycles": self.cycles(),
            "depthByJurisdiction": self.depth_by_jurisdiction(),
            "centrality": [{"id": n, "pagerank": r} for n, r in self.centrality()],
            "clusterOverlap": [{"a": a, "b": b, "shared": s, "jaccard": j} for a, b, s, j in self.cluster_overlap()],
            "timeline": {c: {str(y): n for y, n in v.items()} for c, v in self.timeline().items()},
        }

    def family_of(self, pid: str) -> list[str]:
        """Every policy in the same weakly connected family, sorted."""
        return sorted(nx.node_connected_component(self.graph.to_undirected(as_view=True), pid))

    def acyclic(self) -> nx.DiGraph:
        """The graph with each cycle's closing edges removed, so path lengths are defined (computed once)."""
        if "acyclic" not in self._memo:
            self._memo["acyclic"] = self._acyclic()
        return self._memo["acyclic"]

    def _acyclic(self) -> nx.DiGraph:
        dag = nx.DiGraph(self.graph)
        for cycle in self.cycles():
            if dag.has_edge(cycle[-1], cycle[0]):
                dag.remove_edge(cycle[-1], cycle[0])
        while not nx.is_directed_acyclic_graph(dag):  # overlapping cycles
            u, v = nx.find_cycle(dag)[-1][:2]
            dag.remove_edge(u, v)
        return dag

    # --- export -------------------------------------------------------------------------
    def for_export(self) -> nx.DiGraph:
        """A plain attributed digraph GraphML and GEXF can hold (scalars only, sorted)."""
        g = nx.DiGraph()
        for pid in sorted(self.graph):
            d = self.graph.nodes[pid]
            g.add_node(pid, label=d["title"] or pid, jurisdiction=d["jurisdiction"], country=d["country"],
                       issued=d["issued"], status=d["status"], clusters="; ".join(d["clusters"]),
                       dangling=d["dangling"])
        for older, newer, relation in sorted(self.graph.edges(keys=True)):
            g.add_edge(older, newer, relation=relation)
        return g


def _s(value: object) -> str:
    return "" if value is None else str(value)


def dates_of(lineage: Lineage) -> Iterable[str]:
    """Every day on which some answer can change: starts, ends and the days around them."""
    days: set[str] = set()
    for pid in lineage.policies:
        node = lineage.graph.nodes[pid]
        marks = [node["issued"], *(day(m.date) for m in node["milestones"] if m.date)]
        for mark in filter(None, marks):
            d = Date.fromisoformat(mark)
            days.update({(d - timedelta(days=1)).isoformat(), mark})
    return sorted(days)


__all__ = ["CONSOLIDATED", "SUPERSEDES", "Lineage", "Milestone", "dates_of", "day"]
