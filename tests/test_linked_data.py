"""kg.linked_data: every IRI the shipped graph uses resolves on a running `ccus-kg serve`, in every format;
the dumps carry the SKOS schemes and validate on their own; VoID/DCAT agrees with the endpoint; rapper
parses what is served."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, SH, VOID, XSD

from kg.build import build, load
from kg.export import with_schemes
from kg.iris import Minter
from kg.linked_data import LinkedData, media_type_iri, negotiate
from kg.namespaces import CONTEXT_IRI, IANA_MEDIA_TYPES, ONTOLOGY_IRI, SHAPES_IRI
from kg.records import load_corpus
from kg.resources import ontology_file
from kg.vocab import vocabularies

from .conftest import need_system
from .serving import SEEDS, Reply, fetch, serving

M = Minter()
PROJECT = M.site  # https://w3id.org/ccus-kg/
RDF_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
             "application/ld+json": ox.RdfFormat.JSON_LD, "application/rdf+xml": ox.RdfFormat.RDF_XML,
             "application/trig": ox.RdfFormat.TRIG}
DOC_TYPES = ["text/html", "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
VERSION_IRI = ox.NamedNode(str(OWL.versionIRI))
RAPPER = {"text/turtle": "turtle", "application/n-triples": "ntriples", "application/rdf+xml": "rdfxml",
          "application/trig": "trig"}  # raptor2 has no JSON-LD parser: Oxigraph's checks JSON-LD below


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serving() as url:
        yield url


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    build(SEEDS, out, cache=False)
    return out


def project_iris(built: Path) -> set[str]:
    """Every IRI under https://w3id.org/ccus-kg/ in the built dumps, the ontology, the shapes and the schemes."""
    files = {"ccus-kg.nt": ox.RdfFormat.N_TRIPLES, "ccus-kg.ttl": ox.RdfFormat.TURTLE,
             "ccus-kg.jsonld": ox.RdfFormat.JSON_LD, "ccus.ttl": ox.RdfFormat.TURTLE,
             "shapes.ttl": ox.RdfFormat.TURTLE, "vocabularies.ttl": ox.RdfFormat.TURTLE}
    found = set()
    for name, fmt in files.items():
        for quad in ox.parse(path=built / name, format=fmt):
            for term in (quad.subject, quad.predicate, quad.object):
                if isinstance(term, ox.NamedNode) and term.value.startswith(PROJECT):
                    found.add(term.value)
    return found


def local(url: str, iri: str) -> str:
    """Where the server answers an IRI: the site root replaced by the server's address, no fragment."""
    return url + "/" + iri.split("#", 1)[0][len(PROJECT):]


def kind(iri: str) -> str:
    """policy, policy/assessment, cluster, ontology/status, ...: one IRI of each is tried in every format."""
    parts = iri.split("#", 1)[0][len(PROJECT):].split("/")
    if parts[0] == "id":
        return "/".join(parts[1::2])
    return "/".join(parts[:2])


def dereference(url: str, iri: str, accept: str) -> tuple[Reply, Reply]:
    """GET the IRI with Accept; follow one 303 (what w3id and the server send); (first reply, final reply)."""
    first = fetch(local(url, iri), accept)
    if first.status == 303:
        return first, fetch(urllib.parse.urljoin(local(url, iri), first.headers["location"]), accept)
    return first, first


def check(url: str, iri: str, accept: str) -> str | None:
    """None when the IRI resolves to a document of the asked type that describes it, else what went wrong."""
    first, final = dereference(url, iri, accept)
    if first.status not in (200, 303):
        return f"{iri} [{accept}]: {first.status}"
    if first.headers.get("vary") != "Accept":
        return f"{iri} [{accept}]: no Vary: Accept on the {first.status}"
    if final.status != 200 or final.media != accept:
        return f"{iri} [{accept}]: ended in {final.status} {final.media}"
    if accept in RDF_TYPES:
        quads = list(ox.parse(final.body, format=RDF_TYPES[accept]))
        # What the document describes; the versioned IRI is the ontology's owl:versionIRI.
        described = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
        described |= {q.object.value for q in quads if q.predicate == VERSION_IRI}
        if iri not in described:
            return f"{iri} [{accept}]: the document says nothing about it"
    return None


def test_every_project_iri_in_the_dumps_ontology_and_schemes_resolves(site: str, built: Path) -> None:
    iris = project_iris(built)
    # Every kind the graph uses is there, the ones that 404ed before included.
    assert {kind(i) for i in iris} >= {
        "policy", "policy/assessment", "policy/milestone", "policy/record", "cluster", "jurisdiction", "agent",
        "ontology", "ontology/0.1.0", "ontology/shapes", "ontology/status", "ontology/dimension",
        "ontology/category", "ontology/legal-weight", "ontology/review-status"}
    assert {ONTOLOGY_IRI + "/status/active", ONTOLOGY_IRI + "/dimension/mrv", ONTOLOGY_IRI + "/0.1.0",
            ONTOLOGY_IRI + "/status", ONTOLOGY_IRI + "/dimension"} <= iris
    iris |= {str(M.dataset()), str(M.graph()), str(M.distribution("ttl"))}  # VoID's, and the TriG graph name
    first_of_kind: dict[str, str] = {}
    for iri in sorted(iris):
        first_of_kind.setdefault(kind(iri), iri)
    # Turtle for every IRI; every format for the ontology side and for one IRI of each kind of resource.
    jobs = [(iri, "text/turtle") for iri in sorted(iris)]
    everywhere = {i for i in iris if not i.startswith(M.base)} | set(first_of_kind.values())
    jobs += [(iri, accept) for iri in sorted(everywhere) for accept in DOC_TYPES if accept != "text/turtle"]
    with ThreadPoolExecutor(4) as pool:
        problems = [p for p in pool.map(lambda job: check(site, *job), jobs) if p]
    assert problems == []
    assert len(iris) >= 640 and len(jobs) >= 900


@pytest.mark.parametrize(("path", "accept", "location"), [
    ("/ontology/status/active", "text/turtle", "/ontology/status/active.ttl"),
    ("/ontology/dimension/mrv", "application/rdf+xml", "/ontology/dimension/mrv.rdf"),
    ("/ontology/status", "text/html", "/ontology/status.html"),
    ("/id/dataset", "application/ld+json", "/doc/dataset.jsonld"),
    ("/id/graph/ccus-kg", "application/n-triples", "/doc/graph/ccus-kg.nt"),
    ("/.well-known/void", "text/turtle", "/doc/dataset.ttl"),
    ("/id/policy/us-45q-ira-2022", "application/rdf+xml", "/doc/policy/us-45q-ira-2022.rdf"),
    ("/id/policy/us-45q-ira-2022", "text/turtle;q=0.5, application/ld+json", "/doc/policy/us-45q-ira-2022.jsonld"),
])
def test_slash_iris_see_other_by_content_negotiation(site: str, path: str, accept: str, location: str) -> None:
    reply = fetch(site + path, accept)
    assert (reply.status, reply.headers["location"], reply.headers["vary"]) == (303, location, "Accept")


@pytest.mark.parametrize(("path", "accept", "media", "location"), [
    ("/ontology", "text/turtle", "text/turtle", "/ontology.ttl"),
    ("/ontology", "application/rdf+xml", "application/rdf+xml", "/ontology.rdf"),
    ("/ontology/0.1.0", "application/n-triples", "application/n-triples", "/ontology/0.1.0.nt"),
    ("/ontology/shapes", "application/ld+json", "application/ld+json", "/ontology/shapes.jsonld"),
    ("/ontology", "text/html", "text/html", "/ontology.html"),
])
def test_hash_namespaces_answer_with_the_document(site: str, path: str, accept: str, media: str,
                                                  location: str) -> None:
    reply = fetch(site + path, accept)
    assert (reply.status, reply.media, reply.headers["content-location"], reply.headers["vary"]) == \
        (200, media, location, "Accept")


def test_the_ontology_turtle_is_the_shipped_file_and_other_formats_hold_its_triples(site: str) -> None:
    shipped = ontology_file("ccus.ttl").read_bytes()
    assert fetch(site + "/ontology.ttl").body == shipped
    assert fetch(site + "/ontology/0.1.0", "text/turtle").body == shipped
    expected = set(ox.parse(shipped, format=ox.RdfFormat.TURTLE))
    for media in ("application/n-triples", "application/ld+json", "application/rdf+xml"):
        assert set(ox.parse(fetch(site + "/ontology", media).body, format=RDF_TYPES[media])) == expected, media
    shapes = set(ox.parse(ontology_file("shapes.ttl").read_bytes(), format=ox.RdfFormat.TURTLE))
    assert set(ox.parse(fetch(site + "/ontology/shapes.nt").body, format=ox.RdfFormat.N_TRIPLES)) == shapes


def test_a_concept_and_a_scheme_document(site: str) -> None:
    g = Graph().parse(data=fetch(site + "/ontology/status/active.ttl").body, format="turtle")
    active, scheme = URIRef(ONTOLOGY_IRI + "/status/active"), URIRef(ONTOLOGY_IRI + "/status")
    assert (active, URIRef("http://www.w3.org/2004/02/skos/core#inScheme"), scheme) in g
    assert set(g.subjects()) == {active}
    g = Graph().parse(data=fetch(site + "/ontology/status.ttl").body, format="turtle")
    expected = {s for s in vocabularies().graph.subjects() if str(s).startswith(str(scheme))}
    assert set(g.subjects()) == expected and len(expected) == 10  # the scheme and its nine statuses
    assert len(g) == len([t for t in vocabularies().graph if t[0] in expected])


def test_the_json_ld_context_is_served_as_shipped(site: str) -> None:
    reply = fetch(site + "/" + CONTEXT_IRI[len(PROJECT):])
    assert (reply.status, reply.media) == (200, "application/ld+json")
    assert json.loads(reply.body) == json.loads(ontology_file("context.jsonld").read_text(encoding="utf-8"))


def test_unacceptable_and_unknown(site: str) -> None:
    assert fetch(site + "/ontology/status/active", "image/png").status == 406
    assert fetch(site + "/ontology", "image/png").status == 406
    assert fetch(site + "/ontology/status/nope", "text/turtle").status == 404
    assert fetch(site + "/ontology/nope.ttl").status == 404
    assert fetch(site + "/doc/dataset.png").status == 404
    assert fetch(site + "/id/graph/nope", "text/turtle").status == 404
    assert fetch(site + "/dumps/ccus-kg.csv").status == 404


# --- the dumps carry the schemes and validate on their own ---------------------------------------------------


def test_served_dumps_hold_the_data_and_the_schemes_in_five_formats(site: str) -> None:
    kg = load(SEEDS)
    expected = len(set(with_schemes(kg.triples)))
    assert expected == len(set(kg.triples)) + len(vocabularies().graph)  # the two share no triple
    for suffix, media in (("ttl", "text/turtle"), ("nt", "application/n-triples"), ("jsonld", "application/ld+json"),
                          ("rdf", "application/rdf+xml"), ("trig", "application/trig")):
        reply = fetch(f"{site}/dumps/ccus-kg.{suffix}")
        assert (reply.status, reply.media) == (200, media)
        quads = list(ox.parse(reply.body, format=RDF_TYPES[media]))
        assert len({(q.subject, q.predicate, q.object) for q in quads}) == expected, suffix
    trig = list(ox.parse(fetch(f"{site}/dumps/ccus-kg.trig").body, format=ox.RdfFormat.TRIG))
    assert {q.graph_name.value for q in trig} == {str(M.graph())}


@pytest.mark.slow
def test_the_exported_dump_validates_on_its_own_with_the_shipped_shapes(tmp_path: Path) -> None:
    """Before, the 558 scheme-membership checks failed on a dump (its concepts were not in it)."""
    out = tmp_path / "ccus-kg.ttl"
    subprocess.run([sys.executable, "-m", "kg", "export", "--seeds", str(SEEDS), "-o", str(out)], check=True,
                   capture_output=True)
    data = Graph().parse(out, format="turtle")
    shapes = Graph().parse(ontology_file("shapes.ttl"), format="turtle")
    _, report, _ = shacl_validate(data, shacl_graph=shapes)
    severities: dict[str, int] = {}
    for result in report.subjects(RDF.type, SH.ValidationResult):
        name = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[1]
        severities[name] = severities.get(name, 0) + 1
    kg = load(SEEDS)
    report = kg.validate(engine="pyshacl")
    # the shapes' own findings; the facility-link warnings come from the derivation rule, not from shapes
    shaped = [f for f in report.findings if not f.rule.startswith("ccus-kg:")]
    assert severities.get("Violation", 0) == sum(f.severity.value == "violation" for f in shaped) == 0
    assert severities.get("Warning", 0) == sum(f.severity.value == "warning" for f in shaped)


# --- VoID and DCAT ----------------------------------------------------------------------------------------------


def sparql_count(site: str, query: str) -> int:
    reply = fetch(site + "/sparql?" + urllib.parse.urlencode({"query": query}), "application/sparql-results+json")
    return int(json.loads(reply.body)["results"]["bindings"][0]["n"]["value"])


def test_void_agrees_with_the_endpoint_and_the_dumps(site: str) -> None:
    reply = fetch(site + "/.well-known/void", "text/turtle")
    void = Graph().parse(data=fetch(urllib.parse.urljoin(site + "/", reply.headers["location"])).body,
                         format="turtle")
    ds, graph = M.dataset(), M.graph()
    held = sparql_count(site, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert void.value(ds, VOID.triples) == Literal(held, datatype=XSD.integer)
    assert (ds, VOID.subset, graph) in void
    assert void.value(graph, VOID.triples) == Literal(held, datatype=XSD.integer)
    nt = fetch(site + "/dumps/ccus-kg.nt").body
    assert len(set(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))) == held
    kg = load(SEEDS)
    assert held == len(set(kg.triples)) + len(vocabularies().graph)
    assert void.value(ds, VOID.entities) == Literal(len(kg.corpus.policies()), datatype=XSD.integer)
    assert void.value(ds, DCTERMS.publisher) == M.publisher()
    assert void.value(M.publisher(), FOAF.name) == Literal("ccus-kg project")
    newest = max(r.data.get("provenance", {}).get("lastAuditDate", "") for r in load_corpus(SEEDS).records)
    assert void.value(ds, DCTERMS.modified) == Literal(newest, datatype=XSD.date)  # the newest audit date
    first = min(r.id for r in load_corpus(SEEDS).records)  # the first policy by id is the example
    assert void.value(ds, VOID.exampleResource) == M.policy(first)
    assert void.value(ds, DCTERMS.conformsTo) == URIRef(SHAPES_IRI)
    assert void.value(ds, VOID.sparqlEndpoint) == URIRef(PROJECT + "sparql")


def test_dcat_distributions_name_iana_media_types_that_the_downloads_are_served_as(site: str) -> None:
    void = Graph().parse(data=fetch(site + "/doc/dataset.ttl").body, format="turtle")
    seen = {}
    for dist in void.objects(M.dataset(), DCAT.distribution):
        media = void.value(dist, DCAT.mediaType)
        download = void.value(dist, DCAT.downloadURL)
        assert isinstance(media, URIRef) and str(media).startswith(str(IANA_MEDIA_TYPES))
        reply = fetch(local(site, str(download)))
        assert reply.status == 200
        assert media_type_iri(reply.media) == media
        assert (M.dataset(), VOID.dataDump, download) in void
        seen[str(download).rsplit(".", 1)[1]] = str(media)[len(str(IANA_MEDIA_TYPES)):]
    assert seen == {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
                    "trig": "application/trig", "rdf": "application/rdf+xml"}


def test_void_is_also_at_void_ttl_and_deterministic() -> None:
    kg = load(SEEDS)
    one, two = LinkedData(kg), LinkedData(kg)
    assert one.void() == two.void()
    assert one.answer("/void.ttl", "").body == one.void().encode("utf-8")  # type: ignore[union-attr]


def test_void_counts_a_configured_base(tmp_path: Path) -> None:
    kg = load(SEEDS, base="http://example.org/kg/id/")
    linked = LinkedData(kg)
    void = Graph().parse(data=linked.void(), format="turtle")
    ds = URIRef("http://example.org/kg/id/dataset")
    assert (ds, VOID.sparqlEndpoint, URIRef("http://example.org/kg/sparql")) in void
    assert (ds, VOID.dataDump, URIRef("http://example.org/kg/dumps/ccus-kg.ttl")) in void
    assert linked.answer("/id/dataset", "text/turtle").headers["Location"] == "/doc/dataset.ttl"  # type: ignore


def test_negotiate_prefers_q_then_position() -> None:
    offered = ["text/html", "text/turtle", "application/ld+json"]
    assert negotiate("text/turtle, application/ld+json", offered, "text/html") == "text/turtle"
    assert negotiate("application/ld+json;q=0.9, text/turtle;q=0.8", offered, "text/html") == "application/ld+json"
    assert negotiate("text/*", offered, "text/html") == "text/html"
    assert negotiate("application/*", offered, "text/html") == "application/ld+json"
    assert negotiate("", offered, "text/html") == "text/html"


# --- rapper parses what the server serves --------------------------------------------------------------------


def served_documents(site: str) -> list[tuple[str, str]]:
    """(path, media type) of every kind of RDF document the server serves, in every RDF format it offers."""
    stems = ["/doc/policy/us-45q-ira-2022", "/doc/policy/us-45q-ira-2022/assessment/mrv",
             "/doc/cluster/45q-and-us-federal-ccus-incentives", "/doc/jurisdiction/US", "/doc/agent/ccus-kg-project",
             "/doc/dataset", "/doc/graph/ccus-kg", "/doc/dataset/distribution/ttl",
             "/ontology", "/ontology/0.1.0", "/ontology/shapes", "/ontology/status", "/ontology/status/active",
             "/ontology/dimension/mrv"]
    ext = {"text/turtle": "ttl", "application/n-triples": "nt", "application/ld+json": "jsonld",
           "application/rdf+xml": "rdf"}
    docs = [(f"{stem}.{e}", media) for stem in stems for media, e in ext.items()]
    dumps = {"ttl": "text/turtle", "nt": "application/n-triples", "rdf": "application/rdf+xml",
             "trig": "application/trig", "jsonld": "application/ld+json"}
    docs += [(f"/dumps/ccus-kg.{e}", media) for e, media in dumps.items()]
    return docs


def test_rapper_parses_every_document_in_every_format(site: str, tmp_path: Path) -> None:
    need_system(bool(shutil.which("rapper")), "raptor2-utils", "rapper")
    problems = []
    for path, media in served_documents(site):
        reply = fetch(site + path)
        if (reply.status, reply.media) != (200, media):
            problems.append(f"{path}: {reply.status} {reply.media}")
            continue
        expected = len(set(ox.parse(reply.body, format=RDF_TYPES[media])))
        if media not in RAPPER:
            assert expected > 0  # JSON-LD: Oxigraph's parser is the independent one
            continue
        file = tmp_path / "doc"
        file.write_bytes(reply.body)
        run = subprocess.run(["rapper", "-i", RAPPER[media], "-c", str(file), PROJECT], capture_output=True,
                             text=True)
        counted = f"returned {expected} triples" if media != "application/trig" else f"returned {expected} "
        if run.returncode != 0 or "Error" in run.stderr or "Warning" in run.stderr or counted not in run.stderr:
            problems.append(f"{path}: rapper exit {run.returncode}: {run.stderr.strip()[-300:]} (expected {expected})")
    assert problems == []


def test_the_module_knows_every_ontology_side_iri() -> None:
    linked = LinkedData(load(SEEDS))
    iris = {str(i) for i in linked.iris()}
    concepts = {str(s) for s in vocabularies().graph.subjects(RDF.type, None)}
    assert concepts <= iris
    assert {ONTOLOGY_IRI, ONTOLOGY_IRI + "/0.1.0", SHAPES_IRI, str(M.dataset()), str(M.graph())} <= iris
