"""The ontology IRI and the default base IRI as plain text, for code that must not import rdflib.

``kg.namespaces`` builds every namespace on these two and re-exports them;
this module exists so the readers' fast path (``lineage`` on the built
store, ``--help``) can know the default ``--base`` without paying for
rdflib's import (a tenth of a second, more than the answer itself).
"""

from __future__ import annotations

ONTOLOGY_IRI = "https://w3id.org/ccus-kg/ontology"
DEFAULT_BASE = "https://w3id.org/ccus-kg/id/"

__all__ = ["DEFAULT_BASE", "ONTOLOGY_IRI"]
