"""Deterministic serialisations: the same graph always gives the same bytes.

Turtle, TriG and N-Triples are written here (sorted, grouped by subject,
with the fixed prefix table) because rdflib's writers order by hash and
pick prefixes by use, which makes dumps differ between runs. JSON-LD and
RDF/XML is written here too; JSON-LD nodes come from kg.jsonld.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import networkx as nx
import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg import jsonld as jsonld_node
from kg.errors import ExportError
from kg.iris import Minter
from kg.lineage import Lineage
from kg.namespaces import DEFAULT_BASE, RDF, XSD, prefixes
from kg.vocab import vocabularies

Triple = tuple[Node, Node, Node]
FORMATS = ("ttl", "nt", "jsonld", "trig", "xml")
GRAPH_FORMATS = ("graphml", "gexf")  # the lineage graph, not the RDF
SUFFIX = {"ttl": ".ttl", "nt": ".nt", "jsonld": ".jsonld", "trig": ".trig", "xml": ".rdf"}
MEDIA_TYPES = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "trig": "application/trig",
    "xml": "application/rdf+xml",
}

_PN_LOCAL = re.compile(r"^(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:[A-Za-z0-9_\-.]|%[0-9A-Fa-f]{2})*$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\b": "\\b", "\f": "\\f"}
_ESCAPE_RE = re.compile(r'[\\"\n\r\t\b\f]')
_INTEGER = re.compile(r"^[+-]?\d+$")
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_XML_ENTITIES = {"\r": "&#13;"}
_RDF_TYPE = str(RDF.type)


def _quote(text: str) -> str:
    return '"' + _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group()], text) + '"'


class _Namer:
    """Prefixed names under the fixed prefix table, else full IRIs."""

    def __init__(self, base: str):
        self.table = prefixes(base)
        # Longest namespace first so policy: wins over a shorter enclosing one.
        self.order = sorted(self.table.items(), key=lambda kv: -len(kv[1]))
        self.cache: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        hit = self.cache.get(iri)
        if hit is None:
            hit = f"<{iri}>"
            for prefix, ns in self.order:
                if iri.startswith(ns):
                    local = iri[len(ns):]
                    if local == "" or (_PN_LOCAL.match(local) and not local.endswith(".")):
                        hit = f"{prefix}:{local}"
                        break
            self.cache[iri] = hit
        return hit

    def term(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return self.iri(str(node))
        if isinstance(node, Literal):
            return _literal(node, self.iri)
        raise ExportError(f"blank node {node!r} in the graph: every node needs a minted IRI")


def _literal(node: Literal, iri: Callable[[str], str], bare_integers: bool = True) -> str:
    text = str(node)
    if node.language:
        return f"{_quote(text)}@{node.language}"
    if node.datatype is None or node.datatype == XSD.string:
        return _quote(text)
    if bare_integers and node.datatype == XSD.integer and _INTEGER.match(text):
        return text
    return f"{_quote(text)}^^{iri(str(node.datatype))}"


def _nt_term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return _literal(node, lambda i: f"<{i}>", bare_integers=False)
    raise ExportError(f"blank node {node!r} in the graph: every node needs a minted IRI")


def _sort_key(node: Node) -> tuple[int, str, str, str]:
    if isinstance(node, URIRef):
        return (0, str(node), "", "")
    if isinstance(node, Literal):
        return (1, str(node), node.language or "", str(node.datatype or ""))
    return (2, str(node), "", "")


def _grouped(triples: Iterable[Triple]) -> Iterator[tuple[Node, list[tuple[Node, list[Node]]]]]:
    """Subjects in order, each with its predicates and objects in order (each subject let go once given)."""
    by_subject: dict[Node, dict[Node, set[Node]]] = {}
    for s, p, o in triples:
        if isinstance(s, BNode) or isinstance(o, BNode):
            raise ExportError("blank node in the graph: every node needs a minted IRI")
        by_subject.setdefault(s, {}).setdefault(p, set()).add(o)
    for s in sorted(by_subject, key=_sort_key):
        preds = by_subject.pop(s)
        order = sorted(preds, key=lambda p: (str(p) != _RDF_TYPE, str(p)))
        yield s, [(p, sorted(preds[p], key=_sort_key)) for p in order]


def turtle(triples: Iterable[Triple], base: str = DEFAULT_BASE) -> str:
    """Turtle grouped by subject, sorted, with every fixed prefix declared."""
    return turtle_document(turtle_blocks(triples, base).values(), base)


def turtle_blocks(triples: Iterable[Triple], base: str = DEFAULT_BASE) -> dict[str, str]:
    """Subject IRI -> its Turtle block, in subject order.

    A dump is its header plus these blocks, so an incremental build can
    re-render only the subjects that changed and splice them in.
    """
    namer = _Namer(base)
    return {str(subject): _turtle_block(subject, preds, namer) for subject, preds in _grouped(triples)}


def turtle_document(blocks: Iterable[str], base: str = DEFAULT_BASE) -> str:
    """The prefix table, then the blocks (already in subject order)."""
    return turtle_header(base) + "".join(blocks)


def turtle_header(base: str = DEFAULT_BASE) -> str:
    """What a Turtle dump holds before its first block."""
    return "\n".join(f"@prefix {p}: <{ns}> ." for p, ns in prefixes(base).items()) + "\n\n"


def _turtle_block(subject: Node, preds: list[tuple[Node, list[Node]]], namer: _Namer) -> str:
    return "\n".join(_turtle_subject(subject, preds, namer, "")) + "\n\n"


def _turtle_subject(subject: Node, preds: list[tuple[Node, list[Node]]], namer: _Namer,
                    indent: str) -> list[str]:
    lines = [indent + namer.term(subject)]
    for i, (p, objs) in enumerate(preds):
        verb = "a" if str(p) == _RDF_TYPE else namer.iri(str(p))
        rendered = [namer.term(o) for o in objs]
        end = " ." if i == len(preds) - 1 else " ;"
        joiner = ",\n" + indent + "        "
        lines.append(f"{indent}    {verb} {joiner.join(rendered)}{end}")
    return lines


def trig(triples: Iterable[Triple], base: str = DEFAULT_BASE) -> str:
    """TriG: the same Turtle inside the one named graph the project publishes."""
    namer = _Namer(base)
    head = [f"@prefix {p}: <{ns}> ." for p, ns in namer.table.items()]
    graph = Minter(base).graph()
    body: list[str] = []
    for subject, preds in _grouped(triples):
        body.extend([*_turtle_subject(subject, preds, namer, "    "), ""])
    while body and body[-1] == "":
        body.pop()
    return "\n".join([*head, "", f"<{graph}> {{", *body, "}"]) + "\n"


def ntriples(triples: Iterable[Triple]) -> str:
    """N-Triples, one sorted line per distinct triple."""
    blocks = nt_blocks(triples)
    return "".join(blocks[s] for s in sorted(blocks, key=nt_order))


def nt_blocks(triples: Iterable[Triple]) -> dict[str, str]:
    """Subject IRI -> its sorted N-Triples lines (joined), for splicing like turtle_blocks."""
    triples = list(triples)
    by_subject: dict[str, set[str]] = {}
    for (s, _, _), line in zip(triples, nt_lines(triples), strict=True):
        by_subject.setdefault(str(s), set()).add(line)
    return {s: "".join(line + "\n" for line in sorted(lines)) for s, lines in by_subject.items()}


def nt_order(subject: str) -> str:
    """Sort key of a subject's block: its lines all start with ``<subject> ``."""
    return subject + "> "


def write_ntriples(triples: Iterable[Triple], stream: IO[bytes], chunk: int = 50_000) -> None:
    """Unsorted N-Triples into a binary stream, a chunk of lines at a time (bounded memory)."""
    batch: list[Triple] = []
    for triple in triples:
        batch.append(triple)
        if len(batch) >= chunk:
            stream.write(("\n".join(nt_lines(batch)) + "\n").encode("utf-8"))
            batch.clear()
    if batch:
        stream.write(("\n".join(nt_lines(batch)) + "\n").encode("utf-8"))


def load_oxigraph(store: ox.Store, triples: Iterable[Triple]) -> None:
    """Bulk-load triples into an Oxigraph store, streamed through a temporary file.

    No corpus-sized string is held in memory (at 10k records this cut the
    validation's peak RSS from 949 to 765 MB).
    """
    with tempfile.TemporaryFile() as data:
        write_ntriples(triples, data)
        data.seek(0)
        store.bulk_load(data, ox.RdfFormat.N_TRIPLES)


def nt_lines(triples: Iterable[Triple]) -> list[str]:
    """One N-Triples line (no newline) per triple, in the triples' order."""
    iris: dict[str, str] = {}  # IRIs repeat (subjects, predicates): write each once

    def term(node: Node) -> str:
        if type(node) is URIRef:
            text = iris.get(node)
            if text is None:
                text = iris[node] = f"<{node}>"
            return text
        return _nt_term(node)

    return [f"{term(s)} {term(p)} {term(o)} ." for s, p, o in triples]


def jsonld(triples: Iterable[Triple], base: str = DEFAULT_BASE) -> str:
    """Compacted JSON-LD under the shipped context, nodes sorted by @id."""
    blocks = jsonld_blocks(triples, base)
    return jsonld_document(text for _, text in sorted(blocks.values()))


def jsonld_blocks(triples: Iterable[Triple], base: str = DEFAULT_BASE) -> dict[str, tuple[str, str]]:
    """Subject IRI -> (compact @id, the node as it is indented in the document).

    The shipped context fixes the prefixes, so ``base`` does not change the
    compaction (it never did through rdflib either).
    """
    return {subject: (jid, jsonld_node.indented(node)) for subject, (jid, node) in jsonld_node.nodes(triples).items()}


def jsonld_document(nodes: Iterable[str]) -> str:
    """The document around node blocks (already sorted by @id), as json.dumps(indent=2) writes it."""
    body = JSONLD_SEPARATOR.join(nodes)
    if not body:
        return json.dumps({"@context": _context(), "@graph": []}, indent=2, ensure_ascii=False,
                          sort_keys=True) + "\n"
    head, tail = jsonld_frame()
    return head + body + tail


JSONLD_SEPARATOR = ",\n"


def jsonld_frame() -> tuple[str, str]:
    """What a JSON-LD dump with at least one node holds before its first node and after its last."""
    empty = json.dumps({"@context": _context(), "@graph": []}, indent=2, ensure_ascii=False, sort_keys=True)
    return empty[: -len("[]\n}")] + "[\n", "\n  ]\n}\n"


def _context() -> dict[str, object]:
    return jsonld_node.shipped_context()


def rdfxml(triples: Iterable[Triple], base: str = DEFAULT_BASE) -> str:
    """RDF/XML, one sorted rdf:Description per subject (rdflib's writer is hash-ordered)."""
    table = dict(prefixes(base))
    order = sorted(table.items(), key=lambda kv: -len(kv[1]))
    extra: dict[str, str] = {}

    def qname(iri: str) -> str:
        for prefix, ns in order:
            local = iri[len(ns):]
            if iri.startswith(ns) and _NCNAME.match(local):
                return f"{prefix}:{local}"
        cut = max(iri.rfind("#"), iri.rfind("/")) + 1
        ns, local = iri[:cut], iri[cut:]
        if not _NCNAME.match(local):
            raise ExportError(f"predicate <{iri}> cannot be written as an RDF/XML element name")
        prefix = extra.setdefault(ns, f"ns{len(extra) + 1}")
        return f"{prefix}:{local}"

    body: list[str] = []
    for subject, preds in _grouped(triples):
        body.append(f"  <rdf:Description rdf:about={quoteattr(str(subject))}>")
        for p, objs in preds:
            name = qname(str(p))
            for o in objs:
                if isinstance(o, URIRef):
                    body.append(f"    <{name} rdf:resource={quoteattr(str(o))}/>")
                    continue
                attrs = ""
                if isinstance(o, Literal) and o.language:
                    attrs = f" xml:lang={quoteattr(o.language)}"
                elif isinstance(o, Literal) and o.datatype and o.datatype != XSD.string:
                    attrs = f" rdf:datatype={quoteattr(str(o.datatype))}"
                body.append(f"    <{name}{attrs}>{xml_escape(str(o), _XML_ENTITIES)}</{name}>")
        body.append("  </rdf:Description>")
    spaces = [*table.items(), *((prefix, ns) for ns, prefix in extra.items())]
    head = ['<?xml version="1.0" encoding="utf-8"?>', "<rdf:RDF"]
    head += [f"    xmlns:{prefix}={quoteattr(ns)}" for prefix, ns in spaces]
    head[-1] += ">"
    return "\n".join([*head, *body, "</rdf:RDF>"]) + "\n"


def with_schemes(triples: Iterable[Triple]) -> list[Triple]:
    """The data plus the shipped SKOS schemes: what a published dump holds.

    The shapes check that a policy's status, category, legal weight, review
    status and dimensions are concepts of their schemes, so a dump without the
    schemes fails them (558 violations on the shipped seeds); with them it
    validates on its own and holds what the SPARQL endpoint answers from.
    """
    return [*triples, *vocabularies().graph]  # the writers drop a triple stated twice


def serialize(triples: Iterable[Triple], fmt: str, base: str = DEFAULT_BASE) -> str:
    """The graph in one of FORMATS, deterministically."""
    if fmt == "ttl":
        return turtle(triples, base)
    if fmt == "nt":
        return ntriples(triples)
    if fmt == "trig":
        return trig(triples, base)
    if fmt == "jsonld":
        return jsonld(triples, base)
    if fmt == "xml":
        return rdfxml(triples, base)
    raise ExportError(f"unknown format '{fmt}': choose one of {', '.join(FORMATS)}")


def lineage_graph(lineage: Lineage, fmt: str) -> str:
    """The lineage graph as GraphML or GEXF (Gephi, Cytoscape), deterministically."""
    graph = lineage.for_export()
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(graph, prettyprint=True)) + "\n"
    if fmt == "gexf":
        text = "\n".join(nx.generate_gexf(graph, prettyprint=True)) + "\n"
        return re.sub(r' lastmodifieddate="[^"]*"', "", text)  # today's date would break byte-identity
    raise ExportError(f"unknown graph format '{fmt}': choose one of {', '.join(GRAPH_FORMATS)}")


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write via a temp file in the same folder and rename: never half a file."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    write_atomic_with(path, lambda handle: handle.write(data))


def write_atomic_with(path: Path, fill: Callable[[IO[bytes]], object]) -> None:
    """Let ``fill`` write a temp file in the same folder, then rename it over ``path``.

    The file gets the permissions a plain open() would give: it is created
    with mode 0o666 and the kernel applies the process umask (mkstemp's files
    are owner-only, which would hide published dumps from a web server).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temp(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _create_temp(path: Path) -> tuple[int, Path]:
    """A new, empty file beside ``path`` under an unused random name (O_EXCL: never an existing one)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no unused temporary name beside {path}")


def dump(triples: Iterable[Triple], fmt: str, path: Path, base: str = DEFAULT_BASE) -> None:
    """serialize() + atomic write; Turtle is streamed, never held whole (477 MiB at 100k records)."""
    if fmt != "ttl":
        write_atomic(path, serialize(triples, fmt, base))
        return
    namer = _Namer(base)

    def fill(handle: IO[bytes]) -> None:
        handle.write(turtle_header(base).encode("utf-8"))
        batch: list[str] = []
        for subject, preds in _grouped(triples):
            batch.append(_turtle_block(subject, preds, namer))
            if len(batch) >= 4096:
                handle.write("".join(batch).encode("utf-8"))
                batch.clear()
        handle.write("".join(batch).encode("utf-8"))

    write_atomic_with(path, fill)


__all__ = [
    "FORMATS",
    "GRAPH_FORMATS",
    "JSONLD_SEPARATOR",
    "MEDIA_TYPES",
    "SUFFIX",
    "dump",
    "jsonld",
    "jsonld_blocks",
    "jsonld_document",
    "jsonld_frame",
    "lineage_graph",
    "load_oxigraph",
    "nt_blocks",
    "nt_lines",
    "nt_order",
    "ntriples",
    "rdfxml",
    "serialize",
    "trig",
    "turtle",
    "turtle_blocks",
    "turtle_document",
    "turtle_header",
    "with_schemes",
    "write_atomic",
    "write_atomic_with",
    "write_ntriples",
]
