"""ccus-kg: CCUS policy records -> RDF knowledge graph (library API).

The command line is a thin layer over these functions.
"""

from __future__ import annotations

import sys
import types


def _version() -> str:
    # importlib.metadata costs a tenth of a second to import: only `--version` and `kg.__version__` pay it.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ccus-kg")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0.0.0+unknown"

# The library API is imported on first use (PEP 562), so `import kg` (and `ccus-kg --help`)
# costs no rdflib, pyoxigraph or networkx.
_EXPORTS = {
    "KnowledgeGraph": "kg.build", "build": "kg.build", "load": "kg.build",
    "DataError": "kg.errors", "Finding": "kg.errors", "KgError": "kg.errors", "RecordError": "kg.errors",
    "Severity": "kg.errors", "FORMATS": "kg.export", "serialize": "kg.export", "Minter": "kg.iris",
    "records_from_triples": "kg.mapping", "Corpus": "kg.records",
    "Record": "kg.records", "load_corpus": "kg.records",
}


def __getattr__(name: str) -> object:
    if name == "__version__":
        globals()[name] = _version()
        return globals()[name]
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute '{name}'")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """Keeps ``kg.build`` the function: importing the submodule kg.build would set the module there."""

    def __setattr__(self, name: str, value: object) -> None:
        if name == "build" and isinstance(value, types.ModuleType):
            value = value.build  # type: ignore[attr-defined]
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


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
    "records_from_triples",
    "serialize",
]
