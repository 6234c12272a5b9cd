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
FORMAT = 2  # bumped when the manifest or the store layout changes
MARGIN_NS = 50_000_000  # file times lag time.time_ns() by up to a clock tick: a start taken from it moves back


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
    """Every file a build reads below ``seeds`` (policies, and a content root's facilities and profiles).

    The listing is kg.records' own (``scan`` for policies, ``record_paths``
    for the other two folders, as the build calls them), as paths below
    ``seeds`` with ``/``.
    """
    from kg.records import content_root, record_paths, scan

    root = os.fspath(seeds)
    cut = len(root.rstrip(os.sep)) + 1
    content = content_root(Path(root))
    names = scan(content.policies, require=False)[0]
    for folder in (content.facilities, content.countries):
        if folder is not None:
            names += record_paths(folder)
    return sorted(name[cut:].replace(os.sep, "/") for name in names)


def folders(seeds: Path) -> dict[str, str]:
    """Every folder below ``seeds`` (links followed, each reached once), by path, with its stamp.

    A file added, removed or renamed changes its folder's mtime, so while
    every stamp is as recorded the listing is too, and a reader need not
    import kg.records to list the corpus again. More folders than the build
    reads are recorded (a safe superset: a change there costs a listing,
    never a wrong answer).
    """
    root = os.fspath(seeds)
    cut = len(root.rstrip(os.sep)) + 1
    found: dict[str, str] = {}
    seen: set[tuple[int, int]] = set()
    for folder, dirs, _ in os.walk(root, followlinks=True):
        st = os.stat(folder)
        if (st.st_dev, st.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        found[folder[cut:].replace(os.sep, "/") if folder != root else "."] = _stamp(st)
    return found


def _stamp(st: os.stat_result) -> str:
    # ctime and the inode change with every write, rename or replacement, and no tool can set ctime back
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def file_entry(path: str, since_ns: int | None = None) -> dict[str, Any]:
    """Stamp and SHA-256 of one file; an unreadable file gets empty values, compared like any other.

    With ``since_ns`` (when the build began), a file changed since then gets
    no stamp and no hash: the build may have read it before the change, so
    the entry must not say the build saw what is there now. A reader then
    finds it changed and rebuilds.
    """
    try:
        with open(path, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        st = os.stat(path)  # after the read: a change during it shows in ctime
    except OSError:
        return {"stamp": "", "sha256": ""}
    if since_ns is not None and st.st_ctime_ns >= since_ns:
        return {"stamp": None, "sha256": None}
    return {"stamp": _stamp(st), "sha256": digest}


def manifest(seeds: Path, base: str, violations: int, since_ns: int | None = None) -> dict[str, Any]:
    """The manifest of the corpus under ``seeds``; files changed since ``since_ns`` are left untrusted."""
    from kg.namespaces import prefixes

    root = Path(seeds).resolve()
    tree = folders(root)  # before the files: a file added meanwhile changes a folder stamp recorded earlier
    files = {rel: file_entry(os.path.join(root, rel), since_ns) for rel in record_files(root)}
    return {"format": FORMAT, "code": code_stamp(), "base": base, "seeds": str(root),
            "violations": violations, "prefixes": prefixes(base), "folders": tree, "files": files}


def started_ns(outputs: Any) -> int:
    """When the build holding ``outputs``' folder began: the time its lock file was written (the file clock)."""
    from kg.outputs import LOCK

    try:
        return os.stat(Path(outputs.out) / LOCK).st_mtime_ns
    except OSError:
        return 0  # no lock file: trust nothing of what the build may have read


def write_store(outputs: Any, seeds: Path, base: str, counts: dict[str, int],
                changes: StoreChanges | None = None) -> None:
    """Load the staged N-Triples dump plus the SKOS schemes into ``store/`` and write ``manifest.json``.

    ``outputs`` is the build's staged :class:`kg.outputs.OutputSet`; ``counts``
    its findings per severity (the manifest keeps the violations so a reader
    can say it answers from a build that had some). ``changes``, when the
    build spliced the N-Triples dump of the published set, says which subjects
    it replaced: the published store is then copied (hard links) and only
    those subjects are replaced in the copy, instead of loading every triple.
    """
    from kg.export import write_atomic

    previous = current_set(outputs.out)
    if changes is None or previous is None or not (previous / STORE).is_dir() \
            or not update_store(previous / STORE, outputs.path(STORE), changes):
        load_store(outputs.path(DATA), outputs.path(STORE))
    found = manifest(seeds, base, counts.get("violation", 0), since_ns=started_ns(outputs))
    write_atomic(outputs.path(MANIFEST), json.dumps(found, indent=1, sort_keys=True) + "\n")


LOAD_SLICE = 32 << 20  # bytes of the dump bulk-loaded at a time
UPDATE_LIMIT = 20_000  # subjects replaced in a copy of the published store; more, and the store is loaded anew


@dataclass(frozen=True)
class StoreChanges:
    """What a spliced build changed in the N-Triples dump: every line of ``subjects`` was replaced by ``nt``
    (their lines now; a subject that renders to nothing has none)."""

    subjects: list[str]
    nt: bytes


def _schemes() -> bytes:
    """The SKOS schemes a readers' store holds beside the data, as N-Triples."""
    from kg.export import ntriples
    from kg.vocab import vocabularies

    return ntriples(vocabularies().graph).encode("utf-8")


def update_store(published: Path, folder: Path, changes: StoreChanges) -> bool:
    """A new store at ``folder``: a copy of the ``published`` one (hard links to its immutable files) with
    ``changes`` applied. False, leaving nothing at ``folder``, when the change is too large to be cheaper
    than loading the dump or the published store cannot be read; the caller then loads the dump."""
    import shutil

    import pyoxigraph as ox

    if len(changes.subjects) > UPDATE_LIMIT:
        return False
    try:
        source = ox.Store.read_only(str(published))
        source.backup(str(folder))
        del source
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return False
    store = ox.Store(str(folder))
    gone = [quad for subject in changes.subjects
            for quad in store.quads_for_pattern(ox.NamedNode(subject), None, None, ox.DefaultGraph())]
    for quad in gone:
        store.remove(quad)
    if changes.nt:
        store.load(changes.nt, ox.RdfFormat.N_TRIPLES)
    # a subject of the data that the SKOS schemes also describe keeps the schemes' triples
    store.load(_schemes(), ox.RdfFormat.N_TRIPLES)
    store.flush()
    del store  # closes RocksDB before the folder is renamed or opened elsewhere
    return True


def load_store(data: Path, folder: Path) -> None:
    """A new Oxigraph store at ``folder``: the N-Triples dump ``data`` plus the SKOS schemes."""
    import pyoxigraph as ox

    store = ox.Store(str(folder))
    # A slice of whole lines at a time: Oxigraph's bulk loader holds a batch of up to a million triples
    # in memory (587 MB for the 639k triples of a 10k-record dump loaded at once, 245 MB in slices).
    with open(data, "rb") as handle:
        rest = b""
        while block := handle.read(LOAD_SLICE):
            block = rest + block
            cut = block.rfind(b"\n") + 1  # N-Triples escapes line breaks in literals: a raw one ends a line
            rest = block[cut:]
            store.bulk_load(block[:cut], ox.RdfFormat.N_TRIPLES)
        if rest:  # a last line without its line break
            store.bulk_load(rest, ox.RdfFormat.N_TRIPLES)
    store.bulk_load(_schemes(), ox.RdfFormat.N_TRIPLES)
    store.flush()
    del store  # closes RocksDB before the folder is renamed or opened elsewhere


def complete(folder: Path, seeds: Path, base: str, violations: int, since_ns: int) -> None:
    """Give a published set whose dumps a build found unchanged the store and manifest it lacks.

    A build that finds every output byte-identical publishes nothing: a set
    written before builds left a store has none, and an edit that states no
    new triple (a blank line) leaves the manifest naming old hashes, so every
    reader would rebuild again. The store is loaded from the set's own dump
    (beside, then renamed in), and the manifest re-stamped. The caller holds
    the output folder's lock; ``since_ns`` is when the build that checked the
    dumps began (a file changed since is left untrusted, see :func:`file_entry`).
    """
    import shutil

    folder = Path(folder)
    if not (folder / STORE).is_dir():
        partial = folder / (STORE + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        load_store(folder / DATA, partial)
        os.replace(partial, folder / STORE)
    refresh_manifest(folder, seeds, base, violations, since_ns)


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
    """Is a store with manifest ``found`` current for ``seeds`` and ``base``?

    A stat of every recorded folder and file; a file is hashed only when its
    stat differs, and the corpus listed again (kg.records) only when a
    folder's does. Nothing is imported beyond the standard library when
    nothing changed.
    """
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
    text = os.fspath(root)
    if _same_folders(found.get("folders", {}), text):
        now = list(known)
    else:
        try:
            now = record_files(root)
        except Exception as exc:  # the build that follows names the problem
            return Status(False, f"the corpus cannot be listed: {exc}")
    changed = sorted(set(now) ^ set(known))
    for rel in now:
        entry = known.get(rel)
        if entry is None:
            continue
        path = os.path.join(text, rel)
        try:
            if entry["stamp"] and _stamp(os.stat(path)) == entry["stamp"]:
                continue
        except OSError:
            pass
        if entry["sha256"] is None or file_entry(path)["sha256"] != entry["sha256"]:
            changed.append(rel)
    if changed:
        shown = ", ".join(sorted(changed)[:3]) + (" …" if len(changed) > 3 else "")
        return Status(False, f"{len(changed)} record file(s) changed since the build ({shown})", tuple(changed))
    return Status(True, f"current for {len(now)} record files")


def _same_folders(recorded: dict[str, str], root: str) -> bool:
    """True when every recorded folder has its recorded stamp (then no file came or went)."""
    if not recorded:
        return False
    for rel, stamp in recorded.items():
        try:
            if _stamp(os.stat(root if rel == "." else os.path.join(root, rel))) != stamp:
                return False
        except OSError:
            return False
    return True


def refresh_manifest(folder: Path, seeds: Path, base: str, violations: int, since_ns: int) -> None:
    """Rewrite the manifest of a published set whose dumps a build found unchanged.

    A build that finds every output byte-identical publishes nothing, so an
    edit that changes no triple (a comment, spacing) would leave the manifest
    naming old hashes and every reader would rebuild again. The caller holds
    the output folder's lock and has checked the dumps match the corpus.
    """
    from kg.export import write_atomic

    text = json.dumps(manifest(seeds, base, violations, since_ns), indent=1, sort_keys=True)
    with contextlib.suppress(FileNotFoundError):
        write_atomic(Path(folder) / MANIFEST, text + "\n")


__all__ = ["MANIFEST", "STORE", "Status", "check", "complete", "current_set", "file_entry", "folders", "load_store",
           "manifest", "read_manifest", "record_files", "refresh_manifest", "started_ns", "write_store"]
