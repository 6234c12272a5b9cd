"""The build pipeline, whose unit is the policy: re-map and re-validate only the policies whose records changed.

Every build runs here: ``build`` with the cache keeps the store as one
SQLite file under the output folder; ``--no-cache`` runs the same code on
an empty store private to the build, so a cold build is the same path as a
warm one (``kg.load`` runs it too, on a private store, collecting the graph
instead of rendering it and leaving the SHACL checks to its caller). Memory
is bounded by a chunk of policies and the store, not the corpus: a first
pass maps each chunk and keeps only text in the store (the global triples,
lineage links and shared-node lines the corpus stage reads); once the
inverse links are known, a second pass maps each chunk again, patches,
checks and renders it into the store, and drops it. The dumps are streamed
(or spliced, byte ranges of the previous files) from the store.

The store keeps, per record
file, its content hash and parsed record; per policy, its findings, the
subjects it writes and the triples the cross-record and shared-node checks
read; per shared node (cluster, jurisdiction, agent), what each policy says
of it; per subject, its rendered Turtle, N-Triples and JSON-LD blocks. The
dumps are the blocks in order (kg.export builds full dumps the same way), so
a build after one edit re-renders a handful of subjects and splices.

What a change reaches, and so what is redone:
- a record's content -> its policy is re-mapped, patched and re-validated;
- a policy's lineage links -> the policies they point at (inverse links,
  round-trip patches) are redone too;
- what a policy says of a shared node -> every policy naming that node is
  re-patched (its reverse mapping reads the node's labels);
- the lineage/shared-node triples of the corpus -> the cross-record checks
  run again (otherwise their cached findings stand, unless a record they
  point into changed, which would move their line numbers);
- any policy, facility or profile of a content root -> the landscape stage
  (kg.landscape_build: facilities, profiles and the facility links derived
  from the lineage) is mapped again as a whole, and the subjects whose
  landscape triples changed are re-rendered; its stated triples join the
  cross-record checks' store, where the facility shapes are checked.

A key over the ontology files, the package's code, the library versions,
the base IRI and the folders guards the whole cache: any change there and
the cache starts empty, so a changed shape re-validates everything.
"""

from __future__ import annotations

import array
import bisect
import functools
import hashlib
import itertools
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date as Date
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.plugins.parsers.ntriples import W3CNTriplesParser

from kg.errors import Finding, KgError, Severity, severity_counts
from kg.export import (
    JSONLD_SEPARATOR,
    jsonld_blocks,
    jsonld_document,
    jsonld_frame,
    nt_blocks,
    nt_lines,
    nt_order,
    turtle_blocks,
    turtle_document,
    turtle_header,
    write_atomic_with,
)
from kg.iris import Minter
from kg.landscape_build import Landscape, map_landscape
from kg.mapping import INVERSES, Index, Triple, inverse_links, map_policy, patch_triples
from kg.namespaces import CCUS, RDF
from kg.records import (
    Record,
    check_root,
    content_root,
    duplicate_finding,
    first_versions,
    load_record,
    record_paths,
    scan,
)
from kg.resources import data_dir
from kg.runtime import collect_chunk
from kg.validation import (
    LISTED_PREDICATES,
    CompiledCheck,
    Locator,
    Result,
    by_id,
    check_results,
    finding_order,
    global_triples,
    unique_results,
)
from kg.vocab import vocabularies

CACHE_FILE = Path(".cache") / "build.sqlite"
POLICY_CHUNK = 2_000  # policies mapped, patched, checked and rendered at a time (memory is bounded by it)
RENDER_CHUNK = 5_000  # subjects rendered at a time
FORMAT = "6"  # bump when the cache's tables or their meaning change
_INVERSE = {str(p): str(q) for p, q in INVERSES.items()}  # kg.mapping's table, as N-Triples text
_TYPE, _POLICY = str(RDF.type), str(CCUS.Policy)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS files(rel TEXT PRIMARY KEY, stat TEXT, hash TEXT, id TEXT, lang TEXT,
                                 record BLOB, findings BLOB);
CREATE TABLE IF NOT EXISTS policies(id TEXT PRIMARY KEY, key TEXT, subjects TEXT, global TEXT, ghash TEXT,
                                    links TEXT, findings BLOB);
CREATE TABLE IF NOT EXISTS shared(subject TEXT, policy TEXT, nt TEXT, PRIMARY KEY(subject, policy));
CREATE INDEX IF NOT EXISTS shared_policy ON shared(policy);
CREATE TABLE IF NOT EXISTS blocks(subject TEXT PRIMARY KEY, ntkey TEXT, jid TEXT, n INTEGER,
                                  ttl_n INTEGER, nt_n INTEGER, jsonld_n INTEGER);
CREATE TABLE IF NOT EXISTS texts(subject TEXT PRIMARY KEY, ttl TEXT, nt TEXT, jsonld TEXT);
CREATE TABLE IF NOT EXISTS landscape(subject TEXT PRIMARY KEY, nt TEXT);
"""

_TABLES = ("meta", "files", "policies", "shared", "blocks", "texts", "landscape")  # every table of _SCHEMA
Progress = Callable[[int, int], None]


@dataclass
class Built:
    """What an incremental build found, without the corpus in memory."""

    findings: list[Finding]
    records: int
    files: int
    policies: int
    languages: list[str]
    triples: int
    remapped: int  # policies mapped and validated again in this run
    revalidated_globally: bool
    seconds: float = 0.0
    spliced: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return severity_counts(self.findings)

    def summary(self) -> dict[str, object]:
        """The same summary a full build gives, plus how much of the corpus this run redid."""
        return {**summary(self.findings, records=self.records, files=self.files, policies=self.policies,
                          languages=self.languages, triples=self.triples, seconds=self.seconds),
                "remapped": self.remapped}


def summary(findings: list[Finding], *, records: int, files: int, policies: int, languages: list[str],
            triples: int, seconds: float) -> dict[str, object]:
    """The build summary as data: what `build --format json` prints besides the findings."""
    counts = severity_counts(findings)
    return {"records": records, "files": files, "policies": policies, "languages": languages,
            "triples": triples, "errors": counts["violation"], "warnings": counts["warning"],
            "info": counts["info"], "seconds": round(seconds, 3)}


@dataclass
class Collected:
    """What a collecting run (kg.load) keeps in place of rendered blocks and findings of the checks."""

    subjects: dict[str, list[Triple]] = field(default_factory=dict)  # subject -> its triples, as rendered
    policies: dict[str, _Policy] = field(default_factory=dict)  # policy id -> what its records state
    landscape: Landscape | None = None  # a content root's facilities and profiles


@dataclass(slots=True)
class _File:
    rel: str
    path: str
    stat: str
    hash: str
    id: str | None
    lang: str | None
    findings: list[Finding] | None = None


@dataclass
class _Policy:
    """One policy re-mapped in this run."""

    stated: list[Triple] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)


class Cache:
    """The SQLite file: opened, checked against the key, emptied when the key differs.

    A folder that cannot hold it gets a cache in memory: the build still
    runs, it just is not incremental next time.
    """

    def __init__(self, path: Path | None, key: str):
        self.path = path or Path(":memory:")
        self.damaged: str | None = None  # why an unreadable cache file was replaced, for the notice
        if path is None:  # --no-cache: the same store, private to this build and gone with it
            self.new, self.folders = False, []
            self.db = self._open("", key)  # SQLite's temporary database: in memory, spilled to disk past its cache
            return
        self.new = not path.exists()
        self.folders = [p for p in reversed(path.parents) if not p.exists()]
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self.db = self._open(str(path), key)
            except sqlite3.DatabaseError as exc:  # a torn or foreign file: it is only a cache
                if type(exc) is not sqlite3.DatabaseError:  # read-only, disk full: keep the file, cache in memory
                    raise OSError(str(exc)) from exc
                path.unlink(missing_ok=True)
                self.damaged = str(exc)
                self.db = self._open(str(path), key)
        except OSError:
            self.db = self._open(":memory:", key)

    def forget(self) -> None:
        """Close, and remove the file and folders if this run created them (a refused build writes nothing)."""
        self.db.close()
        if self.new:
            for name in (self.path.name, self.path.name + "-wal", self.path.name + "-shm"):
                (self.path.parent / name).unlink(missing_ok=True)
        for folder in reversed(self.folders):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()

    @staticmethod
    def _open(path: str, key: str) -> sqlite3.Connection:
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA cell_size_check=ON")  # damaged pages raise as they are read, never mislead
        db.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB)")
        row = db.execute("SELECT value FROM meta WHERE key='key'").fetchone()
        if row is None or row[0] != key:  # another version's tables may differ too: start from nothing
            db.execute("BEGIN")
            for table in _TABLES:
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute("COMMIT")
            db.executescript(_SCHEMA)
            db.execute("INSERT INTO meta VALUES ('key', ?)", (key,))
        return db

    def get(self, key: str) -> bytes | str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else row[0]

    def put(self, key: str, value: bytes | str | None) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def close(self) -> None:
        self.db.close()


def cache_key(seeds: Path, base: str) -> str:
    """Everything besides the records that decides what a build writes."""
    digest = hashlib.blake2b(digest_size=20)
    parts = [FORMAT, base, str(Path(seeds).resolve()), os.getcwd(), sys.version]
    parts += [f"{name}={metadata.version(name)}" for name in ("rdflib", "pyoxigraph", "networkx")]
    digest.update("\n".join(parts).encode())
    code = Path(__file__).resolve().parent
    for path in [*sorted(code.rglob("*.py")), *sorted(data_dir("ontology").iterdir())]:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class IncrementalBuild:
    """One build against a store of units: ``run``, then ``write`` (unless ``unchanged``), then ``commit``.

    The store is the SQLite file under ``out`` (``persist``), or the same
    tables in memory (``--no-cache``): one code path either way, so a build
    without the cache is a cold build on an empty store.
    """

    def __init__(self, seeds: Path, out: Path | None, base: str, persist: bool = True, collect: bool = False):
        self.content = content_root(check_root(seeds))
        self.root = self.content.policies
        self.minter = Minter(base)
        self.prefix = self.minter.base + "policy/"
        self.cache = Cache(Path(out) / CACHE_FILE, cache_key(self.root, self.minter.base)) \
            if persist and out is not None else Cache(None, "memory")
        self.db = self.cache.db
        self.changed = False
        self.folder_findings: list[Finding] = []
        self._shared_classes: set[str] | None = None
        self.spliced: list[str] = []  # the dumps this run spliced rather than assembled whole
        self._dirty: set[str] = set()
        self._old_layouts: dict[str, _Layout] | None = None
        self._layouts: dict[str, _Layout] = {}
        self._laid_out = False  # a first stage of this run has moved the layouts on from the files on disk
        self._cold = False  # the store holds no policy yet: the layouts are made from every block
        self._pending: set[str] = set()  # subjects emitted in this stage (not tracked when cold)
        self._old_rows: list[Any] = []  # their blocks' rows before this stage
        # ``collect`` (kg.load): keep the graph in memory instead of rendering it, and leave the checks to
        # the caller (validate() needs the SHACL results, and may ask for pySHACL).
        self.collected: Collected | None = Collected() if collect else None

    # --- the steps -------------------------------------------------------------------------------

    def run(self, progress: Progress | None = None) -> Built:
        """Bring the cache up to date with the records; nothing is written outside it."""
        self.db.execute("BEGIN")
        files = self._scan(progress)
        winners, losers = first_versions((f for f in files if f.id is not None),
                                         lambda f: (f.id or "", f.lang or "", f.rel))
        members: dict[str, list[_File]] = {}
        for f in winners:
            members.setdefault(f.id or "", []).append(f)
        keys = {pid: _policy_key(fs) for pid, fs in members.items()}
        old_keys = dict(self.db.execute("SELECT id, key FROM policies"))
        dirty = {pid for pid in keys.keys() | old_keys.keys() if keys.get(pid) != old_keys.get(pid)}
        cold = self._cold = not old_keys
        self.changed = bool(dirty)
        self._records = _Records(self.db, members)
        remapped = self._update(dirty, keys) if dirty else 0
        landscape_findings, landscape_files = self._landscape(keys, cold)
        global_findings, rerun = self._global_findings(cold)
        findings = [f for file in files for f in (file.findings or ())] + self.folder_findings + landscape_findings
        findings += [duplicate_finding(self._records.record(f), first) for f, first in losers]
        for (blob,) in self.db.execute("SELECT findings FROM policies"):
            findings += _findings(_unpack(blob))
        findings += global_findings
        if self.cache.damaged:
            findings.append(healed_notice(self.cache.path, self.cache.damaged))
        findings.sort(key=finding_order)
        triples = self.db.execute("SELECT COALESCE(SUM(n), 0) FROM blocks").fetchone()[0] \
            if self.collected is None else sum(len(set(ts)) for ts in self.collected.subjects.values())
        return Built(findings=findings, records=len(winners), files=len(files) + landscape_files,
                     policies=len(members),
                     languages=sorted({f.lang or "" for f in winners}), triples=triples,
                     remapped=remapped, revalidated_globally=rerun)

    def write(self, paths: dict[str, Path], into: dict[str, Path] | None = None) -> None:
        """Write the dumps (format -> path) into ``into`` (default: over ``paths``): spliced from the files at
        ``paths`` when they are this cache's last output, otherwise assembled whole from the blocks. Either
        way, byte for byte what a full build writes."""
        targets = into or paths
        splice = self._old_layouts is not None and self._as_written(paths.values())
        for fmt, path in paths.items():
            dump = _DUMPS[fmt]
            if splice and self._splice(path, dump, targets[fmt]):
                self.spliced.append(fmt)
            else:
                write_atomic_with(targets[fmt], functools.partial(self._assemble, dump))

    def spliced_lines(self) -> tuple[list[str], bytes] | None:
        """The subjects whose lines this run replaced in the N-Triples dump it spliced, and their lines now
        (None when it wrote that dump whole): what a copy of the last store needs to become this one."""
        if "nt" not in self.spliced:
            return None
        subjects = sorted(self._dirty)
        texts = self.db.execute("SELECT nt FROM texts WHERE subject IN (SELECT value FROM json_each(?))",
                                (json.dumps(subjects),))
        return subjects, "".join(text for (text,) in texts).encode("utf-8")

    def _assemble(self, dump: _Dump, handle: IO[bytes]) -> None:
        """The blocks in order inside the dump's frame, streamed from the store (no dump-sized string)."""
        # SQLite orders TEXT by its UTF-8 bytes, which is Python's order of str; ntkey is nt_order(subject).
        texts = (t for (t,) in self.db.execute(
            f"SELECT t.{dump.column} FROM blocks b JOIN texts t USING (subject) ORDER BY b.{dump.key}"))
        first = next(texts, None)
        if first is None:  # an empty dump has its own frame
            handle.write((turtle_document([], self.minter.base) if dump.column == "ttl"
                          else jsonld_document([]) if dump.column == "jsonld" else "").encode("utf-8"))
            return
        head, sep, tail = dump.frame(self.minter.base)
        handle.write(head)
        handle.write(first.encode("utf-8"))
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) >= 1000:
                handle.write(sep + sep.join(t.encode("utf-8") for t in batch))
                batch.clear()
        if batch:
            handle.write(sep + sep.join(t.encode("utf-8") for t in batch))
        handle.write(tail)

    def _splice(self, path: Path, dump: _Dump, target: Path) -> bool:
        """Copy the unchanged byte ranges of the old dump, write the changed blocks; False if it cannot."""
        old_layout = (self._old_layouts or {})[dump.column]
        old_subjects, old_sizes = old_layout.subjects, old_layout.sizes
        new_subjects = self._layouts[dump.column].subjects
        head, sep, tail = dump.frame(self.minter.base)
        if not old_subjects or not new_subjects:
            return False  # an empty dump has another frame
        sums = list(itertools.accumulate(old_sizes, initial=0))

        def offset(j: int) -> int:  # where old block j starts
            return len(head) + sums[j] + j * len(sep)

        if offset(len(old_subjects)) - len(sep) + len(tail) != path.stat().st_size:
            return False  # not the file this cache wrote
        dirty = self._dirty
        new_keys = self._layouts[dump.column].keys
        new_dirty = [i for i, s in enumerate(new_subjects) if s in dirty] if dirty else []
        old_dirty = [j for j, s in enumerate(old_subjects) if s in dirty] if dirty else []
        changed = dict(self.db.execute(
            f"SELECT subject, {dump.column} FROM texts WHERE subject IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(dirty)),)))
        plan: list[tuple[int, int] | str] = []  # old byte ranges to copy, and new blocks, in order
        i = 0
        while i < len(new_subjects):
            subject = new_subjects[i]
            if subject in dirty:
                plan.append(changed[subject])
                i += 1
                continue
            j = bisect.bisect_left(old_layout.keys, new_keys[i])  # a subject's key is the same in both
            if j >= len(old_subjects) or old_subjects[j] != subject:
                return False
            stretch = min(_next(new_dirty, i, len(new_subjects)) - i, _next(old_dirty, j, len(old_subjects)) - j)
            if old_subjects[j + stretch - 1] != new_subjects[i + stretch - 1]:
                return False
            plan.append((offset(j), offset(j + stretch - 1) + old_sizes[j + stretch - 1]))
            i += stretch

        def fill(handle: IO[bytes]) -> None:
            with path.open("rb") as source:
                handle.write(head)
                for k, step in enumerate(plan):
                    if k:
                        handle.write(sep)
                    if isinstance(step, str):
                        handle.write(step.encode("utf-8"))
                    else:
                        _copy(source, handle, step[0], step[1] - step[0])
                handle.write(tail)

        write_atomic_with(target, fill)
        return True

    def unchanged(self, paths: Iterable[Path]) -> bool:
        """True when nothing changed and every output is still the file this cache last wrote."""
        return not self.changed and self._as_written(paths)

    def written(self, paths: Iterable[Path]) -> None:
        """Note what the outputs on disk are now (size, mtime, inode), to know them again next time."""
        self.cache.put("outputs", json.dumps({str(p): _stat(p) for p in paths}, sort_keys=True))

    def _as_written(self, paths: Iterable[Path]) -> bool:
        known = json.loads(str(self.cache.get("outputs") or "{}"))
        return all(known.get(str(p)) is not None and known.get(str(p)) == _stat(p) for p in paths)

    def commit(self) -> None:
        self.db.execute("COMMIT")
        self.cache.close()

    def rollback(self) -> None:
        """Leave the cache as it was before this run (a refused or failed build)."""
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")
        self.cache.forget()

    # --- scanning --------------------------------------------------------------------------------

    def _scan(self, progress: Progress | None) -> list[_File]:
        known = {rel: (stat, digest, pid, lang) for rel, stat, digest, pid, lang
                 in self.db.execute("SELECT rel, stat, hash, id, lang FROM files")}
        # a content root of facilities or profiles alone is not empty
        paths, self.folder_findings = scan(self.root, require=self.content.facilities is None
                                           and self.content.countries is None)
        files: list[_File] = []
        cut = len(os.fspath(self.root).rstrip(os.sep)) + 1
        for done, name in enumerate(paths, start=1):
            if progress is not None:
                progress(done, len(paths))
            rel = name[cut:].replace(os.sep, "/")
            old = known.pop(rel, None)
            try:
                st = os.stat(name)
                stat = f"{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_size}:{st.st_ino}"
                if old is not None and old[0] == stat:
                    files.append(_File(rel, name, stat, old[1], old[2], old[3]))
                    continue
                with open(name, "rb") as handle:
                    digest = hashlib.blake2b(handle.read(), digest_size=20).hexdigest()
            except OSError:  # load_record below names the problem; read it again every time
                stat = digest = ""
            if old is not None and old[1] == digest:
                self.db.execute("UPDATE files SET stat=? WHERE rel=?", (stat, rel))
                files.append(_File(rel, name, stat, old[1], old[2], old[3]))
                continue
            record, found = load_record(Path(name), self.root)
            file = _File(rel, name, stat, digest, record.id if record else None,  # the record is in the store
                         record.lang if record else None, found)
            self.db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (rel, stat, digest, file.id, file.lang,
                             _pack(_record_data(record)) if record else None,
                             _pack([f.as_dict() for f in found]) if found else None))
            files.append(file)
        for rel in known:  # deleted since the last build
            self.db.execute("DELETE FROM files WHERE rel=?", (rel,))
        unread = [f for f in files if f.findings is None]
        blobs = dict(self.db.execute("SELECT rel, findings FROM files WHERE findings IS NOT NULL"))
        for f in unread:
            f.findings = _findings(_unpack(blobs[f.rel])) if f.rel in blobs else []
        return files

    # --- mapping, patches, blocks ----------------------------------------------------------------

    def _update(self, dirty: set[str], keys: dict[str, str]) -> int:
        """Bring the dirty policies, and those they reach, up to date in the store; returns how many were
        mapped. Two passes, a chunk of policies at a time, so memory is bounded by the chunk and the store:

        1. map each policy and keep, as text in the store, what the corpus stage reads (its global
           triples, lineage links and lines on shared nodes); its terms are dropped. Rounds follow
           until no policy is reached any more through inverse links or shared nodes.
        2. with the inverse links known, map each chunk again (mapping is deterministic), patch, run
           its per-record checks and render its subjects into the store (:meth:`_emit`).
        """
        old_inverse = set(_lines(str(self.cache.get("inverse") or "")))
        done: set[str] = set()
        touched_shared: set[str] = set()
        old_subjects: set[str] = set()
        todo = set(dirty)
        while todo:  # a second round takes the policies the first one reached through links or shared nodes
            reached: set[str] = set()
            said: dict[str, list[tuple[str, str]]] = {}  # shared subject -> (policy, what it said before this run)
            changed: set[str] = set()  # shared subjects some policy of this round says otherwise now
            order = sorted(todo)
            for at in range(0, len(order), POLICY_CHUNK):
                for pid in order[at:at + POLICY_CHUNK]:
                    before = dict(self.db.execute("SELECT subject, nt FROM shared WHERE policy=?", (pid,)))
                    row = self.db.execute("SELECT subjects FROM policies WHERE id=?", (pid,)).fetchone()
                    if row is not None and row[0]:
                        old_subjects.update(row[0].split("\n"))
                    says = self._first_pass(pid, keys.get(pid))
                    changed.update(s for s in before.keys() | says.keys() if before.get(s) != says.get(s))
                    for subject, text in before.items():
                        said.setdefault(subject, []).append((pid, text))
                self._records.forget()
            for subject in sorted(changed):
                rows = self.db.execute("SELECT policy, nt FROM shared WHERE subject=?", (subject,)).fetchall()
                then = [*((p, t) for p, t in rows if p not in todo), *said.get(subject, ())]
                if _distinct_lines(then) != _distinct_lines(rows):  # every policy naming it reads it differently now
                    reached.update(p for p, _ in [*rows, *then])
                    touched_shared.add(subject)
            inverse = _inverse(text for (text,) in self.db.execute("SELECT links FROM policies"))
            for line in inverse ^ old_inverse:
                owner = self.minter.policy_id(line[1:line.index(">")])
                if owner is not None:
                    reached.add(owner)
            old_inverse = inverse
            done |= todo
            todo = (reached & keys.keys()) - done
        self.cache.put("inverse", "".join(sorted(old_inverse)))
        inverse_by_owner: dict[str, str] = {}  # policy IRI -> the inverse links on it, as N-Triples
        for line in sorted(old_inverse):
            iri = line[1:line.index(">")]
            inverse_by_owner[iri] = inverse_by_owner.get(iri, "") + line
        del old_inverse
        shared = _SharedNodes(self)
        pids = sorted(done & keys.keys())
        for at in range(0, len(pids), POLICY_CHUNK):
            chunk = {pid: self._map(pid) for pid in pids[at:at + POLICY_CHUNK]}
            rendered = self._second_pass(chunk, inverse_by_owner, shared)
            self._validate(chunk)
            old_subjects.difference_update(rendered)
            del chunk
            self._emit(rendered)
            del rendered
            self._records.forget()
        landscape = self._landscape_subjects(touched_shared)
        lists = self._shared_lists(touched_shared)
        self._emit({s: [*_parse(lists.get(s, "")), *_parse(landscape.get(s, ""))] for s in sorted(touched_shared)})
        self._emit({s: [] for s in sorted(old_subjects - touched_shared)})  # render to nothing now
        self._laid_out_now()
        return len(done)

    def _first_pass(self, pid: str, key: str | None) -> dict[str, str]:
        """Map one policy and store what the corpus stage reads of it, as text: its global triples and
        lineage links (in ``policies``; its subjects and findings come in the second pass) and what it says
        of each shared node (in ``shared``). Returns the latter: shared subject -> its distinct lines."""
        self.db.execute("DELETE FROM shared WHERE policy=?", (pid,))
        if key is None:  # deleted since the last build
            self.db.execute("DELETE FROM policies WHERE id=?", (pid,))
            return {}
        stated = self._map(pid).stated
        global_ = "".join(_nt(global_triples(stated, self.minter)))
        links = "".join(line for line in _lines(global_) if _is_link(line))
        on_shared = [t for t in stated if not str(t[0]).startswith(self.prefix)]
        by_subject: dict[str, dict[str, None]] = {}
        for (s, _, _), line in zip(on_shared, _nt(on_shared), strict=True):
            by_subject.setdefault(str(s), {})[line] = None
        says = {s: "".join(lines) for s, lines in by_subject.items()}
        self.db.executemany("INSERT INTO shared VALUES (?, ?, ?)", [(s, pid, t) for s, t in says.items()])
        self.db.execute("INSERT OR REPLACE INTO policies VALUES (?, ?, '', ?, ?, ?, x'')",
                        (pid, key, global_, _digest(global_), links))
        return says

    def _second_pass(self, chunk: dict[str, _Policy], inverse: dict[str, str],
                     shared: _SharedNodes) -> dict[str, list[Triple]]:
        """The final triples of a chunk's subjects: stated, inverse links, round-trip patches; each
        policy's subjects noted in the store (what a later build re-renders or removes)."""
        vocab = vocabularies()
        rendered: dict[str, list[Triple]] = {}
        for pid, policy in chunk.items():
            own = [t for t in policy.stated if str(t[0]).startswith(self.prefix)]
            links = _parse(inverse.get(str(self.minter.policy(pid)), ""))
            names = {str(o) for _, _, o in policy.stated
                     if isinstance(o, URIRef) and not str(o).startswith(self.prefix)}
            # Patches need the shared nodes a policy names as the whole corpus states them, in corpus order.
            index = Index([*own, *(t for s in sorted(names) for t in shared.triples(s)), *links])
            patches = [t for record in policy.records for t in patch_triples(record, index, self.minter, vocab)]
            subjects: dict[str, None] = {}
            for triple in [*own, *links, *patches]:
                subject = str(triple[0])
                if subject not in subjects:
                    if self.minter.owner_id(subject) != pid:  # a block is one policy's: rendered with its chunk
                        raise KgError(f"policy {pid} states {subject}, another's node: its block cannot be rendered")
                    subjects[subject] = None
                rendered.setdefault(subject, []).append(triple)
            self.db.execute("UPDATE policies SET subjects=? WHERE id=?", ("\n".join(sorted(subjects)), pid))
        return rendered

    def _map(self, pid: str) -> _Policy:
        if self.collected is not None and pid in self.collected.policies:
            return self.collected.policies[pid]  # kg.load holds the corpus anyway: each policy mapped once
        records = self._records.get(pid, [])
        if not records:
            return _Policy()
        stated, findings = map_policy(records, self.minter, vocabularies())
        policy = _Policy(stated, findings, records)
        if self.collected is not None:
            self.collected.policies[pid] = policy
        return policy

    def _shared_lists(self, subjects: Iterable[str]) -> dict[str, str]:
        """Shared subject -> its distinct N-Triples lines, first said first, policies in id order."""
        out: dict[str, str] = {}
        for subject in subjects:
            text = _distinct_lines(self.db.execute("SELECT policy, nt FROM shared WHERE subject=?", (subject,)))
            if text:
                out[subject] = text
        return out

    def _render(self, triples: dict[str, list[Triple]], gone: set[str]) -> None:
        """Render subjects into the store (``gone``: those that render to nothing now) and move the dumps'
        layouts on."""
        self._emit({**triples, **{s: [] for s in sorted(gone - triples.keys())}})
        self._laid_out_now()

    def _emit(self, triples: dict[str, list[Triple]]) -> None:
        """Render these subjects' final triples into the store, a chunk of subjects at a time (an empty list:
        the subject renders to nothing now). Every block of a build is made here; a subject is emitted once
        a stage, and :meth:`_laid_out_now` ends the stage."""
        if self.collected is not None:  # kg.load: the triples kept, nothing rendered
            for subject, kept in triples.items():
                if kept:
                    self.collected.subjects[subject] = kept
                else:
                    self.collected.subjects.pop(subject, None)
            return
        subjects = list(triples)
        if not self._cold:  # a cold build lays the dumps out from every block at the end of the stage
            self._old_rows += self.db.execute(
                f"SELECT {_LAYOUT_ROW} FROM blocks WHERE subject IN (SELECT value FROM json_each(?))",
                (json.dumps(subjects),)).fetchall()
            self._pending.update(subjects)
        gone = [(s,) for s in subjects if not triples[s]]
        for table in ("blocks", "texts"):
            self.db.executemany(f"DELETE FROM {table} WHERE subject=?", gone)
        for at in range(0, len(subjects), RENDER_CHUNK):  # a block depends on its subject's triples alone
            chunk = {s: triples.pop(s) for s in subjects[at:at + RENDER_CHUNK]}
            self._render_chunk({s: ts for s, ts in chunk.items() if ts})
            del chunk
            collect_chunk()

    def _laid_out_now(self) -> None:
        """End a stage's rendering: move the dumps' layouts on by the subjects it emitted. A run may have two
        stages (the policies, then the landscape), and splices against the files on disk once, with every
        subject either emitted."""
        if self.collected is not None:  # no dumps to lay out
            return
        pending = json.dumps(sorted(self._pending))
        new_rows = [] if self._cold else self.db.execute(
            f"SELECT {_LAYOUT_ROW} FROM blocks WHERE subject IN (SELECT value FROM json_each(?))",
            (pending,)).fetchall()
        self._relayout(self._cold, self._old_rows, new_rows)
        self._dirty |= self._pending
        self._pending, self._old_rows = set(), []

    def _render_chunk(self, triples: dict[str, list[Triple]]) -> None:
        """Render a chunk of subjects into the store: memory is bounded by the chunk, not the corpus."""
        everything = [t for ts in triples.values() for t in ts]
        ttl, nt, jsonld = turtle_blocks(everything, self.minter.base), nt_blocks(everything), \
            jsonld_blocks(everything, self.minter.base)
        counts = {s: len(set(ts)) for s, ts in triples.items()}
        self.db.executemany("INSERT OR REPLACE INTO blocks VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [(s, nt_order(s), jsonld[s][0], counts[s], _size(ttl[s]), _size(nt[s]),
                              _size(jsonld[s][1])) for s in ttl])
        self.db.executemany("INSERT OR REPLACE INTO texts VALUES (?, ?, ?, ?)",
                            [(s, ttl[s], nt[s], jsonld[s][1]) for s in ttl])

    def _relayout(self, cold: bool, old_rows: list[Any], new_rows: list[Any]) -> None:
        """Each dump's order of subjects and block sizes: the map the next build splices by."""
        stored = {fmt: self.cache.get(f"layout:{fmt}") for fmt in _DUMPS}
        self._layouts = {}
        if cold or any(blob is None for blob in stored.values()):  # from every block; nothing to splice against
            self._old_layouts = None
            for fmt, dump in _DUMPS.items():
                self.cache.put(f"layout:{fmt}", _layout_blob(self.db, fmt, dump))
        else:
            current = {fmt: _Layout.load(fmt, blob) for fmt, blob in stored.items()}  # type: ignore[arg-type]
            if not self._laid_out:  # what the files on disk are: the map this run splices by
                self._old_layouts = {fmt: layout.copy() for fmt, layout in current.items()}
            for fmt, dump in _DUMPS.items():
                layout = self._layouts[fmt] = current[fmt]
                for key, subject, _ in map(dump.entry, old_rows):
                    layout.remove(key, subject)
                for entry in sorted(map(dump.entry, new_rows)):
                    layout.insert(*entry)
        for fmt, layout in self._layouts.items():
            self.cache.put(f"layout:{fmt}", layout.dump(fmt))
        self._laid_out = True

    # --- the landscape: facilities and stated profiles ---------------------------------------------

    def _landscape(self, keys: dict[str, str], cold: bool) -> tuple[list[Finding], int]:
        """Map the content root's facilities and profiles again when a policy, facility or profile changed
        (or the day did: a profile without an audit date is compared on today); re-render the subjects whose
        landscape triples changed. Returns the stage's findings and its number of files.

        The derived facility links read the whole policy corpus (its lineage), so the stage is redone as a
        whole; its triples sit on facility, context and profile nodes of its own and on shared nodes
        (jurisdictions, agents), never on a policy's nodes, so a block is the policies' part plus this one.
        """
        folders = [f for f in (self.content.facilities, self.content.countries) if f is not None]
        stored = self.cache.get("landscape")
        if not folders and stored is None:
            return [], 0
        seen: list[str] = []
        for folder in folders:
            for name in record_paths(folder):
                try:
                    with open(name, "rb") as handle:
                        seen.append(f"{name}\0{hashlib.blake2b(handle.read(), digest_size=20).hexdigest()}")
                except OSError:  # load_landscape names the problem
                    seen.append(f"{name}\0")
        files_digest = _digest("\n".join(seen))  # the cross-record checks locate findings in these files
        self.cache.put("landscape:files", files_digest)
        key = _digest("\n".join([Date.today().isoformat(), files_digest,
                                 *(f"{pid}\0{key}" for pid, key in sorted(keys.items()))]))
        if stored is not None and not cold:
            known, found, files = _unpack(stored)
            if known == key:
                return _findings(found), files
        self.changed = True
        old = dict(self.db.execute("SELECT subject, nt FROM landscape"))
        landscape = map_landscape(self.content, self._policy_side(set(old)), self.minter) if folders \
            else Landscape()
        new: dict[str, dict[str, None]] = {}
        for triple, line in zip(landscape.stated + landscape.derived, _nt(landscape.stated + landscape.derived),
                                strict=True):
            subject = str(triple[0])
            if self.minter.owner_id(subject) is not None:
                raise KgError(f"the landscape states {subject}, a policy's node: its block cannot be spliced")
            new.setdefault(subject, {})[line] = None
        texts = {subject: "".join(lines) for subject, lines in new.items()}
        changed = {s for s in old.keys() | texts.keys() if old.get(s) != texts.get(s)}
        self.db.execute("DELETE FROM landscape")
        self.db.executemany("INSERT INTO landscape VALUES (?, ?)", sorted(texts.items()))
        checked = "".join(dict.fromkeys(_nt(landscape.stated + landscape.checked)))
        self.cache.put("landscape:checked", checked)
        self.cache.put("landscape:facilities", _pack([_record_data(r) for r in landscape.facilities]))
        findings = [f.as_dict() for f in landscape.findings]
        self.cache.put("landscape", _pack([key, findings, landscape.files]))
        if self.collected is not None:
            self.collected.landscape = landscape
        shared = self._shared_lists(changed)
        rendered = {s: [*_parse(shared.get(s, "")), *_parse(texts.get(s, ""))] for s in sorted(changed)}
        gone = {s for s, ts in rendered.items() if not ts}
        self._render({s: ts for s, ts in rendered.items() if ts}, gone)
        return landscape.findings, landscape.files

    def _landscape_subjects(self, subjects: Iterable[str]) -> dict[str, str]:
        """Subject -> what the landscape says of it, as N-Triples (those it says nothing of left out)."""
        return dict(self.db.execute(
            "SELECT subject, nt FROM landscape WHERE subject IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(subjects)),)))

    def _policy_side(self, landscape: set[str]) -> bytes:
        """What the policies state and derive, as N-Triples: the rendered blocks, less what the landscape
        added to a shared node (that node's policies' lines instead)."""
        parts: list[str] = []
        if self.collected is not None:  # nothing rendered: the kept triples instead
            for subject, triples in sorted(self.collected.subjects.items()):
                parts.append(self._shared_lists({subject}).get(subject, "") if subject in landscape
                             else "".join(_nt(triples)))
            return "".join(parts).encode("utf-8")
        for subject, text in self.db.execute("SELECT subject, nt FROM texts ORDER BY subject"):
            if subject in landscape:
                text = self._shared_lists({subject}).get(subject, "")
            parts.append(text)
        return "".join(parts).encode("utf-8")

    def _facility_records(self) -> dict[str, list[Record]]:
        blob = self.cache.get("landscape:facilities")
        return by_id(_record(data) for data in _unpack(blob)) if blob is not None else {}

    # --- validation ------------------------------------------------------------------------------

    def _validate(self, chunk: dict[str, _Policy]) -> None:
        """Per-record checks for a chunk of re-mapped policies, their findings stored with each (memory is
        bounded by the chunk); the cross-record and shared-node checks run once over the corpus, in
        _global_findings."""
        if self.collected is not None:  # the mapping's own findings; the checks are the caller's
            self.db.executemany("UPDATE policies SET findings=? WHERE id=?",
                                [(_pack([f.as_dict() for f in policy.findings]), pid) for pid, policy in chunk.items()])
            return
        stated = [t for policy in chunk.values() for t in policy.stated]
        records = {pid: policy.records for pid, policy in chunk.items()}
        results = check_results(stated, Locator(records, stated, self.minter), self.minter,
                                only=lambda check, _: not check.cross,
                                keep=functools.partial(self._owned_by, records.keys()))
        per_policy: dict[str, list[Result]] = {pid: [] for pid in chunk}
        for result in results:
            owner = self.minter.owner_id(str(result.focus))
            if not result.cross and owner in per_policy:
                per_policy[owner].append(result)
        for pid, found in per_policy.items():
            findings = chunk[pid].findings + [r.finding for r in unique_results(found)]
            self.db.execute("UPDATE policies SET findings=? WHERE id=?",
                            (_pack([f.as_dict() for f in findings]), pid))

    def _owned_by(self, owners: Collection[str], cross: bool, focus: object) -> bool:
        """Whether a result's focus node belongs to one of ``owners`` (the policies a chunk validates)."""
        return self.minter.owner_id(str(focus)) in owners

    def _global_findings(self, cold: bool) -> tuple[list[Finding], bool]:
        """The cross-record and shared-node findings: cached, or run again on the global triples."""
        if self.collected is not None:
            return [], False
        digest = self._global_digest()
        cached = self.cache.get("global")
        if cached is not None:
            known, found, used = _unpack(cached)
            findings = _findings(found)
            keys = dict(self.db.execute("SELECT id, key FROM policies"))
            if known == digest and used == {p: keys.get(p) for p in used}:
                return findings, cold
        text = b"".join(part.encode("utf-8") for part in self._global_parts())
        self._records.used.clear()  # from here on: the records the findings point into

        def listed() -> Iterator[Triple]:  # read only if a finding sits on a shared node
            yield from _parse("".join(line for part in self._global_parts()
                                      for line in _lines(part) if _is_listing(line)))

        locator = Locator(self._records, listed(), self.minter, self._facility_records())
        global_ = check_results([], locator, self.minter, nt=text, only=self._decidable,
                                keep=lambda cross, focus: cross or self.minter.owner_id(str(focus)) is None)
        del text
        findings = [r.finding for r in unique_results(global_)]
        self._store_global(digest, findings, set(self._records.used))
        return findings, True

    def _decidable(self, check: CompiledCheck, store: ox.Store) -> bool:
        """Whether a check can find anything the global store decides: a cross-record check, or one whose
        targets may be a shared node (a policy's own nodes lack most of their triples in that store)."""
        if check.cross or check.classes is None:
            return True
        if self._shared_classes is None:
            query = (f"SELECT DISTINCT ?c WHERE {{ ?s a ?c FILTER(!STRSTARTS(STR(?s), {json.dumps(self.prefix)})) }}")
            solutions = store.query(query)
            assert isinstance(solutions, ox.QuerySolutions)  # a SELECT
            self._shared_classes = {row["c"].value for row in solutions}
        return bool(self._shared_classes.intersection(check.classes))

    def _global_parts(self) -> Iterator[str]:
        """The cross-record checks' input, a policy's lines at a time (then the landscape's), each line once,
        streamed from the store. A line on a policy's node is one policy's own and is said once by it (a
        policy states only its own nodes, the landscape none of them): only the other lines, on shared
        nodes said of by many, are remembered to be passed once."""
        seen: set[str] = set()
        policy = "<" + self.prefix

        def first(line: str) -> bool:
            if line in seen:
                return False
            seen.add(line)
            return True

        for (text,) in self.db.execute("SELECT global FROM policies ORDER BY id"):
            yield "".join(line for line in _lines(text) if line.startswith(policy) or first(line))
        yield "".join(filter(first, _lines(str(self.cache.get("landscape:checked") or ""))))

    def _global_digest(self) -> str:
        """A digest of every policy's global triples (from their own digests, so no text is read)."""
        landscape = _digest(str(self.cache.get("landscape:checked") or "")
                            + str(self.cache.get("landscape:files") or ""))
        return _digest("".join(f"{pid}\0{ghash}\n" for pid, ghash
                               in self.db.execute("SELECT id, ghash FROM policies ORDER BY id")) + landscape)

    def _store_global(self, digest: str, findings: list[Finding], used: set[str | None]) -> None:
        keys = dict(self.db.execute("SELECT id, key FROM policies"))
        depends = {p: keys.get(p) for p in used if p}
        self.cache.put("global", _pack([digest, [f.as_dict() for f in findings], depends]))



class _Records(Mapping[str, list[Record]]):
    """Policy id -> its records, decoded from the store on use (and noted as used); kept until forgotten."""

    def __init__(self, db: sqlite3.Connection, members: dict[str, list[_File]]):
        self.db = db
        self.members = members
        self.loaded: dict[str, list[Record]] = {}
        self.used: set[str] = set()

    def record(self, file: _File) -> Record:
        blob = self.db.execute("SELECT record FROM files WHERE rel=?", (file.rel,)).fetchone()[0]
        return _record(_unpack(blob))

    def forget(self) -> None:
        """Let the decoded records go (between chunks: memory is bounded by the chunk, not the corpus)."""
        self.loaded.clear()

    def __getitem__(self, pid: str) -> list[Record]:
        if pid not in self.members:
            raise KeyError(pid)
        self.used.add(pid)
        if pid not in self.loaded:
            self.loaded[pid] = [self.record(f) for f in self.members[pid]]
        return self.loaded[pid]

    def __iter__(self) -> Iterator[str]:
        return iter(self.members)

    def __len__(self) -> int:
        return len(self.members)


class _SharedNodes:
    """Shared subject -> its triples as the whole corpus states them, parsed on first use; a bounded number
    is kept (there are few shared nodes, but every IRI a policy names is asked for)."""

    LIMIT = 20_000

    def __init__(self, build: IncrementalBuild):
        self.build = build
        self.parsed: dict[str, list[Triple]] = {}

    def triples(self, subject: str) -> list[Triple]:
        found = self.parsed.get(subject)
        if found is None:
            if len(self.parsed) >= self.LIMIT:
                self.parsed.clear()
            found = self.parsed[subject] = _parse(self.build._shared_lists([subject]).get(subject, ""))
        return found


@dataclass(frozen=True)
class _Dump:
    """How one dump is laid out: its blocks' column, their sort key, the frame around them."""

    column: str
    key: str  # the blocks column it is sorted by; also its slot in _LAYOUT_ROW, size three slots on
    slot: int

    def entry(self, row: tuple[str, str, str, int, int, int]) -> tuple[str, str, int]:
        """(sort key, subject, block size) from a _LAYOUT_ROW."""
        return row[self.slot], row[0], row[self.slot + 3]  # type: ignore[return-value]

    def frame(self, base: str) -> tuple[bytes, bytes, bytes]:
        if self.column == "ttl":
            return turtle_header(base).encode("utf-8"), b"", b""
        if self.column == "jsonld":
            head, tail = jsonld_frame()
            return head.encode("utf-8"), JSONLD_SEPARATOR.encode("utf-8"), tail.encode("utf-8")
        return b"", b"", b""


_DUMPS = {"ttl": _Dump("ttl", "subject", 0), "nt": _Dump("nt", "ntkey", 1), "jsonld": _Dump("jsonld", "jid", 2)}
_LAYOUT_ROW = "subject, ntkey, jid, ttl_n, nt_n, jsonld_n"


@dataclass
class _Layout:
    """One dump's blocks in order: sort keys, subjects, sizes in bytes (what splicing needs of the old file)."""

    keys: list[str]
    subjects: list[str]
    sizes: array.array  # type: ignore[type-arg]

    def copy(self) -> _Layout:
        return _Layout(list(self.keys), list(self.subjects), array.array("q", self.sizes))

    def remove(self, key: str, subject: str) -> None:
        at = bisect.bisect_left(self.keys, key)
        if at < len(self.keys) and self.subjects[at] == subject:
            del self.keys[at], self.subjects[at], self.sizes[at]

    def insert(self, key: str, subject: str, size: int) -> None:
        at = bisect.bisect_left(self.keys, key)
        self.keys.insert(at, key)
        self.subjects.insert(at, subject)
        self.sizes.insert(at, size)

    def dump(self, fmt: str) -> bytes:
        """Joined text and raw integers: a tenth of pickle's time for 60k subjects."""
        keys = "\n".join(self.keys) if fmt == "jsonld" else ""
        text = ("\n".join(self.subjects) + "\0" + keys).encode("utf-8")
        return len(text).to_bytes(8, "little") + text + self.sizes.tobytes()

    @classmethod
    def load(cls, fmt: str, blob: bytes) -> _Layout:
        size = int.from_bytes(blob[:8], "little")
        subjects_text, keys_text = blob[8:8 + size].decode("utf-8").split("\0")
        subjects = subjects_text.split("\n") if subjects_text else []
        sizes = array.array("q")
        sizes.frombytes(blob[8 + size:])
        if fmt == "jsonld":
            keys = keys_text.split("\n") if keys_text else []
        else:
            keys = subjects if fmt == "ttl" else [nt_order(s) for s in subjects]
        return cls(list(keys), subjects, sizes)


def _layout_blob(db: sqlite3.Connection, fmt: str, dump: _Dump) -> bytes:
    """A dump's layout made from every block, ordered by SQLite, one dump at a time: what
    ``_Layout(...).dump(fmt)`` gives, without the corpus's subjects held three times over."""
    subjects: list[str] = []
    keys: list[str] = []
    sizes = array.array("q")
    for key, subject, size in db.execute(
            f"SELECT {dump.key}, subject, {dump.column}_n FROM blocks ORDER BY {dump.key}, subject"):
        subjects.append(subject)
        sizes.append(size)
        if fmt == "jsonld":
            keys.append(key)
    return _Layout(keys, subjects, sizes).dump(fmt)


def _next(positions: list[int], start: int, end: int) -> int:
    """The first position at or after start, or end."""
    at = bisect.bisect_left(positions, start)
    return positions[at] if at < len(positions) else end


def _copy(source: IO[bytes], target: IO[bytes], offset: int, count: int) -> None:
    """Old bytes into the new file: in the kernel where it can, through a buffer where it cannot."""
    target.flush()
    while count > 0:
        try:
            done = os.copy_file_range(source.fileno(), target.fileno(), count, offset)
        except (AttributeError, OSError):
            done = target.write(os.pread(source.fileno(), min(count, 1 << 24), offset))
        if done <= 0:
            raise OSError(f"short copy from {source.name}")
        offset += done
        count -= done


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _lines(text: str) -> list[str]:
    """N-Triples text cut after each line break ("\\n") alone: ``str.splitlines`` also cuts at U+0085,
    U+2028 and other characters a literal holds unescaped."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _distinct_lines(rows: Iterable[tuple[str, str]]) -> str:
    """What a corpus says of a shared node: the policies' lines in policy-id order, each line once."""
    lines: dict[str, None] = {}
    for _, text in sorted(rows):
        lines.update(dict.fromkeys(_lines(text)))
    return "".join(lines)


def _policy_key(files: list[_File]) -> str:
    return _digest("\n".join(f"{f.rel}\0{f.hash}" for f in files))


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=20).hexdigest()


def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _nt(triples: list[Triple]) -> list[str]:
    return [line + "\n" for line in nt_lines(triples)]


def _is_link(line: str) -> bool:
    """A lineage link of the inverse table, or a policy's rdf:type: all that the inverse links need."""
    predicate = line.split(" ", 2)[1][1:-1]
    return predicate in _INVERSE or (predicate == _TYPE and line.endswith("#Policy> .\n"))


def _inverse(link_texts: Iterable[str]) -> set[str]:
    """The inverse link lines the export adds, from the policies' link lines (kg.mapping.inverse_links)."""
    links: list[tuple[str, str, str]] = []
    policies: set[str] = set()
    for text in link_texts:
        for line in filter(None, text.split("\n")):  # not splitlines: a literal may hold U+0085 or U+2028
            s, p, o = line.split(" ", 2)
            if p[1:-1] in _INVERSE:
                links.append((s, p[1:-1], o[:-2]))
            elif p[1:-1] == _TYPE and o == f"<{_POLICY}> .":
                policies.add(s)
    return {f"{s} <{p}> {o} .\n" for s, p, o in inverse_links(links, policies, _INVERSE)}


_LISTING = frozenset(f"<{p}>" for p in LISTED_PREDICATES)


def _is_listing(line: str) -> bool:
    parts = line.split(" ", 2)
    return len(parts) == 3 and parts[1] in _LISTING


class _Sink:
    def __init__(self) -> None:
        self.triples: list[Triple] = []

    def triple(self, s: Triple, p: Triple, o: Triple) -> None:
        self.triples.append((s, p, o))  # type: ignore[arg-type]


def _parse(text: str) -> list[Triple]:
    """N-Triples lines back to rdflib terms, in order (a Graph would lose the order).

    Lines of three IRIs (links, types, listings: most of them) are split
    directly; rdflib's parser, which is slow per line, reads the others.
    """
    if not text:
        return []
    sink = _Sink()
    parser = W3CNTriplesParser(sink=sink)  # type: ignore[arg-type]
    for line in filter(None, text.split("\n")):  # not splitlines: a literal may hold U+0085 or U+2028
        parts = line.split(" ")
        if len(parts) == 4 and parts[2].startswith("<") and parts[3] == ".":
            sink.triples.append((URIRef(parts[0][1:-1]), URIRef(parts[1][1:-1]), URIRef(parts[2][1:-1])))
        else:
            parser.parsestring(line)
    return sink.triples


__all__ = ["CACHE_FILE", "Built", "IncrementalBuild", "cache_key", "summary"]


# --- the cache's data format: JSON behind a checksum, never code -----------------------------------


def healed_notice(cache: Path, reason: str) -> Finding:
    """The info a build gives when it threw a damaged cache away and rebuilt from the records."""
    return Finding(file=str(cache), line=None, field="", severity=Severity.INFO, rule="ccus-kg:build/cache-healed",
                   message=f"the build cache was damaged ({reason}); it was rebuilt from the records")


class CacheCorrupt(Exception):
    """A cache entry whose checksum does not match: the cache is rebuilt, never trusted."""


def _pack(value: object) -> bytes:
    """JSON with a blake2b checksum in front: data only (a tampered cache cannot run code), damage detected."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return hashlib.blake2b(text, digest_size=16).digest() + text


def _unpack(blob: object) -> Any:
    if not isinstance(blob, bytes) or len(blob) < 16 \
            or hashlib.blake2b(blob[16:], digest_size=16).digest() != blob[:16]:
        raise CacheCorrupt("a cache entry fails its checksum")
    try:
        return json.loads(blob[16:])
    except ValueError as exc:
        raise CacheCorrupt(f"a cache entry is not JSON: {exc}") from None


def _record_data(record: Record) -> dict[str, Any]:
    return {"id": record.id, "lang": record.lang, "path": os.fspath(record.path), "rel": record.rel,
            "data": record.data, "body": record.body, "format": record.format, "display": record.display}


def _record(data: dict[str, Any]) -> Record:
    return Record(id=data["id"], lang=data["lang"], path=Path(data["path"]), rel=data["rel"], data=data["data"],
                  body=data["body"], format=data["format"], display=data["display"])


def _findings(items: list[dict[str, Any]]) -> list[Finding]:
    return [Finding(**{**item, "severity": Severity(item["severity"])}) for item in items]
