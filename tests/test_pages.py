"""Policy pages: the legal relationships as dated lists (rendered without a server)."""

from __future__ import annotations

import re

import pytest
from rdflib import URIRef

from kg.build import KnowledgeGraph, load
from kg.lineage import Lineage
from kg.pages import Site
from kg.queries import catalogue

from .conftest import FIXTURES


@pytest.fixture(scope="module")
def site() -> Site:
    kg: KnowledgeGraph = load(FIXTURES / "relations")
    graph = kg.graph()
    return Site(kg, lambda iri: list(graph.triples((URIRef(iri), None, None))), catalogue(),
                Lineage.from_source(kg.source()))


def section(html: str, key: str) -> list[str]:
    """The list items of one relation section, tags stripped."""
    match = re.search(rf'<h3 class="relation" id="{key}">.*?</h3><ol[^>]*>(.*?)</ol>', html)
    assert match, key
    return [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li>(.*?)</li>", match.group(1))]


def test_base_act_page_lists_its_amendments_oldest_first_and_what_implements_it(site: Site) -> None:
    html = site.policy("no-storage-act-2001")
    assert "<h2>Legal relationships</h2>" in html
    assert section(html, "amendedBy") == [
        "2005-05-10Storage (Amendment) Act 2005 (test) no-storage-amendment-2005 · in force from 2006-01-01",
        "2010-02-01Storage (Amendment) Act 2010 (test) no-storage-amendment-2010 · in force from 2010-02-01",
        "2015-06-01Storage (Temporary Measures) Act 2015 (test) no-storage-amendment-2015 · in force from "
        "2015-06-01 until 2020-01-01",
        "2024-03-01Storage (Amendment) Act 2024 (test) no-storage-amendment-2024 · in force from 2026-07-01",
        "2026-01-15Storage (Amendment) Bill 2026 (test) no-storage-bill-2026 · not in force (Draft)"]
    assert section(html, "implementedBy") == [
        "2002-01-01Storage Regulations 2002 (test) no-storage-regulations-2002 · in force from 2002-01-01"]
    assert section(html, "repeals") == [
        "1997-01-15Petroleum Storage Regulations 1997 (test) no-petroleum-storage-regs-1997 · in force from "
        "1997-01-15 until 2001-07-01"]
    assert 'href="/doc/policy/no-storage-amendment-2005.html"' in html


def test_pages_say_what_repealed_replaced_or_ended_an_instrument(site: Site) -> None:
    assert section(site.policy("no-petroleum-storage-regs-1997"), "repealedBy") == [
        "2001-03-01Storage Act 2001 (test) no-storage-act-2001 · in force from 2001-07-01"]
    assert section(site.policy("dk-storage-transposition-2011"), "replacedBy") == [
        "2016-01-01Storage Act 2016 (test) dk-storage-act-2016 · in force from 2016-07-01"]
    assert section(site.policy("no-injection-permits-2008"), "ended") == ["2013-09-01lapsed — Lapsed."]
    directive = site.policy("eu-storage-directive-2009")
    assert [item.split(" · ")[0] for item in section(directive, "transposedBy")] == [
        "2011-06-01Storage Transposition Act 2011 (test) dk-storage-transposition-2011",
        "2016-01-01Storage Act 2016 (test) dk-storage-act-2016"]
    assert section(site.policy("se-storage-amendment-2012"), "amends") == [
        "?se-storage-act-1999 (no record in the corpus)"]


def test_a_page_without_relations_has_no_section(site: Site) -> None:
    html = site.policy("no-pilot-rules-2003")
    assert section(html, "ended") == ["2012-04-01repealed — Repealed."]
    assert 'id="amendedBy"' not in html and "No related instrument is recorded." in html
