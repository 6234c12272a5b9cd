"""The type checker runs in the test command, and the library leaves the process as it found it."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .conftest import ROOT, SEEDS


def test_mypy_finds_no_error_in_kg() -> None:
    # The configuration is [tool.mypy] in pyproject.toml; the cache lives outside the checkout, one per checkout.
    key = hashlib.sha256(f"{ROOT}:{getattr(os, 'getuid', lambda: 0)()}".encode()).hexdigest()[:12]
    cache = Path(tempfile.gettempdir()) / f"ccus-kg-mypy-{key}"
    result = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(cache)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success: no issues found"), result.stdout


# Run in a fresh interpreter: the test process has imported kg long before. The probe records every
# os.umask call, snapshots rdflib's classes (the SPARQL processor, Graph, the vocabularies kg uses) and
# the warning filters, then imports kg, queries through it, writes a dump and validates (pySHACL, whose
# SPARQL kg prepares once per text), and compares. Before this was checked, kg flipped the umask at
# import, stored its terms on rdflib's vocabulary classes, patched SPARQLProcessor.query while
# validating and added a warning filter for good.
_PROBE = r"""
import os, sys, warnings
from pathlib import Path

calls = []
real_umask = os.umask
def recording_umask(mask):
    calls.append(mask)
    return real_umask(mask)
os.umask = recording_umask
real_umask(0o027)

import rdflib
import rdflib.graph
import rdflib.namespace
import rdflib.plugins.sparql.processor

def classes():
    found = [rdflib.graph.Graph, rdflib.graph.ConjunctiveGraph, rdflib.graph.Dataset,
             rdflib.plugins.sparql.processor.SPARQLProcessor, rdflib.plugins.sparql.processor.SPARQLResult]
    found += [value for value in vars(rdflib.namespace).values()
              if isinstance(value, type) and issubclass(value, rdflib.namespace.DefinedNamespace)]
    return found

def snapshot():
    return {cls: dict(vars(cls)) for cls in classes()}

before, filters = snapshot(), list(warnings.filters)

# A class patched only while a call runs is put back before the snapshot is compared: so every evaluation
# also records whether rdflib's SPARQL processor is rdflib's own at that moment.
processor = rdflib.plugins.sparql.processor
own_query, real_eval, seen = processor.SPARQLProcessor.query, processor.evalQuery, set()
def watching_eval(*args, **kwargs):
    seen.add(processor.SPARQLProcessor.query is own_query)
    return real_eval(*args, **kwargs)
processor.evalQuery = watching_eval

from kg.build import load
from kg.export import dump
from kg.queries import run
from kg.validation import validate

graph = load(Path(sys.argv[1]))
rows = run(graph.source(), "lineage-edges").rows
assert rows, "the lineage query answered nothing"
dump(graph.triples, "nt", Path(sys.argv[2]) / "out.nt")
mode = os.stat(Path(sys.argv[2]) / "out.nt").st_mode & 0o777
validate(graph.corpus, graph.mapped)

after = snapshot()
changed = sorted(f"{cls.__module__}.{cls.__qualname__}.{name}" for cls in before
                 for name in set(before[cls]) | set(after[cls]) if before[cls].get(name) is not after[cls].get(name))
print("umask calls:", calls)
print("umask now:", oct(real_umask(0o027)))
print("rdflib attributes changed:", changed)
print("SPARQL processor rdflib's own during every query:", seen)
print("warning filters unchanged:", warnings.filters == filters)
print("dump mode:", oct(mode))
"""


def test_importing_kg_and_running_it_leaves_umask_rdflib_and_warnings_as_they_were(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ("us-45q-eiea-2008.md", "us-45q-arrta-2009.md", "us-45q-bba-2018.md"):
        (seeds / name).write_bytes((SEEDS / name).read_bytes())
    result = subprocess.run([sys.executable, "-c", _PROBE, str(seeds), str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "umask calls: []",
        "umask now: 0o27",
        "rdflib attributes changed: []",
        "SPARQL processor rdflib's own during every query: {True}",
        "warning filters unchanged: True",
        "dump mode: 0o640",  # 0o666 less the umask, as a plain open() gives
    ]
