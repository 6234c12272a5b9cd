"""Front-matter text -> plain data, within limits a hostile file cannot get past.

YAML and JSON parsers accept far more than a record needs: aliases that
expand a 600-byte file into gigabytes, recursive anchors, ``!!binary`` and
``!!set``, nesting deep enough to exhaust the stack, duplicate keys (the last
one silently wins), keys that collapse once turned into text (``1``, ``'1'``,
``true``), lone surrogates, control characters no XML output can carry, and
``NaN``. Each of these becomes a :class:`Problem` naming the dotted field path
and the line, never an exception; only plain mappings, lists, strings,
integers, finite floats, booleans and nulls come out.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

MAX_RECORD_BYTES = 4 * 1024 * 1024  # the largest record file read; the hub's largest is ~40 KB
MAX_DEPTH = 32  # nesting of mappings and lists; records use 4
MAX_NODES = 100_000  # values after alias expansion; a full record has ~300

# Characters no output format can carry: C0 controls other than tab, newline
# and carriage return (XML 1.0 forbids them even escaped), lone surrogates (not
# encodable as UTF-8) and the non-characters U+FFFE / U+FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_YAML_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
)


@dataclass(frozen=True)
class Problem:
    """What is wrong with the front matter, where (dotted path, 1-based line if known)."""

    field: str
    line: int | None
    rule: str
    message: str


class ParseError(Exception):
    """The front matter cannot be used; carries every problem found."""

    def __init__(self, *problems: Problem):
        super().__init__(problems[0].message)
        self.problems = list(problems)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader without the implicit timestamp: dates stay the text they were written as,
    so an impossible date (``2022-02-30``) is a finding on its field, not a crash."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str, lead: int = 0) -> Any:
    """Parse YAML front matter; raise ParseError (with the line, offset by ``lead``) on anything hostile."""
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise ParseError(Problem("", None, "depth", f"front matter nests deeper than {MAX_DEPTH} levels")) from None
        if node is None:
            return None
        problems = list(_check_nodes(node, lead))
        if problems:
            raise ParseError(*problems)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def yaml_problems(text: str, lead: int = 0) -> list[Problem]:
    """Every structural problem of YAML front matter (all duplicates, not just the first)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except (yaml.YAMLError, RecursionError):
        return []
    finally:
        loader.dispose()
    return [] if node is None else list(_check_nodes(node, lead))


def load_json(text: str, lead: int = 0) -> Any:
    """Parse JSON front matter: duplicate keys, NaN / Infinity and deep nesting are problems."""
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                duplicates.append(key)
            out[key] = value
        return out

    def constant(name: str) -> float:
        raise ParseError(Problem("", None, "number", f"front matter holds {name}, which is not a JSON number"))

    _check_json_depth(text, lead)
    data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    if duplicates:
        # The YAML composer reads JSON too, and knows both lines of a duplicate.
        found = [p for p in yaml_problems(text, lead) if p.rule == "duplicate-key"]
        if found:
            raise ParseError(*found)
        raise ParseError(Problem("", None, "duplicate-key", f"key '{duplicates[0]}' appears twice"))
    return data


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def _check_json_depth(text: str, lead: int) -> None:
    """Refuse JSON nested past MAX_DEPTH before the parser recurses into it."""
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(_blank, text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            line = text.count("\n", 0, match.start()) + 1 + lead
            raise ParseError(Problem("", line, "depth", f"front matter nests deeper than {MAX_DEPTH} levels"))


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())  # keeps offsets, so the line of a bracket stays right


def value_problems(data: Any) -> Iterator[Problem]:
    """Problems of parsed data: depth, size, non-finite numbers, characters no output can carry."""
    count = 0
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            yield Problem("", None, "size", f"front matter holds more than {MAX_NODES} values")
            return
        if depth > MAX_DEPTH:
            yield Problem(path, None, "depth", f"{path or 'front matter'} nests deeper than {MAX_DEPTH} levels")
            return
        if isinstance(value, dict):
            for key, item in value.items():
                stack.append((item, f"{path}.{key}" if path else str(key), depth + 1))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                stack.append((item, f"{path}[{i}]", depth + 1))
        elif isinstance(value, float) and not math.isfinite(value):
            yield Problem(path, None, "number", f"{path} must be a finite number, got {value}")
        elif isinstance(value, str):
            bad = _FORBIDDEN.search(value)
            if bad:
                yield Problem(path, None, "character",
                              f"{path} holds the character U+{ord(bad.group()):04X}, which no export format can carry")
        if isinstance(value, dict):
            for key in value:
                bad = _FORBIDDEN.search(str(key))
                if bad:
                    where = f"{path}.{key!r}" if path else repr(key)
                    yield Problem(path, None, "character",
                                  f"key {where} holds the character U+{ord(bad.group()):04X}")


def _check_nodes(root: yaml.Node, lead: int) -> Iterator[Problem]:
    """Walk the composed node graph once per node: tags, keys, depth, cycles, expanded size."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def line(node: yaml.Node) -> int:
        return node.start_mark.line + 1 + lead

    def walk(node: yaml.Node, path: str, depth: int) -> Iterator[Problem]:
        ident = id(node)
        if ident in on_path:
            yield Problem(path, line(node), "alias", f"{path or 'front matter'} refers to itself (a recursive anchor)")
            return
        if ident in sizes:  # an alias of a node already checked: only its expanded size counts again
            return
        if depth > MAX_DEPTH:
            yield Problem(path, line(node), "depth", f"{path or 'front matter'} nests deeper than {MAX_DEPTH} levels")
            return
        if node.tag not in _YAML_TAGS:
            yield Problem(path, line(node), "tag", f"{path or 'front matter'} uses the YAML tag {node.tag}, "
                          "which records do not allow (only strings, numbers, booleans, lists and mappings)")
            return
        on_path.add(ident)
        size = 1
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                if key.tag == "tag:yaml.org,2002:merge":
                    yield Problem(path, line(key), "merge-key",
                                  f"{path or 'front matter'} uses a YAML merge key '<<', which records do not allow")
                    continue
                if not isinstance(key, yaml.ScalarNode) or key.tag != "tag:yaml.org,2002:str":
                    shown = key.value if isinstance(key, yaml.ScalarNode) else "a collection"
                    yield Problem(path, line(key), "key", f"key {shown!r}"
                                  f"{' in ' + path if path else ''} must be text (quote it)")
                    continue
                dotted = f"{path}.{key.value}" if path else key.value
                if key.value in seen:
                    yield Problem(dotted, line(key), "duplicate-key",
                                  f"{dotted} appears twice, on lines {seen[key.value]} and {line(key)}")
                    continue
                seen[key.value] = line(key)
                yield from walk(value, dotted, depth + 1)
                size += sizes.get(id(value), 0)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                yield from walk(item, f"{path}[{i}]", depth + 1)
                size += sizes.get(id(item), 0)
        on_path.discard(ident)
        sizes[ident] = size
        if size > MAX_NODES:
            yield Problem(path, line(node), "alias",
                          f"{path or 'front matter'} expands to more than {MAX_NODES} values (YAML aliases)")

    problems = walk(root, "", 0)
    for problem in problems:
        yield problem
        if problem.rule in ("alias", "depth"):
            return


__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_RECORD_BYTES",
    "ParseError",
    "Problem",
    "load_json",
    "load_yaml",
    "value_problems",
    "yaml_problems",
]
