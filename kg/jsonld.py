"""JSON-LD node objects written straight from triples, compacted with the shipped context.

The dumps used to go through rdflib's JSON-LD serializer (``auto_compact``
with ``ontology/context.jsonld``), then ``json.loads``, list sorting and
``json.dumps`` again: two thirds of a cold build's rendering time. This
writer applies the same compaction rules itself, per subject, and gives the
same bytes (tests/test_jsonld.py holds rdflib's serializer as the oracle):

- A property with a context term is written under the term's name. The
  term is chosen as rdflib chooses it: for a literal, a term whose
  ``@type`` is the literal's datatype, else a ``@container: @language``
  term for a language-tagged literal, else a plain term; for an IRI, a term
  with ``@type: @id``, else a plain one.
- Under a matching coercion the value is a bare string: the compact IRI
  (``@id``), the lexical form (a datatype). Under ``@container: @language``
  it goes into a map from language to string(s).
- A property without a term is written as ``prefix:local`` when its IRI,
  cut after its last ``#`` (else ``/``, else ``:``), leaves a namespace the
  context declares as a prefix; else as the full IRI.
- ``rdf:type`` becomes ``@type``, its IRIs written as a term's name where a
  term names them (``Policy``), else compacted the same way.
- Other IRIs are ``{"@id": compact}``; ``rdf:nil`` is ``{"@list": []}``.
- Literals of xsd:string, xsd:boolean, xsd:integer and xsd:double are native
  JSON values (rdflib's Python value of the literal); other typed literals
  are ``{"@type": compact datatype, "@value": lexical}``; language-tagged
  ones ``{"@language": tag, "@value": text}``; plain ones bare strings.
- Several values of one key are a list, sorted by their compact JSON text.

One difference by intent: rdflib drops a value when the key already held a
falsy one (``""``, ``0``, ``false``), depending on hash order; here every
value is kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any

from rdflib import BNode, Literal
from rdflib.term import Node

from kg.errors import ExportError
from kg.namespaces import RDF, XSD
from kg.resources import ontology_file

Triple = tuple[Node, Node, Node]
_ID, _TYPE, _LANG = "@id", "@type", "@language"
_PREFIX_ENDS = (":", "/", "?", "#", "[", "]", "@")  # an IRI ending so is a prefix (JSON-LD 1.0 rule)
_NATIVE = {str(XSD.boolean), str(XSD.integer), str(XSD.double), str(XSD.string)}
_RDF_TYPE = str(RDF.type)
_RDF_NIL = str(RDF.nil)
_TERM_KEYS = {_ID, _TYPE, "@container"}


@dataclass(frozen=True)
class _Term:
    name: str
    iri: str
    coercion: str  # "" none, "@id" or a datatype IRI
    container: str  # "" none or "@language"


class Context:
    """A flat JSON-LD context read into the tables compaction needs.

    Supports what the shipped context uses (prefixes, terms with ``@id``,
    ``@type`` of ``@id`` or a datatype, ``@container: @language``) and
    refuses the rest by name: rdflib's rules for the rest (``@set``,
    ``@vocab``, ``@list``, …) are not reproduced, so a context edit fails
    here rather than silently changing the dumps.
    """

    def __init__(self, source: Mapping[str, Any]):
        self.source = dict(source)
        self.terms: dict[str, _Term] = {}
        self.lookup: dict[tuple[str, str, str], _Term] = {}  # (IRI, coercion, container) -> term
        self.prefixes: dict[str, str] = {}  # namespace -> prefix
        for name, definition in self.source.items():
            if name.startswith("@"):
                raise ExportError(f"JSON-LD context: '{name}' is not supported by the JSON-LD writer")
            self._read(name, definition)
        self._keys: dict[tuple[str, str | None, bool], tuple[str, _Term | None]] = {}
        self._iri_keys: dict[str, tuple[str, _Term | None]] = {}
        self._shrunk: dict[str, str] = {}
        self._symbols: dict[str, str] = {}

    def _read(self, name: str, definition: object) -> None:
        if isinstance(definition, str):
            iri, coercion, container = self._expand(definition), "", ""
        elif isinstance(definition, dict) and set(definition) <= _TERM_KEYS and _ID in definition:
            iri = self._expand(definition[_ID])
            coercion = definition.get(_TYPE, "")
            if not isinstance(coercion, str) or (coercion.startswith("@") and coercion != _ID):
                raise ExportError(f"JSON-LD context: term '{name}' has @type {coercion!r}, "
                                  "which the JSON-LD writer does not support")
            if coercion not in ("", _ID):
                coercion = self._expand(coercion)
            container = definition.get("@container", "")
            if container not in ("", _LANG):
                raise ExportError(f"JSON-LD context: term '{name}' has @container {container!r}, "
                                  "which the JSON-LD writer does not support")
        else:
            raise ExportError(f"JSON-LD context: term '{name}' must be an IRI or an object with @id, "
                              "@type and @container only")
        term = _Term(name, iri, coercion, container)
        self.terms[name] = term
        self.lookup[(iri, coercion, container)] = term  # a later term with the same key wins, as in rdflib
        if iri.endswith(_PREFIX_ENDS):
            self.prefixes[iri] = name

    def _expand(self, value: str, seen: tuple[str, ...] = ()) -> str:
        """A compact IRI or term of this context as a full IRI (``//`` after the colon means absolute)."""
        prefix, colon, local = value.partition(":")
        key = prefix if colon else value
        if not colon or not local.startswith("//"):
            definition = self.source.get(key)
            if isinstance(definition, dict):
                definition = definition.get(_ID)
            if isinstance(definition, str) and key not in seen:
                return self._expand(definition, (*seen, key)) + (local if colon else "")
        return value

    def shrink(self, iri: str) -> str:
        """``prefix:local`` when the IRI's namespace is a declared prefix, else the IRI."""
        hit = self._shrunk.get(iri)
        if hit is None:
            namespace, local = _split(iri)
            prefix = self.prefixes.get(namespace)
            hit = self._shrunk[iri] = iri if prefix is None or local is None else f"{prefix}:{local}"
        return hit

    def symbol(self, iri: str) -> str:
        """A term's name when a plain term names the IRI, else its shrunk form."""
        hit = self._symbols.get(iri)
        if hit is None:
            term = self.lookup.get((iri, "", ""))
            hit = self._symbols[iri] = term.name if term else self.shrink(iri)
        return hit

    def literal_key(self, predicate: str, datatype: str | None, language: bool) -> tuple[str, _Term | None]:
        """The key a literal of this kind goes under, with the term that chose it."""
        cache = (predicate, datatype, language)
        hit = self._keys.get(cache)
        if hit is None:
            lookup = self.lookup
            term = ((datatype is not None and lookup.get((predicate, datatype, ""))) or
                    (language and lookup.get((predicate, "", _LANG))) or lookup.get((predicate, "", "")))
            hit = self._keys[cache] = (term.name, term) if term else (self._untermed(predicate), None)
        return hit

    def iri_key(self, predicate: str) -> tuple[str, _Term | None]:
        """The key an IRI value goes under, with the term that chose it."""
        hit = self._iri_keys.get(predicate)
        if hit is None:
            lookup = self.lookup
            term = lookup.get((predicate, _ID, "")) or lookup.get((predicate, "", ""))
            hit = self._iri_keys[predicate] = (term.name, term) if term else (self._untermed(predicate), None)
        return hit

    def _untermed(self, predicate: str) -> str:
        if predicate == _RDF_TYPE:
            return _TYPE
        key = self.symbol(predicate)
        term = self.terms.get(key)
        # A name that belongs to a coerced term would expand with the coercion: use the full IRI.
        return predicate if term and (term.coercion or term.container) else key


def _split(iri: str) -> tuple[str, str | None]:
    for delimiter in ("#", "/", ":"):
        at = iri.rfind(delimiter)
        if at > -1:
            return iri[: at + 1], iri[at + 1:]
    return iri, None


@lru_cache(maxsize=1)
def shipped_context() -> dict[str, Any]:
    """The ``@context`` object of ``ontology/context.jsonld``."""
    context: dict[str, Any] = json.loads(ontology_file("context.jsonld").read_text(encoding="utf-8"))["@context"]
    return context


@lru_cache(maxsize=1)
def _shipped() -> Context:
    return Context(shipped_context())


def nodes(triples: Iterable[Triple], context: Context | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
    """Subject IRI -> (compact @id, its node object), for every subject of the triples."""
    ctx = context or _shipped()
    grouped: dict[Node, dict[Node, set[Node]]] = {}
    for s, p, o in triples:
        if isinstance(s, BNode) or isinstance(o, BNode):
            raise ExportError("blank node in the graph: every node needs a minted IRI")
        grouped.setdefault(s, {}).setdefault(p, set()).add(o)
    out = {}
    for subject, preds in grouped.items():
        jid = ctx.shrink(str(subject))
        out[str(subject)] = (jid, _node(jid, preds, ctx))
    return out


def _node(jid: str, preds: dict[Node, set[Node]], ctx: Context) -> dict[str, Any]:
    node: dict[str, Any] = {}
    for p, objects in preds.items():
        predicate = str(p)
        for o in objects:
            if isinstance(o, Literal):
                datatype = str(o.datatype) if o.datatype is not None else None
                key, term = ctx.literal_key(predicate, datatype, bool(o.language))
                if term is not None and term.container == _LANG and o.language:
                    node.setdefault(key, {}).setdefault(o.language, []).append(str(o))
                    continue
                value = str(o) if term is not None and term.coercion == datatype else _literal(o, datatype, ctx)
            else:
                iri = str(o)
                key, term = ctx.iri_key(predicate)
                if term is not None and term.coercion == _ID:
                    value = ctx.shrink(iri)
                elif term is None and key == _TYPE:
                    value = ctx.symbol(iri)
                elif iri == _RDF_NIL:
                    value = {"@list": []}
                else:
                    value = {_ID: ctx.shrink(iri)}
            node.setdefault(key, []).append(value)
    for key, values in node.items():
        if isinstance(values, dict):  # a language map
            for lang, texts in values.items():
                values[lang] = texts[0] if len(texts) == 1 else _sorted(texts)
        elif len(values) == 1:
            node[key] = values[0]
        else:
            node[key] = _sorted(values)
    node[_ID] = jid
    return node


def _literal(o: Literal, datatype: str | None, ctx: Context) -> object:
    if datatype is not None:
        if datatype in _NATIVE:
            value = o.toPython()
            return str(value) if isinstance(value, Literal) else value  # an ill-typed literal stays its text
        return {_TYPE: ctx.symbol(datatype), "@value": str(o)}
    if o.language:
        return {_LANG: o.language, "@value": str(o)}
    return str(o)


def _sorted(values: list[Any]) -> list[Any]:
    return sorted(values, key=_compact)


def _compact(value: object) -> str:
    """What ``json.dumps(value, sort_keys=True, ensure_ascii=False)`` gives for a value of a node."""
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{encode_basestring(k)}: {_compact(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_compact(v) for v in value) + "]"
    return json.dumps(value)


def indented(node: dict[str, Any], indent: str = "    ") -> str:
    """The node as ``json.dumps(node, indent=2, ensure_ascii=False, sort_keys=True)`` writes it, each line indented."""
    return indent + _pretty(node, indent)


def _pretty(value: object, indent: str) -> str:
    """A value as json.dumps(indent=2) writes it at this indentation (its first line not indented)."""
    if type(value) is str:
        return encode_basestring(value)
    if isinstance(value, dict) and value:
        inner = indent + "  "
        body = ",\n".join(f"{inner}{encode_basestring(k)}: {_pretty(v, inner)}" for k, v in sorted(value.items()))
        return "{\n" + body + "\n" + indent + "}"
    if isinstance(value, list) and value:
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + _pretty(v, inner) for v in value) + "\n" + indent + "]"
    return _compact(value)


__all__ = ["Context", "indented", "nodes", "shipped_context"]
