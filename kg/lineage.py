"""The lineage graph: policies as networkx nodes, their legal relationships as typed edges.

Built only through SPARQL (the ``lineage-*`` queries in ``queries/``), so the
same code works on the in-memory graph, an Oxigraph store or a remote
endpoint. An edge ``u -> v`` keyed by a relation says "v <relation> u": it runs
from the instrument acted on to the instrument acting on it (the repealed act
to the repealing one, the base act to its amendment, the directive to its
transposition). Replacement (``supersedes``, ``consolidatedFrom``, ``repeals``)
makes the predecessor / successor line; only ``supersedes`` and ``repeals`` end
an instrument (a consolidated text leaves what it consolidates in force), and
amendment, implementation and transposition never end anything. An id named by
a link but holding no record becomes a node marked ``dangling``, so bad
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
from kg.queries import text_rows as rows
from kg.sparql import SparqlSource

SUPERSEDES = "supersedes"
CONSOLIDATED = "consolidatedFrom"
AMENDS, REPEALS, IMPLEMENTS, TRANSPOSES = "amends", "repeals", "implements", "transposes"
TYPED = (AMENDS, REPEALS, IMPLEMENTS, TRANSPOSES)  # the legal relationships `lineage` reports by type
RELATIONS = (SUPERSEDES, CONSOLIDATED, *TYPED)
REPLACING = frozenset({SUPERSEDES, CONSOLIDATED, REPEALS})  # the predecessor / successor line
ENDERS = frozenset({SUPERSEDES, REPEALS})  # the newer instrument ends the older one when it starts
INVERSE = {SUPERSEDES: "supersededBy", CONSOLIDATED: "consolidatedInto", AMENDS: "amendedBy",
           REPEALS: "repealedBy", IMPLEMENTS: "implementedBy", TRANSPOSES: "transposedBy"}
PROPOSAL = "Proposal"  # a legal weight that is never in force, whatever the status
STARTING = frozenset({"in-force", "commenced"})
ENDING = frozenset({"repealed", "expired", "lapsed"})
PROVISIONAL = "provisionally-applied"
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


def _blank(dangling: bool) -> dict[str, Any]:
    return {"title": "", "jurisdiction": "", "country": "", "issued": "", "status": "", "weight": "",
            "mayBeInForce": False, "adopted": False, "provisional": False,
            "clusters": [], "milestones": [], "dangling": dangling}


def pagerank(g: nx.Graph, alpha: float = 0.85, tol: float = 1e-12, max_iter: int = 1000) -> dict[Any, float]:
    """PageRank of an undirected graph by power iteration, in plain Python.

    networkx.pagerank needs scipy (over 200 MB installed) for what is, on graphs
    of a few hundred nodes, a loop of a few dozen sweeps. Same model as networkx:
    every edge walks both ways, a node with no edge spreads its rank evenly.
    """
    nodes = list(g)
    n = len(nodes)
    if n == 0:
        return {}
    degree = {v: g.degree(v) for v in nodes}
    x = dict.fromkeys(nodes, 1.0 / n)
    for _ in range(max_iter):
        dangling = alpha * sum(x[v] for v in nodes if degree[v] == 0) / n
        base = (1.0 - alpha) / n + dangling
        new = {v: base + alpha * sum(x[u] / degree[u] for u in g[v]) for v in nodes}
        err = sum(abs(new[v] - x[v]) for v in nodes)
        x = new
        if err < n * tol:
            break
    return x


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
        for row in rows(source, "lineage-nodes"):
            g.add_node(_s(row["id"]), **{**_blank(False), "title": _s(row["title"]),
                                         "jurisdiction": _s(row["jurisdiction"]), "country": _s(row["country"]),
                                         "issued": _s(row["issued"]), "status": _s(row["statusName"]),
                                         "weight": _s(row["weightName"]),
                                         "mayBeInForce": _s(row["mayBeInForce"]) in ("true", "1"),
                                         "adopted": _s(row["adopted"]) in ("true", "1"),
                                         "provisional": _s(row["provisional"]) in ("true", "1")})
        for row in rows(source, "lineage-clusters"):
            g.nodes[_s(row["id"])]["clusters"].append(_s(row["name"]) or _s(row["cluster"]))
        for row in rows(source, "lineage-milestones"):
            g.nodes[_s(row["id"])]["milestones"].append(
                Milestone(int(str(row["position"])), _s(row["date"]), _s(row["type"]), _s(row["event"])))
        for row in rows(source, "lineage-edges"):
            older, newer, relation = _s(row["older"]), _s(row["newer"]), _s(row["relation"])
            for end in (older, newer):
                if end not in g:
                    g.add_node(end, **_blank(True))
            if not g.has_edge(older, newer, key=relation):
                g.add_edge(older, newer, key=relation, relation=relation)
        for node in g.nodes.values():
            node["clusters"].sort()
        return lineage

    # --- views ---------------------------------------------------------------------------
    def replacement(self) -> nx.DiGraph:
        """The replacement line only: supersession, consolidation and repeal edges (computed once)."""
        if "replacement" not in self._memo:
            line: nx.DiGraph[str] = nx.DiGraph()
            line.add_nodes_from(self.graph)
            line.add_edges_from((u, v) for u, v, r in self.graph.edges(keys=True) if r in REPLACING)
            self._memo["replacement"] = line
        return self._memo["replacement"]

    def related(self, pid: str, relation: str, inverse: bool = False) -> list[str]:
        """Ids ``pid`` stands in ``relation`` to (``pid`` amends them), or, inverse, those related to it."""
        if inverse:
            found = {v for _, v, r in self.graph.out_edges(pid, keys=True) if r == relation}
        else:
            found = {u for u, _, r in self.graph.in_edges(pid, keys=True) if r == relation}
        return sorted(found)

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
        """Everything the policy replaced, transitively (supersession, consolidation, repeal)."""
        return sorted(nx.ancestors(self.replacement(), pid))

    def successors(self, pid: str) -> list[str]:
        """Everything that replaced the policy, transitively."""
        return sorted(nx.descendants(self.replacement(), pid))

    def chain(self, pid: str) -> list[str]:
        """The replacement line through the policy, oldest first.

        Ordered by the links first and the issue date second, so an id with no
        record (and so no date) still sits before the instrument that replaced it.
        """
        line = self.replacement()
        members = {pid, *nx.ancestors(line, pid), *nx.descendants(line, pid)}
        return self._in_order(members)

    def _in_order(self, members: Iterable[str]) -> list[str]:
        dag = self.acyclic().subgraph(members)
        return list(nx.lexicographical_topological_sort(
            dag, key=lambda n: (self.graph.nodes[n]["issued"] or "9999", n)))

    def amended(self, pid: str) -> list[str]:
        """The instruments with a record that ``pid`` amends."""
        return [t for t in self.related(pid, AMENDS) if self._known(t)]

    def current(self, pid: str, on: str | None = None) -> list[str]:
        """The policy or its successors in force on the day (today by default) with no successor
        in force that day: the current versions.

        A repeal or replacement not yet in force leaves the policy current. An
        amending instrument has no version of its own: its current version is
        that of what it amends.
        """
        on = on or Date.today().isoformat()
        bases, todo, seen = set(), [pid], {pid}
        while todo:  # follow amends to the instruments amended (an amendment cycle ends the walk)
            node = todo.pop()
            targets = [t for t in self.amended(node) if t not in seen]
            seen.update(targets)
            todo.extend(targets)
            if not self.amended(node):
                bases.add(node)
        line = self.replacement()
        found: set[str] = set()
        for base in bases:
            live = {n for n in {base, *nx.descendants(line, base)} if self._known(n) and self.in_force_on(n, on)}
            found.update(n for n in live if not any(s in live for s in line.successors(n)))
        return sorted(found)

    def clusters(self, pid: str) -> list[str]:
        return list(self.graph.nodes[pid]["clusters"])

    def relations(self, pid: str) -> dict[str, list[str]]:
        """The typed legal relationships of a policy, each direction, sorted ids (dangling ones included)."""
        out: dict[str, list[str]] = {}
        for relation in TYPED:
            out[relation] = self.related(pid, relation)
            out[INVERSE[relation]] = self.related(pid, relation, inverse=True)
        return out

    def describe(self, pid: str) -> dict[str, object]:
        """The JSON answer of `ccus-kg lineage`."""
        self.require(pid)
        return {"id": pid, "predecessors": self.predecessors(pid), "successors": self.successors(pid),
                "current": self.current(pid), "clusters": self.clusters(pid), "chain": self.chain(pid),
                "relations": self.relations(pid)}

    def neighbourhood(self, pid: str) -> list[str]:
        """What a picture of the policy shows, oldest first: its replacement line (and, for an
        amendment, its targets' lines), and every instrument directly related to one of those."""
        core = set(self.chain(pid))
        for target in self.amended(pid):
            core.update(self.chain(target))
        members = set(core)
        for node in core:
            members.update(self.graph.predecessors(node))
            members.update(self.graph.successors(node))
        return self._in_order(members)

    # --- point in time ------------------------------------------------------------------
    def _known(self, pid: str) -> bool:
        return not self.graph.nodes[pid]["dangling"]

    def _eligible(self, pid: str) -> bool:
        """A record whose status maps to a concept that may be in force, and no proposal."""
        node = self.graph.nodes[pid]
        return (bool(node["issued"]) and not node["dangling"] and node["mayBeInForce"]
                and node["weight"] != PROPOSAL)

    def _dates(self, pid: str, kinds: Iterable[str]) -> list[str]:
        kinds = frozenset(kinds)
        return [day(m.date) for m in self.graph.nodes[pid]["milestones"] if m.type in kinds and m.date]

    def awaiting(self, pid: str) -> bool:
        """Made but not in force until a dated commencement: status Adopted, or provisionally applied."""
        node = self.graph.nodes[pid]
        return node["adopted"] or any(m.type == PROVISIONAL for m in node["milestones"])

    def start(self, pid: str) -> str | None:
        """The first day in force: the earliest dated in-force / commenced milestone, else the issue
        date; None for an instrument awaiting commencement with no such milestone."""
        dates = self._dates(pid, STARTING)
        if dates:
            return min(dates)
        return None if self.awaiting(pid) else self.graph.nodes[pid]["issued"] or None

    def _begins(self, pid: str) -> str | None:
        return self.start(pid) if self._eligible(pid) else None

    def end(self, pid: str) -> str:
        """The day it stopped being in force (or applied): the earliest dated repealed / expired /
        lapsed milestone or the first day in force of an instrument that repeals or supersedes it."""
        ends = self._dates(pid, ENDING)
        enders = {v for _, v, r in self.graph.out_edges(pid, keys=True) if r in ENDERS}
        ends += [s for q in enders if (s := self._begins(q)) is not None]
        return min(ends, default=OPEN_END)

    def interval(self, pid: str) -> tuple[str, str] | None:
        """[first day, day it ended) in force, or None for an instrument never in force."""
        cache = self._memo.setdefault("intervals", {})
        if pid not in cache:
            first = self._begins(pid)
            cache[pid] = None if first is None else (first, self.end(pid))
        return cache[pid]

    def provisional_interval(self, pid: str) -> tuple[str, str] | None:
        """[first day, day it ended) provisionally applied: from the earliest dated
        provisionally-applied milestone (else, for the status Provisionally applied, the
        issue date) until it enters into force or ends."""
        node = self.graph.nodes[pid]
        dates = self._dates(pid, {PROVISIONAL}) or ([node["issued"]] if node["provisional"] else [])
        if not dates or not node["issued"] or node["dangling"] or node["weight"] == PROPOSAL:
            return None
        if not (node["mayBeInForce"] or node["provisional"]):
            return None
        stop = [self.end(pid), *filter(None, [self._begins(pid)])]
        return min(dates), min(stop)

    def in_force_on(self, pid: str, on: str) -> bool:
        """Started on or before the day and not yet ended."""
        span = self.interval(pid)
        return span is not None and span[0] <= on < span[1]

    def provisional_on(self, pid: str, on: str) -> bool:
        """Provisionally applied on the day (and so not in force)."""
        span = self.provisional_interval(pid)
        return span is not None and span[0] <= on < span[1]

    def _in(self, pid: str, jurisdiction: str | None) -> bool:
        node = self.graph.nodes[pid]
        return not jurisdiction or jurisdiction in (node["jurisdiction"], node["country"])

    def in_force(self, on: str, jurisdiction: str | None = None) -> list[str]:
        """Ids in force on a day, optionally in one jurisdiction (its subdivisions included).

        An instrument amending one with a record is no row of its own: it is part
        of its target (see amended_by_on).
        """
        return [pid for pid in self.policies
                if self._in(pid, jurisdiction) and not self.amended(pid) and self.in_force_on(pid, on)]

    def amended_by_on(self, pid: str, on: str) -> list[str]:
        """The instruments amending ``pid`` that are in force on the day, oldest first."""
        found = [a for a in self.related(pid, AMENDS, inverse=True) if self._known(a) and self.in_force_on(a, on)]
        return sorted(found, key=lambda a: (self.graph.nodes[a]["issued"], a))

    def provisionally_applied(self, on: str, jurisdiction: str | None = None) -> list[str]:
        """Ids provisionally applied on a day: shown as such, never counted as in force."""
        return [pid for pid in self.policies if self._in(pid, jurisdiction) and self.provisional_on(pid, on)]

    def in_force_rows(self, on: str, jurisdiction: str | None = None) -> dict[str, object]:
        """The JSON answer of `ccus-kg in-force`."""
        def row(pid: str) -> dict[str, object]:
            node = self.graph.nodes[pid]
            return {"id": pid, "title": node["title"], "jurisdiction": node["jurisdiction"],
                    "issued": node["issued"]}
        return {"date": on,
                "policies": [{**row(p), "amendedBy": self.amended_by_on(p, on)}
                             for p in self.in_force(on, jurisdiction)],
                "provisionallyApplied": [{**row(p), "amends": self.amended(p)}
                                         for p in self.provisionally_applied(on, jurisdiction)]}

    # --- the whole graph ----------------------------------------------------------------
    def families(self) -> list[list[str]]:
        """Weakly connected lineage components of two or more policies, largest first."""
        parts = [sorted(c) for c in nx.weakly_connected_components(self.graph) if len(c) > 1]
        return sorted(parts, key=lambda c: (-len(c), c[0]))

    def longest_chains(self, limit: int = 5) -> list[list[str]]:
        """The longest replacement paths, oldest first (cycles are left out: see cycles())."""
        dag = self.replacement_dag()
        best: dict[str, list[str]] = {}
        for node in nx.topological_sort(dag):
            preds = [best[p] for p in dag.predecessors(node)]
            longest = max(preds, key=lambda c: (len(c), [-ord(ch) for ch in c[0]]), default=[])
            best[node] = [*longest, node]
        ends = [c for n, c in best.items() if dag.out_degree(n) == 0 and len(c) > 1]
        return sorted(ends, key=lambda c: (-len(c), c))[:limit]

    def forks(self) -> dict[str, list[str]]:
        """Policies replaced by several successors."""
        line = self.replacement()
        return {n: sorted(line.successors(n)) for n in sorted(line) if line.out_degree(n) > 1}

    def merges(self) -> dict[str, list[str]]:
        """Policies that replace, repeal or consolidate several predecessors."""
        line = self.replacement()
        return {n: sorted(line.predecessors(n)) for n in sorted(line) if line.in_degree(n) > 1}

    def roots(self) -> list[str]:
        """The oldest member of each replacement line: policies with successors but no predecessor."""
        line = self.replacement()
        return sorted(n for n in line if line.in_degree(n) == 0 and line.out_degree(n) > 0)

    def dangling(self) -> list[tuple[str, str, str]]:
        """(stating policy, relation, missing id) for every link to an id with no record."""
        found = []
        for older, newer, relation in self.graph.edges(keys=True):
            if not self._known(older):
                found.append((newer, relation, older))
            elif not self._known(newer):
                found.append((older, INVERSE[relation], newer))
        return sorted(found)

    def cycles(self) -> list[list[str]]:
        """Cycles of links (of any relation), each rotated to start at its smallest id."""
        if "cycles" not in self._memo:
            self._memo["cycles"] = self._cycles()
        return [list(c) for c in self._memo["cycles"]]

    def _cycles(self) -> list[list[str]]:
        simple: nx.DiGraph[str] = nx.DiGraph(self.graph)
        found: list[list[str]] = []
        for component in nx.strongly_connected_components(simple):
            if len(component) > 1 or simple.has_edge(*(2 * [next(iter(component))])):
                found.extend(list(c) for c in nx.simple_cycles(simple.subgraph(component)))
        rotated = [c[c.index(min(c)):] + c[:c.index(min(c))] for c in found]
        return sorted(rotated)

    def depth_by_jurisdiction(self) -> dict[str, int]:
        """The longest replacement chain (in policies) within each country's lineage."""
        dag = self.replacement_dag()
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
        g = self.centrality_graph()
        if g.number_of_edges() == 0:
            return []
        rank = pagerank(g)
        policies = [(n, round(r, 6)) for n, r in rank.items() if isinstance(n, str) and self._known(n)]
        return sorted(policies, key=lambda kv: (-kv[1], kv[0]))[:limit]

    def centrality_graph(self) -> nx.Graph:
        """Policies joined to their clusters and to the policies they replace, edges walked both ways."""
        g: nx.Graph[str | tuple[str, str]] = nx.Graph()  # policies and ("cluster", name)
        for pid in self.policies:
            g.add_node(pid)
            for name in self.graph.nodes[pid]["clusters"]:
                g.add_edge(pid, ("cluster", name))
        for older, newer in self.graph.edges():
            g.add_edge(older, newer)
        return g

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
        """Instruments in force on 31 December of each year, per country (counted as in_force() does:
        an amendment is part of what it amends)."""
        spans = [(self.graph.nodes[p]["country"], span) for p in self.policies
                 if self.graph.nodes[p]["country"] and not self.amended(p) and (span := self.interval(p)) is not None]
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

    def replacement_dag(self) -> nx.DiGraph:
        """The acyclic graph's replacement edges only (computed once)."""
        if "replacement_dag" not in self._memo:
            dag = self.acyclic()
            line = self.replacement()
            keep: nx.DiGraph[str] = nx.DiGraph()
            keep.add_nodes_from(dag)
            keep.add_edges_from((u, v) for u, v in dag.edges() if line.has_edge(u, v))
            self._memo["replacement_dag"] = keep
        return self._memo["replacement_dag"]

    def acyclic(self) -> nx.DiGraph:
        """The graph with each cycle's closing edges removed, so path lengths are defined (computed once)."""
        if "acyclic" not in self._memo:
            self._memo["acyclic"] = self._acyclic()
        return self._memo["acyclic"]

    def _acyclic(self) -> nx.DiGraph:
        dag: nx.DiGraph[str] = nx.DiGraph(self.graph)
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
        g: nx.DiGraph[str] = nx.DiGraph()
        for pid in sorted(self.graph):
            d = self.graph.nodes[pid]
            g.add_node(pid, label=d["title"] or pid, jurisdiction=d["jurisdiction"], country=d["country"],
                       issued=d["issued"], status=d["status"], clusters="; ".join(d["clusters"]),
                       dangling=d["dangling"])
        for older, newer in sorted(set(self.graph.edges())):
            g.add_edge(older, newer, relation="; ".join(sorted(self.graph[older][newer])))
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


__all__ = ["AMENDS", "CONSOLIDATED", "ENDERS", "ENDING", "IMPLEMENTS", "INVERSE", "OPEN_END", "RELATIONS", "REPEALS",
           "REPLACING", "SUPERSEDES", "TRANSPOSES", "TYPED", "Lineage", "Milestone", "dates_of", "day"]
