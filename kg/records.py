"""Markdown + front matter -> Record, with every problem named by file and field.

A corpus is read whole: each bad record becomes findings (file, line, dotted
field path) and is skipped, never silently, while the others still load.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import pycountry
import yaml
from frontmatter.default_handlers import YAMLHandler

from kg.errors import Finding, RecordError, Severity
from kg.parsing import MAX_DEPTH, MAX_RECORD_BYTES, ParseError, Problem, load_json, load_yaml, value_problems

DEFAULT_LANG = "en"
RULE_PREFIX = "ccus-kg:load/"


class Kind(Enum):
    """What a field holds, as the record format defines it."""

    TEXT = "text"  # a string in the record's language
    STRING = "string"  # a string with no language (codes, names of agents)
    DATE = "date"  # YYYY-MM-DD, a real calendar date
    PARTIAL_DATE = "partial-date"  # YYYY, YYYY-MM or YYYY-MM-DD
    YEAR = "year"  # an integer year
    SCORE = "score"  # an integer 0..100
    TEXTS = "texts"  # a list of strings in the record's language
    STRINGS = "strings"  # a list of plain strings
    IDS = "ids"  # a list of policy ids
    ID = "id"  # one policy id, or "" for none
    ID_OR_IDS = "id-or-ids"  # a list of policy ids, or one id written as a string
    MILESTONES = "milestones"  # a list of {date, event, type}
    SOURCES = "sources"  # a list of {url, title, supports: [dotted field paths]}


DIMENSIONS = ("incentive", "market", "mrv", "statutory", "strategic", "technical")
REGULATORY = (
    "co2_definition",
    "cross_border_rules",
    "financial_assurance",
    "liability_period",
    "liability_transfer",
    "permitting_lead_time",
    "pore_space_rights",
)
IMPACTS = ("economic", "environmental", "technical")
# Typed legal relationships under `evolution`, each with the field its inverse is written in.
# (supersedes / supersededBy, the replacement line, predate them and keep their own kinds.)
RELATIONS: dict[str, str] = {
    "amends": "amendedBy",
    "repeals": "repealedBy",
    "implements": "implementedBy",
    "transposes": "transposedBy",
}
SOURCE_FIELDS = {"url": Kind.STRING, "title": Kind.TEXT, "supports": Kind.STRINGS}
# Milestone types the format knows (shapes.ttl warns on any other). An instrument starts at its
# earliest START milestone ("commenced" is another word for "in-force") and ends at its earliest END one;
# "provisionally-applied" is applied, not in force.
MILESTONE_TYPES = ("announced", "adopted", "in-force", "commenced", "provisionally-applied", "amended",
                   "repealed", "expired", "lapsed")
START_MILESTONES = frozenset({"in-force", "commenced"})
END_MILESTONES = frozenset({"repealed", "expired", "lapsed"})
ASSESSMENT_FIELDS = {
    "score": Kind.SCORE,
    "label": Kind.TEXT,
    "evidence": Kind.TEXT,
    "citation": Kind.TEXT,
    "auditNote": Kind.TEXT,
}

# The record format: every known field and its kind.  Anything else a record
# holds is an unknown field, kept by the mapping under ccus:extra.
SCHEMA: dict[str, Kind] = {
    "id": Kind.STRING,
    "title": Kind.TEXT,
    "country": Kind.TEXT,
    "jurisdiction": Kind.STRING,
    "language": Kind.STRING,
    "source": Kind.TEXT,
    "pubDate": Kind.DATE,
    "year": Kind.YEAR,
    "status": Kind.TEXT,
    "category": Kind.TEXT,
    "legalWeight": Kind.TEXT,
    "reviewStatus": Kind.TEXT,
    "url": Kind.STRING,
    "description": Kind.TEXT,
    "interpretation": Kind.TEXT,
    "sectors": Kind.TEXTS,
    "relatedFacilities": Kind.STRINGS,
    **{f"analysis.{d}.{f}": k for d in DIMENSIONS for f, k in ASSESSMENT_FIELDS.items()},
    **{f"impactAnalysis.{i}": Kind.TEXT for i in IMPACTS},
    **{f"regulatory.{r}": Kind.TEXT for r in REGULATORY},
    "evolution.supersedes": Kind.IDS,
    "evolution.supersededBy": Kind.ID,
    "evolution.consolidatedFrom": Kind.IDS,
    **{f"evolution.{name}": Kind.ID_OR_IDS for pair in RELATIONS.items() for name in pair},
    "evolution.clusters": Kind.TEXTS,
    "evolution.milestones": Kind.MILESTONES,
    "evolution.currentConsolidatedVersion": Kind.TEXT,
    "evolution.effectiveApplicationWindow": Kind.STRING,
    "evolution.sourcePublicationDate": Kind.DATE,
    "provenance.author": Kind.STRING,
    "provenance.reviewer": Kind.STRING,
    "provenance.lastAuditDate": Kind.DATE,
    "sources": Kind.SOURCES,
}
# Groups: known dicts whose members are listed above.
GROUPS = frozenset(
    {"analysis", "impactAnalysis", "regulatory", "evolution", "provenance"}
    | {f"analysis.{d}" for d in DIMENSIONS}
)

# A content root's folders: policies, facilities and stated country profiles. When policies lie flat at the
# top of a folder that also holds facilities/ or countries/, the policy loader skips those two.
RESERVED_FOLDERS = frozenset({"facilities", "countries"})

T = TypeVar("T")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARTIAL = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LANG_DIR = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass
class Record:
    """One record file as written: front matter (dates as ISO text) and body."""

    id: str
    lang: str
    path: Path
    rel: str
    data: dict[str, Any]
    body: str
    format: str = "json"
    display: str = ""  # the path as findings name it (relative to the working folder)

    def get(self, dotted: str, default: Any = None) -> Any:
        """The value at a dotted path, or ``default`` when any step is missing."""
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node


@dataclass
class Corpus:
    """The records of one corpus folder plus everything wrong with it."""

    root: Path
    records: list[Record] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    facilities: list[Record] = field(default_factory=list)  # filled by kg.facilities.load_landscape
    countries: list[Record] = field(default_factory=list)  # stated jurisdiction profiles

    def policies(self) -> dict[str, list[Record]]:
        """Records grouped by id: one policy, one record per language."""
        out: dict[str, list[Record]] = {}
        for record in self.records:
            out.setdefault(record.id, []).append(record)
        return out


@dataclass(frozen=True)
class ContentRoot:
    """Where a content root keeps each kind of record (None: it holds none of that kind)."""

    root: Path
    policies: Path
    facilities: Path | None = None
    countries: Path | None = None


def content_root(root: Path) -> ContentRoot:
    """The folders of a content root: ``policies/``, ``facilities/``, ``countries/`` (each flat or by
    language), or policies flat at the top beside ``facilities/`` and ``countries/``, or policies only."""
    root = Path(root)
    policies = root / "policies"

    def folder(name: str) -> Path | None:
        return root / name if (root / name).is_dir() else None

    return ContentRoot(root, policies if policies.is_dir() else root, folder("facilities"), folder("countries"))


def is_language_folder(name: str) -> bool:
    """True for a folder named by a language tag (``en``, ``zh``, ``pt-BR``)."""
    if not _LANG_DIR.match(name):
        return False
    primary = name.split("-")[0]
    if len(primary) == 2:
        return pycountry.languages.get(alpha_2=primary) is not None
    return pycountry.languages.get(alpha_3=primary) is not None


def iter_files(root: Path) -> Iterator[Path]:
    """Every ``*.md`` below root (README files excepted), ordered by path components."""
    return (Path(path) for path in record_paths(root))


# Folders of a corpus that hold other kinds of records (a content root's facilities and
# country profiles); policy loading never reads them.
RESERVED_FOLDERS = frozenset({"facilities", "countries"})


def record_paths(root: Path) -> list[str]:
    """The record files below root as plain strings, in path order (see :func:`scan`)."""
    return scan(root, require=False)[0]


def scan(root: Path, require: bool = True) -> tuple[list[str], list[Finding]]:
    """Every ``*.md`` below root in path order, and what stopped the listing anywhere.

    os.walk and a sort on tuples: sorting 100k Path objects costs seconds, and
    an incremental build lists the corpus every time. Links are followed, but
    a folder reached again (a symlink loop) is reported and not entered twice,
    and a folder that cannot be read is reported, never skipped in silence. A
    broken link or an unreadable file is listed (load_record reports it).
    """
    found: list[tuple[tuple[str, ...], str]] = []
    problems: list[Finding] = []
    root_text = os.fspath(root)
    seen: dict[tuple[int, int], str] = {}

    def unreadable(error: OSError) -> None:
        where = _display(Path(error.filename or root_text), Path(root_text))
        problems.append(_finding(where, None, "", "unreadable-folder",
                                 f"folder cannot be read: {error.strerror or error}; its records are not loaded"))

    for folder, dirs, names in os.walk(root_text, followlinks=True, onerror=unreadable):
        st = os.stat(folder)
        seen.setdefault((st.st_dev, st.st_ino), folder)
        keep = []
        for name in sorted(dirs):
            if folder == root_text and name in RESERVED_FOLDERS:
                continue  # facility and country-profile records, not policies
            sub = os.path.join(folder, name)
            try:
                sst = os.stat(sub)
            except OSError as exc:  # a dangling link to a folder name
                unreadable(exc)
                continue
            first = seen.get((sst.st_dev, sst.st_ino))
            if first is not None:
                problems.append(_finding(_display(Path(sub), Path(root_text)), None, "", "folder-loop",
                                         f"links back to {_display(Path(first), Path(root_text))}, "
                                         "a folder already read; not read again"))
                continue
            seen[(sst.st_dev, sst.st_ino)] = sub
            keep.append(name)
        dirs[:] = keep
        rel = os.path.relpath(folder, root_text)
        parts = () if rel == "." else tuple(rel.split(os.sep))
        for name in names:
            if name.endswith(".md") and name.lower() != "readme.md":
                found.append(((*parts, name), os.path.join(folder, name)))
    found.sort()
    if require and not found and not problems:
        raise RecordError(f"{root}: no record files (*.md) found: nothing to build")
    return [path for _, path in found], problems


def load_corpus(root: Path, progress: Callable[[int, int], None] | None = None) -> Corpus:
    """Read every record under ``root``; problems become findings, not exceptions."""
    content = content_root(check_root(root))
    root = content.policies
    corpus = Corpus(root=root)
    loaded: list[Record] = []
    # a content root of facilities or profiles alone is not empty
    names, corpus.findings = scan(root, require=content.facilities is None and content.countries is None)
    paths = [Path(name) for name in names]
    for done, path in enumerate(paths, start=1):
        corpus.files += 1
        if progress is not None:
            progress(done, len(paths))
        record, findings = load_record(path, root)
        corpus.findings.extend(findings)
        if record is not None:
            loaded.append(record)
    corpus.records, duplicates = first_versions(loaded, lambda r: (r.id, r.lang, r.rel))
    corpus.findings.extend(duplicate_finding(record, first) for record, first in duplicates)
    return corpus


def check_root(root: Path) -> Path:
    """The corpus folder, or a RecordError naming what is wrong with it."""
    root = Path(root)
    if not root.exists():
        raise RecordError(f"{root}: no such folder")
    if not root.is_dir():
        raise RecordError(f"{root}: not a folder of records")
    return root


def first_versions(items: Iterable[T], identify: Callable[[T], tuple[str, str, str]]
                   ) -> tuple[list[T], list[tuple[T, str]]]:
    """Per (id, language), the first item in path order, sorted by (id, language); the later ones
    each with the path of the one that holds that version. ``identify`` gives (id, language, path)."""
    seen: dict[tuple[str, str], str] = {}
    firsts: list[tuple[tuple[str, str], T]] = []
    later: list[tuple[T, str]] = []
    for item in items:
        record_id, lang, rel = identify(item)
        if (record_id, lang) in seen:
            later.append((item, seen[(record_id, lang)]))
            continue
        seen[(record_id, lang)] = rel
        firsts.append(((record_id, lang), item))
    firsts.sort(key=lambda pair: pair[0])
    return [item for _, item in firsts], later


def duplicate_finding(record: Record, first: str) -> Finding:
    """A record whose id and language an earlier file (``first``, as rel path) already uses."""
    return _finding(record.rel, _line(record.path, "id"), "id", "duplicate-id",
                    f"id '{record.id}' ({record.lang}) is also used by {first}", record.id)


def load_record(path: Path, root: Path | None = None) -> tuple[Record | None, list[Finding]]:
    """Read one file; return the record (None when it is unusable) and its findings."""
    root = root or path.parent
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    display = _display(path, root)
    try:
        with open(path, "rb") as handle:  # never more than the limit, whatever the file's size
            raw = handle.read(MAX_RECORD_BYTES + 1)
    except OSError as exc:  # a broken link, a file without read permission
        return None, [_finding(display, None, "", "unreadable", f"cannot be read: {exc.strerror or exc}")]
    if len(raw) > MAX_RECORD_BYTES:
        return None, [_finding(display, None, "", "size",
                               f"the file is larger than {MAX_RECORD_BYTES // (1024 * 1024)} MiB, "
                               "the limit for one record")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [_finding(display, line, "", "encoding",
                               f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}")]
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.strip():
        return None, [_finding(display, None, "", "empty", "the file is empty")]
    parsed = parse_front_matter(text, display)
    if isinstance(parsed, Finding):
        return None, [parsed]
    if isinstance(parsed, list):
        return None, parsed
    data, body, fmt = parsed
    problems = list(value_problems(data))
    if problems:
        return None, [_problem_finding(display, problem, text) for problem in problems]
    data = _normalise(data)
    findings = check(data, display, text)
    stem = path.stem
    record_id = data.get("id")
    if isinstance(record_id, str) and record_id and record_id != stem:
        findings.append(_finding(display, locate(text, "id"), "id", "id-filename",
                                 f"id '{record_id}' differs from the file name '{path.name}'",
                                 record_id))
    if findings:
        rid = record_id if isinstance(record_id, str) else ""
        findings.sort(key=lambda f: (f.line or 0, f.field))
        return None, [_with_record(f, rid) for f in findings]
    lang = _language(rel, data)
    return Record(id=record_id, lang=lang, path=path, rel=rel, data=data, body=body,
                  format=fmt, display=display), []


def parse_front_matter(text: str, display: str) -> tuple[dict[str, Any], str, str] | Finding | list[Finding]:
    """Split and parse the front matter (JSON or YAML) with python-frontmatter."""
    if not text.startswith("---"):
        return _finding(display, 1, "", "front-matter",
                        "no front matter: the file must start with a '---' line")
    handler = YAMLHandler()
    try:
        fm, body = handler.split(text)
    except ValueError:
        return _finding(display, 1, "", "front-matter",
                        "front matter is not closed by a second '---' line")
    # JSON when it parses as JSON; otherwise YAML (which also covers YAML's
    # flow style, '{' with single quotes, as the CCUS Policy Hub writes it).
    lead = 0 if fm.startswith("\n") else 1
    json_error: json.JSONDecodeError | None = None
    try:
        if fm.lstrip().startswith("{"):
            try:
                return _mapping(load_json(fm, lead), display, body, "json")
            except json.JSONDecodeError as exc:
                json_error = exc
        try:
            data = load_yaml(fm, lead)
        except yaml.YAMLError as exc:
            if json_error is not None and re.match(r'\s*\{\s*"', fm):
                return _finding(display, json_error.lineno + lead, "", "front-matter",
                                f"front matter is not valid JSON: {json_error.msg}")
            # The context mark (where the broken construct starts) beats the
            # problem mark, which for an unclosed quote is the end of the block.
            mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
            line = mark.line + 1 + lead if mark else None
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            context = getattr(exc, "context", None)
            if context:
                problem = f"{context}, {problem}"
            return _finding(display, line, "", "front-matter",
                            f"front matter is not valid YAML: {problem}")
    except ParseError as exc:
        return [_problem_finding(display, problem, text) for problem in exc.problems]
    return _mapping(data, display, body, "yaml")


def _problem_finding(display: str, problem: Problem, text: str) -> Finding:
    line = problem.line if problem.line is not None else (locate(text, problem.field) if problem.field else None)
    return _finding(display, line, problem.field, problem.rule, problem.message)


def _mapping(data: Any, display: str, body: str, fmt: str
             ) -> tuple[dict[str, Any], str, str] | Finding:
    if not isinstance(data, dict):
        return _finding(display, 2, "", "front-matter",
                        f"front matter must be a mapping of fields, got {_type_name(data)}")
    return data, body.strip(), fmt


def check(data: dict[str, Any], display: str, text: str) -> list[Finding]:
    """Every structural problem of one record's front matter, in field order."""
    findings: list[Finding] = []

    def bad(path: str, rule: str, message: str) -> None:
        findings.append(_finding(display, locate(text, path), path, rule, message))

    for required in ("id", "title"):
        value = data.get(required)
        if value is None or value == "":
            bad(required, "required", f"{required} is required")
    for group in sorted(GROUPS):
        value = dotted_get(data, group)
        if value is not None and not isinstance(value, dict):
            bad(group, "type", f"{group} must be a mapping of fields, got {_type_name(value)}")
    for path, kind in SCHEMA.items():
        value = dotted_get(data, path)
        if value is None:
            continue
        for sub, message, rule in _check_value(path, kind, value):
            bad(sub, rule, message)
    language = data.get("language")
    if isinstance(language, str) and language and not is_language_folder(language):
        bad("language", "language", f"language must be a language tag such as 'en' or 'zh', got {language!r}")
    return findings


def _check_value(path: str, kind: Kind, value: Any) -> Iterator[tuple[str, str, str]]:
    if kind in (Kind.TEXT, Kind.STRING, Kind.ID):
        if not isinstance(value, str):
            yield path, f"{path} must be a string, got {_describe(value)}", "type"
    elif kind is Kind.DATE:
        if not isinstance(value, str) or not _is_date(value):
            yield path, f"{path} must be a real date YYYY-MM-DD, got {_describe(value)}", "date"
    elif kind is Kind.PARTIAL_DATE:
        if not isinstance(value, str) or not _is_partial_date(value):
            yield path, (f"{path} must be a date YYYY, YYYY-MM or YYYY-MM-DD, "
                         f"got {_describe(value)}"), "date"
    elif kind is Kind.YEAR:
        if isinstance(value, bool) or not isinstance(value, int):
            yield path, f"{path} must be an integer year, got {_describe(value)}", "type"
    elif kind is Kind.SCORE:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            yield path, f"{path} must be an integer from 0 to 100, got {_describe(value)}", "score"
    elif kind in (Kind.TEXTS, Kind.STRINGS, Kind.IDS):
        if not isinstance(value, list):
            yield path, f"{path} must be a list, got {_describe(value)}", "type"
            return
        for i, item in enumerate(value):
            if not isinstance(item, str):
                yield f"{path}[{i}]", f"{path}[{i}] must be a string, got {_describe(item)}", "type"
    elif kind is Kind.ID_OR_IDS:
        if isinstance(value, list):
            yield from _check_value(path, Kind.IDS, value)
        elif not isinstance(value, str):
            yield path, f"{path} must be a list of ids or one id, got {_describe(value)}", "type"
    elif kind is Kind.SOURCES:
        if not isinstance(value, list):
            yield path, f"{path} must be a list, got {_describe(value)}", "type"
            return
        for i, item in enumerate(value):
            where = f"{path}[{i}]"
            if not isinstance(item, dict):
                yield where, f"{where} must be a mapping with url, title and supports, got {_describe(item)}", "type"
                continue
            for key, sub in SOURCE_FIELDS.items():
                if item.get(key) is not None:
                    yield from _check_value(f"{where}.{key}", sub, item[key])
    elif kind is Kind.MILESTONES:
        if not isinstance(value, list):
            yield path, f"{path} must be a list, got {_describe(value)}", "type"
            return
        for i, item in enumerate(value):
            where = f"{path}[{i}]"
            if not isinstance(item, dict):
                yield where, f"{where} must be a mapping with date and event, got {_describe(item)}", "type"
                continue
            yield from _check_value(f"{where}.date", Kind.PARTIAL_DATE, item.get("date"))
            yield from _check_value(f"{where}.event", Kind.TEXT, item.get("event"))
            if "type" in item:
                yield from _check_value(f"{where}.type", Kind.STRING, item.get("type"))


def ids(value: Any) -> list[str]:
    """The policy ids a link field names: a list as written, one string as a list of one.

    >>> ids("us-45q-2008"), ids(["a", ""]), ids("")
    (['us-45q-2008'], ['a'], [])
    """
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [item for item in items if isinstance(item, str) and item]


def locate(text: str, dotted: str) -> int | None:
    """The 1-based line of a field in a record's text, when it can be found.

    Works for JSON and YAML front matter alike (JSON is read as YAML here).
    """
    return nearest_line(_lines_of(text), dotted)


def field_line(path: Path, dotted: str) -> int | None:
    """The line of a field in a record file (read once per file version, only when reporting)."""
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return nearest_line(_line_map(str(path), stat.st_mtime_ns, stat.st_size), dotted)


_LAST_STEP = re.compile(r"^(.*?)(\[\d+\]|\.[^.\[\]]+)$")


def nearest_line(lines: dict[str, int], dotted: str) -> int | None:
    """The field's line, or for a field the record lacks, the line of the block it belongs in.

    A missing ``analysis.mrv.citation`` is reported at ``analysis.mrv``; a
    missing top-level field at the front matter's opening line. None only
    when the front matter could not be read at all.

    >>> nearest_line({"analysis": 5, "analysis.mrv": 9}, "analysis.mrv.citation")
    9
    >>> nearest_line({"id": 2}, "url")
    1
    """
    if not lines:
        return None
    path = dotted
    while path:
        if path in lines:
            return lines[path]
        step = _LAST_STEP.match(path)
        if step is None:
            break
        path = step.group(1)
    return 1


@lru_cache(maxsize=1024)
def _line_map(path: str, mtime_ns: int, size: int) -> dict[str, int]:
    try:
        text = Path(path).read_bytes().decode("utf-8", "replace")
    except OSError:
        return {}
    return _lines_of(text.removeprefix("\ufeff").replace("\r\n", "\n"))


def _lines_of(text: str) -> dict[str, int]:
    """Every dotted field path of a record's front matter -> its 1-based line."""
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml composes ~10x faster
    front = text[3:end] if end > 0 else text[3:]
    try:
        try:
            root = yaml.compose(front, Loader=loader)
        except yaml.YAMLError:  # a lone surrogate escape stops libyaml; the lines do not depend on it
            root = yaml.compose(_SURROGATE_ESCAPE.sub(r"\\u0020", front), Loader=loader)
    except yaml.YAMLError:
        return {}
    except RecursionError:  # nested past the stack: the loader reports it, without lines
        return {}
    lines: dict[str, int] = {}
    seen: set[int] = set()  # each node once: an alias bomb or a recursive anchor is not walked again

    def walk(node: yaml.Node, prefix: str, depth: int) -> None:
        if id(node) in seen or depth > MAX_DEPTH:
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                dotted = f"{prefix}.{key.value}" if prefix else str(key.value)
                lines.setdefault(dotted, key.start_mark.line + 1)
                walk(value, dotted, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                dotted = f"{prefix}[{i}]"
                lines.setdefault(dotted, item.start_mark.line + 1)
                walk(item, dotted, depth + 1)

    if root is not None:
        walk(root, "", 0)
    return lines


def _normalise(value: Any) -> Any:
    # YAML yields native dates; records keep their ISO text so JSON and YAML agree.
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _language(rel: str, data: dict[str, Any]) -> str:
    parts = rel.split("/")
    if len(parts) > 1 and is_language_folder(parts[0]):
        return parts[0]
    lang = data.get("language")
    return lang if isinstance(lang, str) and lang else DEFAULT_LANG


def _is_date(value: str) -> bool:
    if not _DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_partial_date(value: str) -> bool:
    if not _PARTIAL.match(value):
        return False
    if len(value) == 10:
        return _is_date(value)
    if len(value) == 7:
        return 1 <= int(value[5:7]) <= 12
    return True


def dotted_get(data: dict[str, Any], dotted: str) -> Any:
    """The value at a dotted field path of front-matter data, or None where any step is missing."""
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def dotted_set(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set a dotted field path of front-matter data, making the groups on the way; None sets nothing."""
    if value is None:
        return
    node = data
    *parents, last = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else type(value).__name__


def _describe(value: Any) -> str:
    if isinstance(value, (list, dict)):
        return _type_name(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return str(value) if isinstance(value, (int, float)) else _type_name(value)


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def _finding(file: str, line: int | None, field_path: str, rule: str, message: str,
             record: str = "") -> Finding:
    return Finding(file=file, line=line, field=field_path, severity=Severity.VIOLATION,
                   message=message, rule=RULE_PREFIX + rule, record=record)


def _with_record(finding: Finding, record_id: str) -> Finding:
    if finding.record or not record_id:
        return finding
    return Finding(**{**finding.__dict__, "record": record_id})


def _line(path: Path, dotted: str) -> int | None:
    return field_line(path, dotted)


__all__ = [
    "DIMENSIONS",
    "END_MILESTONES",
    "IMPACTS",
    "MILESTONE_TYPES",
    "REGULATORY",
    "RELATIONS",
    "RESERVED_FOLDERS",
    "SCHEMA",
    "SOURCE_FIELDS",
    "START_MILESTONES",
    "ContentRoot",
    "Corpus",
    "Kind",
    "Record",
    "check_root",
    "content_root",
    "dotted_get",
    "dotted_set",
    "duplicate_finding",
    "field_line",
    "first_versions",
    "ids",
    "is_language_folder",
    "load_corpus",
    "load_record",
    "locate",
    "record_paths",
    "scan",
]
