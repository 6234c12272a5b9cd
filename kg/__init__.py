"""ccus-kg: CCUS policy records -> RDF knowledge graph (library API).

The command line is a thin layer over these functions.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ccus-kg")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+unknown"

from kg.build import KnowledgeGraph, build, load
from kg.errors import DataError, Finding, KgError, RecordError, Severity
from kg.export import FORMATS, serialize
from kg.iris import Minter
from kg.mapping import map_corpus, records_from_triples
from kg.records import Corpus, Record, load_corpus

__all__ = [
    "FORMATS",
    "Corpus",
    "DataError",
    "Finding",
    "KgError",
    "KnowledgeGraph",
    "Minter",
    "Record",
    "RecordError",
    "Severity",
    "__version__",
    "build",
    "load",
    "load_corpus",
    "map_corpus",
    "records_from_triples",
    "serialize",
]
