"""Find the shipped ontology and query files, installed or in a checkout.

A wheel carries them as package data under ``kg/_data``; an editable
install or a plain checkout reads them from the repository root.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_dir(name: str) -> Path:
    """The folder ``ontology`` or ``queries``, wherever this install keeps it."""
    packaged = Path(str(resources.files("kg"))) / "_data" / name
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"ccus-kg data folder '{name}' is missing from this install")


def ontology_file(name: str) -> Path:
    """A file of the shipped ontology folder (``ccus.ttl``, ``shapes.ttl``, …)."""
    return data_dir("ontology") / name


__all__ = ["data_dir", "ontology_file"]
