"""The store a build leaves for readers, and the manifest that says which corpus it holds.

``build`` calls :func:`write_store` just before it publishes: the staged set
gets ``store/`` (an Oxigraph store loaded from the staged ``ccus-kg.nt`` plus
the SKOS schemes) and ``manifest.json`` (every record file's path, size,
mtime and content hash, the base IRI). Both are published with the dumps in
one rename, so a refused or failed build leaves the previous store in place.

Readers (``query``, ``lineage``, ``in-force``, ``analyze``) ask
:func:`check` whether that store is current for the corpus: a stat of every
record file, and a hash only of the files whose size or mtime changed since.
Nothing is read, parsed or mapped when nothing changed, which is what makes
a ``lineage`` call cheap. This module imports neither rdflib nor the
mapping at import time: the readers' fast path must not pay for them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.outputs import CURRENT, SETS

STORE = "store"  # the Oxigraph store folder inside a set
MANIFEST = "manifest.json"  # what the store was built from
DATA = "ccus-kg.nt"  # the dump the store is loaded from
FORMAT = 1  # bumped when the manifest or the store layout changes


def code_stamp() -> str:
    """Which code and ontology wrote a store: name, size and mtime of each file (stats only, no reads).

    Cheaper than the package version (importlib.metadata alone costs a tenth
    of a second) and stricter: an edited checkout counts as new code too.
    """
    from kg.resources import data_dir

    digest = hashlib.blake2b(digest_size=16)
    code = Path(__file__).resolve().parent
    for folder in (code, code / "cli", data_dir("ontology")):
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.is_file() and not entry.name.endswith(".pyc"):
                st = entry.stat()
                digest.update(f"{entry.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Status:
    """Whether a store is current for a corpus, and if not, why (for --verbose)."""

    current: bool
    reason: str
    changed: tuple[str, ...] = ()


def record_files(seeds: Path) -> list[str]:
    """The record files a build reads (kg.records.scan decides which), as paths below ``seeds``."""
    from kg.records import scan

    root = os.fspath(seeds)
    cut = len(root.rstrip(os.sep)) + 1
    return [name[cut:].replace(os.sep, "/") for name in scan(Path(root))[0]]


def file_entry(path: str) -> dict[str, Any]:
    """Size, mtime (ns) and SHA-256 of one file; an unreadable file gets empty values, compared like any other."""
    try:
        st = os.stat(path)
        with open(path, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return {"size": -1, "mtime_ns": -1, "sha256": ""}
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": digest}


def manifest(seeds: Path, base: str, violations: int) -> dict[str, Any]:
    """The manifest of the corpus under ``seeds`` as it is now."""
    root = Path(seeds).resolve()
    files = {rel: file_entry(os.path.join(root, rel)) for rel in record_files(root)}
    return {"format": FORMAT, "code": code_stamp(), "base": base, "seeds": str(root),
            "violations": violations, "files": files}


def write_store(outputs: Any, seeds: Path, base: str, counts: dict[str, int]) -> None:
    """Load the staged N-Triples dump plus the SKOS schemes into ``store/`` and write ``manifest.json``.

    ``outputs`` is the build's staged :class:`kg.outputs.OutputSet`; ``counts``
    its findings per severity (the manifest keeps the violations so a reader
    can say it answers from a build that had some).
    """
    from kg.export import write_atomic

    load_store(outputs.path(DATA), outputs.path(STORE))
    text = json.dumps(manifest(seeds, base, counts.get("violation", 0)), indent=1, sort_keys=True)
    write_atomic(outputs.path(MANIFEST), text + "\n")


def load_store(data: Path, folder: Path) -> None:
    """A new Oxigraph store at ``folder``: the N-Triples dump ``data`` plus the SKOS schemes."""
    import pyoxigraph as ox

    from kg.export import ntriples
    from kg.vocab import vocabularies

    schemes = ntriples(vocabularies().graph).encode("utf-8")
    store = ox.Store(str(folder))
    store.bulk_load(Path(data).read_bytes() + schemes, ox.RdfFormat.N_TRIPLES)
    store.flush()
    del store  # closes RocksDB before the folder is renamed or opened elsewhere


def complete(folder: Path, seeds: Path, base: str, violations: int) -> None:
    """Give a published set whose dumps a build found unchanged the store and manifest it lacks.

    A build that finds every output byte-identical publishes nothing: a set
    written before builds left a store has none, and an edit that states no
    new triple (a blank line) leaves the manifest naming old hashes, so every
    reader would rebuild again. The store is loaded from the set's own dump
    (beside, then renamed in), and the manifest re-stamped. The caller holds
    the output folder's lock.
    """
    import shutil

    folder = Path(folder)
    if not (folder / STORE).is_dir():
        partial = folder / (STORE + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        load_store(folder / DATA, partial)
        os.replace(partial, folder / STORE)
    refresh_manifest(folder, seeds, base, violations)


def current_set(out: Path) -> Path | None:
    """The published version folder of ``out`` (resolved once, so manifest and store come from one set)."""
    link = Path(out) / SETS / CURRENT
    try:
        return link.parent / os.readlink(link)
    except OSError:
        return None


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest in ``folder``; None when missing or unreadable (then the store is not trusted)."""
    try:
        data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def check(found: dict[str, Any] | None, seeds: Path, base: str) -> Status:
    """Is a store with manifest ``found`` current for ``seeds`` and ``base``? Stat first, hash on a difference."""
    if found is None:
        return Status(False, "no build yet")
    root = Path(seeds).resolve()
    if found.get("seeds") != str(root):
        return Status(False, f"built from {found.get('seeds')}, not {root}")
    if found.get("base") != base:
        return Status(False, f"built with base {found.get('base')}, not {base}")
    if found.get("code") != code_stamp():
        return Status(False, "built by another version of ccus-kg")
    known: dict[str, dict[str, Any]] = found.get("files", {})
    try:
        now = record_files(root)
    except Exception as exc:  # the build that follows names the problem
        return Status(False, f"the corpus cannot be listed: {exc}")
    changed = sorted(set(now) ^ set(known))
    for rel in now:
        entry = known.get(rel)
        if entry is None:
            continue
        path = os.path.join(root, rel)
        try:
            st = os.stat(path)
            if st.st_size == entry["size"] and st.st_mtime_ns == entry["mtime_ns"]:
                continue
        except OSError:
            pass
        if file_entry(path)["sha256"] != entry["sha256"]:
            changed.append(rel)
    if changed:
        shown = ", ".join(sorted(changed)[:3]) + (" …" if len(changed) > 3 else "")
        return Status(False, f"{len(changed)} record file(s) changed since the build ({shown})", tuple(changed))
    return Status(True, f"current for {len(now)} record files")


def refresh_manifest(folder: Path, seeds: Path, base: str, violations: int) -> None:
    """Rewrite the manifest of a published set whose dumps a build found unchanged.

    A build that finds every output byte-identical publishes nothing, so an
    edit that changes no triple (a comment, spacing) would leave the manifest
    naming old hashes and every reader would rebuild again. The caller holds
    the output folder's lock and has checked the dumps match the corpus.
    """
    from kg.export import write_atomic

    text = json.dumps(manifest(seeds, base, violations), indent=1, sort_keys=True)
    with contextlib.suppress(FileNotFoundError):
        write_atomic(Path(folder) / MANIFEST, text + "\n")


__all__ = ["MANIFEST", "STORE", "Status", "check", "complete", "current_set", "load_store", "manifest",
           "read_manifest", "refresh_manifest", "write_store"]
