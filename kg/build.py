"""The build: one pipeline of policy units, with or without the on-disk cache; and ``load`` for readers.

Outputs are rendered in memory first and only then renamed into place one
by one, so a build that fails (bad records, a full disk) leaves the files
of the previous build intact.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from kg.errors import DataError, Finding, KgError, severity_counts
from kg.export import SUFFIX, write_atomic
from kg.incremental import CACHE_FILE, Built, CacheCorrupt, IncrementalBuild, healed_notice, summary
from kg.iris import Minter
from kg.mapping import Mapped, Triple
from kg.namespaces import DEFAULT_BASE
from kg.outputs import OutputSet, locked
from kg.readers import StoreChanges, write_store
from kg.records import Corpus
from kg.resources import ontology_file
from kg.sparql import GraphSource, to_graph
from kg.validation import Report, validate, validate_fast
from kg.vocab import vocabularies

BUILD_FORMATS = ("ttl", "nt", "jsonld")
ONTOLOGY_FILES = ("ccus.ttl", "vocabularies.ttl", "shapes.ttl", "context.jsonld")
STEM = "ccus-kg"

Progress = Callable[[int, int], None]


@dataclass
class KnowledgeGraph:
    """A loaded and mapped corpus: the records, the triples, the findings."""

    corpus: Corpus
    mapped: Mapped
    base: str = DEFAULT_BASE
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)

    @property
    def triples(self) -> list[Triple]:
        return self.mapped.triples

    @property
    def minter(self) -> Minter:
        return Minter(self.base)

    def graph(self, with_vocabularies: bool = True) -> Graph:
        """The graph to query: the data plus (by default) the SKOS schemes."""
        graph = to_graph(self.triples, self.base)
        if with_vocabularies:
            for triple in vocabularies().graph:
                graph.add(triple)
        return graph

    def validate(self, engine: str = "sparql") -> Report:
        """Validate what the records state against shapes.ttl; loading problems join the report.

        ``sparql`` runs the shapes compiled to SPARQL on Oxigraph (fast);
        ``pyshacl`` runs pySHACL, the reference engine. Both give the same
        findings (tests/test_validation.py checks it on every fixture).
        """
        if engine not in ("sparql", "pyshacl"):
            raise KgError(f"unknown validation engine '{engine}': use sparql or pyshacl")
        loaded = self.corpus.findings  # what reading and mapping found: a second call adds nothing twice
        if engine == "pyshacl":
            report = validate(self.corpus, self.mapped, self.minter, loaded)
        else:
            report = validate_fast(self.corpus, self.mapped, self.minter, loaded)
        self.findings = report.findings
        return report

    def source(self) -> GraphSource:
        """The default SparqlSource: rdflib in memory."""
        return GraphSource(self.graph())

    def counts(self) -> dict[str, int]:
        """Severity -> number of findings, every severity present."""
        return severity_counts(self.findings)

    def summary(self) -> dict[str, object]:
        """The one-line summary as data (records, triples, findings, seconds)."""
        return summary(self.findings, records=len(self.corpus.records), files=self.corpus.files,
                       policies=len(self.corpus.policies()),
                       languages=sorted({r.lang for r in self.corpus.records}),
                       triples=len(set(self.triples)), seconds=self.seconds)


def load(seeds: Path, base: str = DEFAULT_BASE, progress: Progress | None = None
         ) -> KnowledgeGraph:
    """Read and map a corpus through the build's own pipeline, kept in memory; every problem becomes a
    finding, none is raised.

    The same unit pipeline as ``build`` on a private store, collecting the
    graph instead of rendering it: the triples are those the dumps hold. The
    SHACL checks are left to :meth:`KnowledgeGraph.validate`, which keeps
    their results (a SHACL report needs them) and can run pySHACL instead.
    """
    started = time.perf_counter()
    run = IncrementalBuild(Path(seeds), None, base, persist=False, collect=True)
    try:
        built = run.run(progress)
    finally:
        run.rollback()
    collected = run.collected
    assert collected is not None  # a collecting run
    landscape = collected.landscape
    stated = [t for pid in sorted(collected.policies) for t in collected.policies[pid].stated]
    if landscape is not None:
        stated += landscape.stated
    seen = set(stated)
    derived = [t for subject in sorted(collected.subjects) for t in dict.fromkeys(collected.subjects[subject])
               if t not in seen]
    records = [r for pid in sorted(collected.policies) for r in collected.policies[pid].records]  # by (id, language)
    corpus = Corpus(root=run.root, records=records, findings=built.findings, files=built.files,
                    facilities=landscape.facilities if landscape else [],
                    countries=landscape.countries if landscape else [])
    return KnowledgeGraph(corpus, Mapped(stated, derived), base, time.perf_counter() - started,
                          list(built.findings))


def build(seeds: Path, out: Path, base: str = DEFAULT_BASE, allow_invalid: bool = False,
          progress: Progress | None = None, cache: bool = True) -> Built:
    """Read, map, validate and write the dumps plus the ontology into ``out``: one path for every build.

    Each policy (all its language records) is a unit kept in a store: its
    stated triples, findings and rendered blocks. With ``cache`` (the
    default) the store is ``out/.cache`` and only changed policies are
    mapped and validated again; without it the store is in memory and
    starts empty, so the same code does a cold build (the dumps are
    byte-identical either way). Raises DataError (exit 1) without writing
    anything when the corpus has violations (loading problems or SHACL
    violations), unless ``allow_invalid``.
    """
    return _build(seeds, out, base, allow_invalid, progress, cache)


def _build(seeds: Path, out: Path, base: str, allow_invalid: bool, progress: Progress | None,
           cache: bool) -> Built:
    started = time.perf_counter()
    names = {fmt: f"{STEM}{SUFFIX[fmt]}" for fmt in BUILD_FORMATS}
    with locked(Path(out)):
        outputs = OutputSet(Path(out), [*names.values(), *ONTOLOGY_FILES])
        outputs.clean()  # what a killed build left behind
        try:
            built = _run(seeds, out, base, allow_invalid, progress, outputs, names, cache)
        except (CacheCorrupt, sqlite3.DatabaseError) as exc:
            if not cache:
                raise
            if isinstance(exc, sqlite3.DatabaseError) and type(exc) is not sqlite3.DatabaseError:
                # locked, read-only, disk full: the cache is fine, the machine is not
                raise KgError(f"{Path(out) / CACHE_FILE}: {exc}") from None
            damaged = Path(out) / CACHE_FILE
            for stale in (damaged, damaged.with_name(damaged.name + "-wal"),
                          damaged.with_name(damaged.name + "-shm")):
                stale.unlink(missing_ok=True)
            built = _run(seeds, out, base, allow_invalid, progress, outputs, names, cache)
            built.findings.append(healed_notice(damaged, str(exc)))
    built.seconds = time.perf_counter() - started
    return built


def _run(seeds: Path, out: Path, base: str, allow_invalid: bool, progress: Progress | None,
         outputs: OutputSet, names: dict[str, str], cache: bool) -> Built:
    run = IncrementalBuild(seeds, out, base, persist=cache)
    try:
        built = run.run(progress)
        published = {fmt: outputs.published(name) for fmt, name in names.items()}
        paths = [*published.values(), *(outputs.published(name) for name in ONTOLOGY_FILES)]
        _refuse(built.counts(), built.findings, seeds, allow_invalid)  # the except below rolls the cache back
        if not run.unchanged(paths):
            outputs.stage()
            run.write(published, into={fmt: outputs.path(name) for fmt, name in names.items()})
            built.spliced = run.spliced
            _write_ontology(outputs)
            lines = run.spliced_lines()
            write_store(outputs, seeds, base, built.counts(), StoreChanges(*lines) if lines else None)
            outputs.publish()
            run.written(paths)
        run.commit()
    except BaseException:
        outputs.discard()
        run.rollback()
        raise
    return built


def _refuse(counts: dict[str, int], findings: list[Finding], seeds: Path, allow_invalid: bool) -> None:
    if counts["violation"] and not allow_invalid:
        raise DataError(f"{counts['violation']} violation(s) in {seeds}: nothing written", findings)


def _write_ontology(outputs: OutputSet) -> None:
    """The ontology files beside the dumps, in the same output set."""
    for name in ONTOLOGY_FILES:
        write_atomic(outputs.path(name), ontology_file(name).read_text(encoding="utf-8"))


__all__ = ["BUILD_FORMATS", "Built", "KnowledgeGraph", "build", "load"]
