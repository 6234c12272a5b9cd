"""Incremental builds: re-map and re-validate only the policies whose records changed.

The cache is one SQLite file under the output folder. It keeps, per record
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
  point into changed, which would move their line numbers).

A key over the ontology files, the package's code, the library versions,
the base IRI and the folders guards the whole cache: any change there and
the cache starts empty, so a changed shape re-validates everything.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from rdflib import URIRef
from rdflib.plugins.parsers.ntriples import W3CNTriplesParser

from kg.errors import Finding, RecordError, Severity
from kg.export import (
    jsonld_blocks,
    jsonld_document,
    nt_blocks,
    nt_lines,
    turtle_blocks,
    turtle_document,
)
from kg.iris import Minter
from kg.mapping import Index, Triple, map_policy, patch_triples
from kg.namespaces import CCUS, RDF
from kg.records import Record, duplicate_finding, iter_files, load_record
from kg.resources import data_dir
from kg.validation import (
    LISTED_PREDICATES,
    Locator,
    Result,
    check_results,
    finding_order,
    global_triples,
    unique_results,
)
from kg.vocab import vocabularies

CACHE_FILE = Path(".cache") / "build.sqlite"
FORMAT = "2"  # bump when the cache's tables or their meaning change
_INVERSE = {str(CCUS.supersedes): str(CCUS.supersededBy), str(CCUS.supersededBy): str(CCUS.supersedes)}
_TYPE, _POLICY = str(RDF.type), str(CCUS.Policy)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS files(rel TEXT PRIMARY KEY, stat TEXT, hash TEXT, id TEXT, lang TEXT,
                                 record BLOB, findings BLOB);
CREATE TABLE IF NOT EXISTS policies(id TEXT PRIMARY KEY, key TEXT, subjects TEXT, global TEXT, findings BLOB);
CREATE TABLE IF NOT EXISTS shared(subject TEXT, policy TEXT, nt TEXT, PRIMARY KEY(subject, policy));
CREATE INDEX IF NOT EXISTS shared_policy ON shared(policy);
CREATE TABLE IF NOT EXISTS blocks(subject TEXT PRIMARY KEY, n INTEGER, ttl TEXT, nt TEXT, jid TEXT, jsonld TEXT);
"""

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

    def counts(self) -> dict[str, int]:
        return severity_counts(self.findings)

    def summary(self) -> dict[str, object]:
        """The same summary a full build gives, plus how much of the corpus this run redid."""
        return {**summary(self.findings, records=self.records, files=self.files, policies=self.policies,
                          languages=self.languages, triples=self.triples, seconds=self.seconds),
                "remapped": self.remapped}


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Severity -> number of findings, every severity present."""
    counter = Counter(f.severity.value for f in findings)
    return {s.value: counter.get(s.value, 0) for s in Severity}


def summary(findings: list[Finding], *, records: int, files: int, policies: int, languages: list[str],
            triples: int, seconds: float) -> dict[str, object]:
    """The build summary as data: what `build --format json` prints besides the findings."""
    counts = severity_counts(findings)
    return {"records": records, "files": files, "policies": policies, "languages": languages,
            "triples": triples, "errors": counts["violation"], "warnings": counts["warning"],
            "info": counts["info"], "seconds": round(seconds, 3)}


@dataclass
class _File:
    rel: str
    path: Path
    stat: str
    hash: str
    id: str | None
    lang: str | None
    record: Record | None = None  # loaded in this run (changed files only)
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

    def __init__(self, path: Path, key: str):
        self.path = path
        self.new = not path.exists()
        self.folders = [p for p in reversed(path.parents) if not p.exists()]
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self.db = self._open(str(path), key)
            except sqlite3.DatabaseError:  # a torn or foreign file: it is only a cache
                path.unlink(missing_ok=True)
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
        db.executescript(_SCHEMA)
        row = db.execute("SELECT value FROM meta WHERE key='key'").fetchone()
        if row is None or row[0] != key:
            db.execute("BEGIN")
            for table in ("meta", "files", "policies", "shared", "blocks"):
                db.execute(f"DELETE FROM {table}")
            db.execute("INSERT INTO meta VALUES ('key', ?)", (key,))
            db.execute("COMMIT")
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
    """One build against the cache; ``run`` first, then ``documents``, then ``commit``."""

    def __init__(self, seeds: Path, out: Path, base: str):
        self.root = Path(seeds)
        if not self.root.exists():
            raise RecordError(f"{self.root}: no such folder")
        if not self.root.is_dir():
            raise RecordError(f"{self.root}: not a folder of records")
        self.minter = Minter(base)
        self.prefix = self.minter.base + "policy/"
        self.cache = Cache(Path(out) / CACHE_FILE, cache_key(self.root, self.minter.base))
        self.db = self.cache.db
        self.changed = False

    # --- the steps -------------------------------------------------------------------------------

    def run(self, progress: Progress | None = None) -> Built:
        """Bring the cache up to date with the records; nothing is written outside it."""
        self.db.execute("BEGIN")
        files = self._scan(progress)
        winners, losers = _winners(files)
        members: dict[str, list[_File]] = {}
        for f in winners:
            members.setdefault(f.id or "", []).append(f)
        keys = {pid: _policy_key(fs) for pid, fs in members.items()}
        old_keys = dict(self.db.execute("SELECT id, key FROM policies"))
        dirty = {pid for pid in keys.keys() | old_keys.keys() if keys.get(pid) != old_keys.get(pid)}
        cold = not old_keys
        self.changed = bool(dirty) or self.cache.get("outputs") is None
        self._records = _Records(self.db, members)
        remapped = self._update(dirty, keys, cold) if dirty else {}
        global_findings, rerun = self._global_findings(cold, remapped)
        findings = [f for file in files for f in (file.findings or ())]
        findings += [duplicate_finding(self._records.record(f), first) for f, first in losers]
        for (blob,) in self.db.execute("SELECT findings FROM policies"):
            findings += pickle.loads(blob)
        findings += global_findings
        findings.sort(key=finding_order)
        triples = self.db.execute("SELECT COALESCE(SUM(n), 0) FROM blocks").fetchone()[0]
        return Built(findings=findings, records=len(winners), files=len(files), policies=len(members),
                     languages=sorted({f.lang or "" for f in winners}), triples=triples,
                     remapped=len(remapped), revalidated_globally=rerun)

    def documents(self) -> dict[str, str]:
        """The three dumps (format -> text), spliced from the blocks."""
        # SQLite orders TEXT by its UTF-8 bytes, which is Python's order of str; "subject || '> '" is nt_order.
        return {
            "ttl": turtle_document((t for (t,) in self.db.execute("SELECT ttl FROM blocks ORDER BY subject")),
                                   self.minter.base),
            "nt": "".join(t for (t,) in self.db.execute("SELECT nt FROM blocks ORDER BY subject || '> '")),
            "jsonld": jsonld_document(t for (t,) in self.db.execute("SELECT jsonld FROM blocks ORDER BY jid")),
        }

    def unchanged(self, paths: Iterable[Path]) -> bool:
        """True when nothing changed and every output is still the file this cache last wrote."""
        stamp = self.cache.get("outputs")
        return not self.changed and stamp is not None and stamp == _stamp(paths)

    def written(self, paths: Iterable[Path] | None) -> None:
        """Record what the dumps on disk are (None: they were not written, so never trust them)."""
        self.cache.put("outputs", None if paths is None else _stamp(paths))

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
        paths = list(iter_files(self.root))
        files: list[_File] = []
        cut = len(os.fspath(self.root).rstrip(os.sep)) + 1
        for done, path in enumerate(paths, start=1):
            if progress is not None:
                progress(done, len(paths))
            rel = os.fspath(path)[cut:].replace(os.sep, "/")
            st = os.stat(path)
            stat = f"{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_size}:{st.st_ino}"
            old = known.pop(rel, None)
            if old is not None and old[0] == stat:
                files.append(_File(rel, path, stat, old[1], old[2], old[3]))
                continue
            digest = hashlib.blake2b(path.read_bytes(), digest_size=20).hexdigest()
            if old is not None and old[1] == digest:
                self.db.execute("UPDATE files SET stat=? WHERE rel=?", (stat, rel))
                files.append(_File(rel, path, stat, old[1], old[2], old[3]))
                continue
            record, found = load_record(path, self.root)
            file = _File(rel, path, stat, digest, record.id if record else None,
                         record.lang if record else None, record, found)
            self.db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (rel, stat, digest, file.id, file.lang,
                             pickle.dumps(record) if record else None, pickle.dumps(found) if found else None))
            files.append(file)
        for rel in known:  # deleted since the last build
            self.db.execute("DELETE FROM files WHERE rel=?", (rel,))
        unread = [f for f in files if f.findings is None]
        blobs = dict(self.db.execute("SELECT rel, findings FROM files WHERE findings IS NOT NULL"))
        for f in unread:
            f.findings = pickle.loads(blobs[f.rel]) if f.rel in blobs else []
        return files

    # --- mapping, patches, blocks ----------------------------------------------------------------

    def _update(self, dirty: set[str], keys: dict[str, str], cold: bool) -> dict[str, _Policy]:
        globals_ = dict(self.db.execute("SELECT id, global FROM policies"))
        old_inverse = set(str(self.cache.get("inverse") or "").splitlines(keepends=True))
        mapped: dict[str, _Policy] = {}
        touched_shared: set[str] = set()
        old_subjects: set[str] = set()
        todo = set(dirty)
        while todo:  # a second round takes the policies the first one reached through links or shared nodes
            reached: set[str] = set()
            said_before = self._shared_of(todo)
            before = self._shared_lists(said_before)
            said_now: set[str] = set()
            for pid in sorted(todo):
                row = self.db.execute("SELECT subjects FROM policies WHERE id=?", (pid,)).fetchone()
                if row is not None and row[0]:
                    old_subjects.update(row[0].split("\n"))
                mapped[pid] = policy = self._map(pid)
                globals_[pid] = "".join(_nt(global_triples(policy.stated, self.minter)))
                self.db.execute("DELETE FROM shared WHERE policy=?", (pid,))
                by_subject: dict[str, list[str]] = {}
                for (s, _, _), line in zip(policy.stated, _nt(policy.stated), strict=True):
                    if not str(s).startswith(self.prefix):
                        by_subject.setdefault(str(s), []).append(line)
                self.db.executemany("INSERT INTO shared VALUES (?, ?, ?)",
                                    [(s, pid, "".join(dict.fromkeys(ls))) for s, ls in by_subject.items()])
                said_now.update(by_subject)
            before.update(self._shared_lists(said_now - said_before, leave_out=todo))
            after = self._shared_lists(said_before | said_now)
            for subject in said_before | said_now:
                if before.get(subject) != after.get(subject):
                    reached.update(p for (p,) in self.db.execute(
                        "SELECT policy FROM shared WHERE subject=?", (subject,)))
            touched_shared |= said_before | said_now
            inverse = _inverse(globals_.values())
            for line in inverse ^ old_inverse:
                owner = self.minter.policy_id(line[1:line.index(">")])
                if owner is not None:
                    reached.add(owner)
            old_inverse = inverse
            todo = (reached & keys.keys()) - mapped.keys()
        self.cache.put("inverse", "".join(sorted(old_inverse)))
        shared_lists = self._shared_lists(touched_shared)
        inverse_triples = _parse("".join(old_inverse))
        inverse_by_owner: dict[str, list[Triple]] = {}
        for triple in inverse_triples:
            inverse_by_owner.setdefault(str(triple[0]), []).append(triple)
        shared_triples = {s: _parse(text) for s, text in shared_lists.items()}
        # Patches need the shared nodes a policy names as the whole corpus states them, in corpus order.
        need = {str(o) for policy in mapped.values() for _, _, o in policy.stated
                if isinstance(o, URIRef) and str(o) not in shared_triples and _is_shared(str(o), self.prefix)}
        shared_triples.update({s: _parse(t) for s, t in self._shared_lists(need).items()})
        vocab = vocabularies()
        rendered: dict[str, list[Triple]] = {}
        for pid in sorted(mapped):
            policy = mapped[pid]
            own = [t for t in policy.stated if str(t[0]).startswith(self.prefix)]
            iri = str(self.minter.policy(pid))
            links = inverse_by_owner.get(iri, [])
            names = {str(o) for _, _, o in policy.stated if isinstance(o, URIRef)}
            index = Index([*own, *(t for s in sorted(names & shared_triples.keys()) for t in shared_triples[s]),
                           *links])
            patches = [t for record in policy.records for t in patch_triples(record, index, self.minter, vocab)]
            for triple in [*own, *links, *patches]:
                rendered.setdefault(str(triple[0]), []).append(triple)
            subjects = sorted({str(t[0]) for t in [*own, *links, *patches]})
            if pid in keys:
                self.db.execute("INSERT OR REPLACE INTO policies VALUES (?, ?, ?, ?, ?)",
                                (pid, keys[pid], "\n".join(subjects), globals_[pid], b""))
            else:
                self.db.execute("DELETE FROM policies WHERE id=?", (pid,))
                self.db.execute("DELETE FROM shared WHERE policy=?", (pid,))
        for subject in touched_shared:
            rendered[subject] = shared_triples.get(subject) or _parse(self._shared_lists({subject}).get(subject, ""))
        self._validate(mapped, cold)
        self._render(rendered, (old_subjects | touched_shared) - rendered.keys())
        return mapped

    def _map(self, pid: str) -> _Policy:
        records = self._records.get(pid, [])
        if not records:
            return _Policy()
        stated, findings = map_policy(records, self.minter, vocabularies())
        return _Policy(stated, findings, records)

    def _shared_of(self, pids: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for pid in pids:
            out.update(s for (s,) in self.db.execute("SELECT subject FROM shared WHERE policy=?", (pid,)))
        return out

    def _shared_lists(self, subjects: Iterable[str], leave_out: Iterable[str] = ()) -> dict[str, str]:
        """Shared subject -> its distinct N-Triples lines, first said first, policies in id order."""
        skip = set(leave_out)
        out: dict[str, str] = {}
        for subject in subjects:
            lines: dict[str, None] = {}
            for pid, text in self.db.execute("SELECT policy, nt FROM shared WHERE subject=? ORDER BY policy",
                                             (subject,)):
                if pid not in skip:
                    lines.update(dict.fromkeys(text.splitlines(keepends=True)))
            if lines:
                out[subject] = "".join(lines)
        return out

    def _render(self, triples: dict[str, list[Triple]], gone: set[str]) -> None:
        self.db.executemany("DELETE FROM blocks WHERE subject=?", [(s,) for s in gone])
        everything = [t for ts in triples.values() for t in ts]
        ttl, nt, jsonld = turtle_blocks(everything, self.minter.base), nt_blocks(everything), \
            jsonld_blocks(everything, self.minter.base)
        counts = {s: len(set(ts)) for s, ts in triples.items()}
        rows = [(s, counts[s], ttl[s], nt[s], *jsonld[s]) for s in ttl]
        self.db.executemany("INSERT OR REPLACE INTO blocks VALUES (?, ?, ?, ?, ?, ?)", rows)
        self.db.executemany("DELETE FROM blocks WHERE subject=?", [(s,) for s in triples if s not in ttl])

    # --- validation ------------------------------------------------------------------------------

    def _validate(self, mapped: dict[str, _Policy], cold: bool) -> None:
        """Per-record checks for the re-mapped policies (all checks at once on a cold cache)."""
        stated = [t for policy in mapped.values() for t in policy.stated]
        records = {pid: policy.records for pid, policy in mapped.items()}
        results = check_results(stated, Locator(records, stated, self.minter), self.minter,
                                cross=None if cold else False)
        per_policy: dict[str, list[Result]] = {pid: [] for pid in mapped}
        global_: list[Result] = []
        for result in results:
            owner = self._owner(result.focus)
            if result.cross or owner is None:
                global_.append(result)
            elif owner in per_policy:
                per_policy[owner].append(result)
        for pid, found in per_policy.items():
            findings = mapped[pid].findings + [r.finding for r in unique_results(found)]
            self.db.execute("UPDATE policies SET findings=? WHERE id=?", (pickle.dumps(findings), pid))
        if cold:
            used = {self._owner(r.focus) for r in global_} | {r.finding.record for r in global_}
            self._store_global(self._global_input(), [r.finding for r in unique_results(global_)], used)

    def _global_findings(self, cold: bool, remapped: Mapping[str, _Policy]) -> tuple[list[Finding], bool]:
        """The cross-record and shared-node findings: cached, or run again on the global triples."""
        text = self._global_input()
        cached = self.cache.get("global")
        if cached is not None:
            digest, findings, used = pickle.loads(cached)
            keys = dict(self.db.execute("SELECT id, key FROM policies"))
            if digest == _digest(text) and used == {p: keys.get(p) for p in used}:
                return findings, cold
        listed = _parse("".join(line for line in text.splitlines(keepends=True) if _is_listing(line)))
        locator = Locator(self._records, listed, self.minter)
        results = check_results([], locator, self.minter, nt=text.encode("utf-8"))
        global_ = [r for r in results if r.cross or self._owner(r.focus) is None]
        findings = [r.finding for r in unique_results(global_)]
        self._store_global(text, findings, set(self._records.used))
        return findings, True

    def _global_input(self) -> str:
        return "".join(t for (t,) in self.db.execute("SELECT global FROM policies ORDER BY id"))

    def _store_global(self, text: str, findings: list[Finding], used: set[str | None]) -> None:
        keys = dict(self.db.execute("SELECT id, key FROM policies"))
        depends = {p: keys.get(p) for p in used if p}
        self.cache.put("global", pickle.dumps((_digest(text), findings, depends)))

    def _owner(self, focus: object) -> str | None:
        text = str(focus)
        if not text.startswith(self.prefix):
            return None
        return self.minter.policy_id(self.prefix + text[len(self.prefix):].split("/", 1)[0])


class _Records(Mapping[str, list[Record]]):
    """Policy id -> its records, unpickled from the cache on first use (and noted as used)."""

    def __init__(self, db: sqlite3.Connection, members: dict[str, list[_File]]):
        self.db = db
        self.members = members
        self.loaded: dict[str, list[Record]] = {}
        self.used: set[str] = set()

    def record(self, file: _File) -> Record:
        if file.record is None:
            blob = self.db.execute("SELECT record FROM files WHERE rel=?", (file.rel,)).fetchone()[0]
            file.record = pickle.loads(blob)
        return file.record

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


def _winners(files: list[_File]) -> tuple[list[_File], list[tuple[_File, str]]]:
    """The files that hold a policy's language version; later files reusing an id and language lose."""
    seen: dict[tuple[str, str], str] = {}
    winners, losers = [], []
    for f in files:
        if f.id is None:
            continue
        key = (f.id, f.lang or "")
        if key in seen:
            losers.append((f, seen[key]))
            continue
        seen[key] = f.rel
        winners.append(f)
    winners.sort(key=lambda f: (f.id or "", f.lang or ""))
    return winners, losers


def _policy_key(files: list[_File]) -> str:
    return _digest("\n".join(f"{f.rel}\0{f.hash}" for f in files))


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=20).hexdigest()


def _stamp(paths: Iterable[Path]) -> str:
    out = {}
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            return "missing"
        out[str(path)] = [st.st_size, st.st_mtime_ns, st.st_ino]
    return json.dumps(out, sort_keys=True)


def _nt(triples: list[Triple]) -> list[str]:
    return [line + "\n" for line in nt_lines(triples)]


def _inverse(global_texts: Iterable[str]) -> set[str]:
    """supersedes <-> supersededBy lines the export adds, from the policies' global triples."""
    links: list[tuple[str, str, str]] = []
    policies: set[str] = set()
    for text in global_texts:
        for line in text.splitlines():
            s, p, o = line.split(" ", 2)
            if p[1:-1] in _INVERSE:
                links.append((s, p[1:-1], o[:-2]))
            elif p[1:-1] == _TYPE and o == f"<{_POLICY}> .":
                policies.add(s)
    have = set(links)
    out = set()
    for s, p, o in links:
        if o in policies and (o, _INVERSE[p], s) not in have:
            out.add(f"{o} <{_INVERSE[p]}> {s} .\n")
    return out


_LISTING = frozenset(f"<{p}>" for p in LISTED_PREDICATES)


def _is_listing(line: str) -> bool:
    parts = line.split(" ", 2)
    return len(parts) == 3 and parts[1] in _LISTING


def _is_shared(iri: str, policy_prefix: str) -> bool:
    return not iri.startswith(policy_prefix)


class _Sink:
    def __init__(self) -> None:
        self.triples: list[Triple] = []

    def triple(self, s: Triple, p: Triple, o: Triple) -> None:
        self.triples.append((s, p, o))  # type: ignore[arg-type]


def _parse(text: str) -> list[Triple]:
    """N-Triples lines back to rdflib terms, in order (a Graph would lose the order)."""
    if not text:
        return []
    sink = _Sink()
    parser = W3CNTriplesParser(sink=sink)  # type: ignore[arg-type]
    for line in text.splitlines():
        parser.parsestring(line)
    return sink.triples


__all__ = ["CACHE_FILE", "Built", "IncrementalBuild", "cache_key", "severity_counts", "summary"]
