"""SPARQL results in the standard formats: JSON, XML, CSV, TSV, plus Markdown.

Written here (a few lines each, following the W3C result-format specs)
because rdflib's writers need its own Result objects, while ours come from
any SparqlSource: rdflib, Oxigraph or a remote endpoint.
"""

from __future__ import annotations

import csv
import io
import json
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.export import serialize
from kg.namespaces import SPARQL_RESULTS, XSD
from kg.sparql import Result

SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml", "md")
GRAPH_FORMATS = ("ttl", "nt", "jsonld")


def _json_term(node: Node) -> dict[str, str]:
    if isinstance(node, URIRef):
        return {"type": "uri", "value": str(node)}
    if isinstance(node, BNode):
        return {"type": "bnode", "value": str(node)}
    assert isinstance(node, Literal)
    out = {"type": "literal", "value": str(node)}
    if node.language:
        out["xml:lang"] = node.language
    elif node.datatype is not None and node.datatype != XSD.string:
        out["datatype"] = str(node.datatype)
    return out


def to_json(result: Result) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}, indent=2)
    bindings = [{var: _json_term(value) for var, value in zip(result.vars, row, strict=True) if value is not None}
                for row in result.rows]
    return json.dumps({"head": {"vars": result.vars}, "results": {"bindings": bindings}},
                      indent=2, ensure_ascii=False)


def to_xml(result: Result) -> str:
    """SPARQL Query Results XML."""
    lines = ['<?xml version="1.0"?>', f"<sparql xmlns={quoteattr(str(SPARQL_RESULTS))}>", "  <head>"]
    lines += [f"    <variable name={quoteattr(v)}/>" for v in result.vars]
    lines.append("  </head>")
    if result.kind == "ask":
        lines.append(f"  <boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        lines.append("  <results>")
        for row in result.rows:
            lines.append("    <result>")
            for var, value in zip(result.vars, row, strict=True):
                if value is None:
                    continue
                if isinstance(value, URIRef):
                    inner = f"<uri>{escape(str(value))}</uri>"
                elif isinstance(value, BNode):
                    inner = f"<bnode>{escape(str(value))}</bnode>"
                else:
                    assert isinstance(value, Literal), value  # what a SPARQL row holds besides IRIs and blank nodes
                    attrs = ""
                    if value.language:
                        attrs = f" xml:lang={quoteattr(value.language)}"
                    elif value.datatype is not None and value.datatype != XSD.string:
                        attrs = f" datatype={quoteattr(str(value.datatype))}"
                    inner = f"<literal{attrs}>{escape(str(value))}</literal>"
                lines.append(f"      <binding name={quoteattr(var)}>{inner}</binding>")
            lines.append("    </result>")
        lines.append("  </results>")
    lines.append("</sparql>")
    return "\n".join(lines) + "\n"


def to_csv(result: Result) -> str:
    """SPARQL 1.1 CSV results: plain values, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
        return buffer.getvalue()
    writer.writerow(result.vars)
    for row in result.rows:
        writer.writerow(["" if v is None else (f"_:{v}" if isinstance(v, BNode) else str(v)) for v in row])
    return buffer.getvalue()


def _tsv_term(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, Literal) and node.datatype == XSD.integer and not node.language:
        return str(node)
    return node.n3()


def to_tsv(result: Result) -> str:
    """SPARQL 1.1 TSV results: terms in Turtle syntax."""
    if result.kind == "ask":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.vars)]
    lines += ["\t".join(_tsv_term(v) for v in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def plain(node: Node | None) -> str:
    """A term as a person reads it: the IRI, or the literal's text with its language."""
    if node is None:
        return ""
    if isinstance(node, Literal) and node.language:
        return f"{node}@{node.language}"
    return str(node)


def to_markdown(result: Result) -> str:
    """A Markdown table (pipes in values escaped)."""
    if result.kind == "ask":
        return "| boolean |\n| --- |\n| " + ("true" if result.boolean else "false") + " |\n"
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(result.vars) + " |", "| " + " | ".join("---" for _ in result.vars) + " |"]
    lines += ["| " + " | ".join(cell(plain(v)) for v in row) + " |" for row in result.rows]
    return "\n".join(lines) + "\n"


def render(result: Result, fmt: str, base: str | None = None) -> str:
    """A result in one of the text formats (not the rich table)."""
    if result.kind == "graph":
        if fmt not in GRAPH_FORMATS:
            raise ValueError(f"a CONSTRUCT or DESCRIBE result is written as {', '.join(GRAPH_FORMATS)}, not {fmt}")
        return serialize(result.triples, fmt, base) if base else serialize(result.triples, fmt)
    writers = {"json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv, "md": to_markdown}
    if fmt not in writers:
        raise ValueError(f"a SELECT or ASK result is written as {', '.join(SELECT_FORMATS)}, not {fmt}")
    return writers[fmt](result)


__all__ = ["GRAPH_FORMATS", "SELECT_FORMATS", "plain", "render", "to_csv", "to_json", "to_markdown", "to_tsv",
           "to_xml"]
