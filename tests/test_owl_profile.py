"""The ontology is in the OWL 2 DL profile, as the OWL API's profile checker judges it.

tests/java/OwlDlProfile.java drives Debian's libowlapi-java (installed by scripts/system-deps.sh,
like the suite's other Debian tools): it is compiled here with javac and run once on every file to
check, offline. A missing JDK or OWL API is a failure, not a skip.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT, need_system

pytestmark = pytest.mark.slow  # compiles and runs the OWL API's profile checker on a JVM

ONTOLOGY = ROOT / "ontology"
SOURCE = ROOT / "tests" / "java" / "OwlDlProfile.java"
JARS = Path("/usr/share/java")
# The OWL API and the Debian jars it loads (its parsers are found through service files that name
# rdf4j classes, so rdf4j's jars are on the path too).
NEEDED = ("owlapi-distribution", "guava", "caffeine", "commons-io", "commons-codec", "commons-rdf-api",
          "hppcrt", "atinject-jsr330-api", "jsr305", "slf4j-api", "slf4j-nop", "xz")

# An ontology with the faults the shipped one had: a datatype property with the range rdf:JSON, a
# datatype outside the OWL 2 map used undeclared, an undeclared external class, and
# dcterms:description both describing the ontology and super-property of a datatype property.
FAULTY = """@prefix ex: <https://example.org/faulty#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://example.org/faulty> a owl:Ontology ; dcterms:description "faulty"@en .
ex:Thing a owl:Class ; rdfs:subClassOf ex:Elsewhere .
ex:patch a owl:DatatypeProperty ; rdfs:domain ex:Thing ; rdfs:range rdf:JSON .
ex:day a owl:DatatypeProperty ; rdfs:range xsd:date .
ex:text a owl:DatatypeProperty ; rdfs:subPropertyOf dcterms:description .
"""


def classpath() -> str:
    jars = [JARS / f"{name}.jar" for name in NEEDED]
    jars += sorted(p for p in JARS.glob("rdf4j-*.jar") if not p.stem.split("-")[-1][:1].isdigit())
    missing = [str(j) for j in jars if not j.exists()]
    need_system(not missing, "libowlapi-java", f"the OWL API jars ({', '.join(missing)})")
    return ":".join(str(j) for j in jars)


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[str, str]]]:
    """Run the checker once on every file; per file name, its (kind, detail) findings."""
    for tool in ("javac", "java"):
        need_system(bool(shutil.which(tool)), "openjdk-17-jdk-headless", tool)
    work = tmp_path_factory.mktemp("owl")
    cp = classpath()
    subprocess.run(["javac", "-d", str(work), "-cp", cp, str(SOURCE)], check=True, capture_output=True)
    files = {
        "ccus.ttl": ONTOLOGY / "ccus.ttl",
        # What the build publishes together: the ontology and its concept schemes.
        "ccus+vocabularies.ttl": work / "ccus+vocabularies.ttl",
        "faulty.ttl": work / "faulty.ttl",
    }
    files["ccus+vocabularies.ttl"].write_text(
        "".join((ONTOLOGY / n).read_text(encoding="utf-8") + "\n" for n in ("ccus.ttl", "vocabularies.ttl")),
        encoding="utf-8")
    files["faulty.ttl"].write_text(FAULTY, encoding="utf-8")
    run = subprocess.run(["java", "-cp", f"{work}:{cp}", "OwlDlProfile", *map(str, files.values())],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1), run.stdout + run.stderr
    by_path = {str(path): name for name, path in files.items()}
    out: dict[str, list[tuple[str, str]]] = {name: [] for name in files}
    for line in run.stdout.splitlines():
        path, kind, detail = line.split("\t", 2)
        out[by_path[path]].append((kind, detail))
    return out


@pytest.mark.parametrize("name", ["ccus.ttl", "ccus+vocabularies.ttl"])
def test_ontology_has_no_owl2_dl_profile_violation(findings: dict[str, list[tuple[str, str]]], name: str) -> None:
    found = findings[name]
    assert found == [], f"{len(found)} OWL 2 DL finding(s) in {name}:\n" + "\n".join(
        f"  {kind}: {detail}" for kind, detail in found)


def test_checker_reports_each_kind_of_fault_it_guards_against(
        findings: dict[str, list[tuple[str, str]]]) -> None:
    """The check is not vacuous: the faults the shipped ontology used to have are each reported."""
    kinds = sorted({kind for kind, _ in findings["faulty.ttl"]})
    assert kinds == ["IllegalPunning", "UseOfReservedVocabularyForClassIRI", "UseOfUndeclaredClass",
                     "UseOfUndeclaredDataProperty", "UseOfUndeclaredDatatype", "UseOfUndeclaredObjectProperty"]
    details = " ".join(detail for _, detail in findings["faulty.ttl"])
    for culprit in ("faulty#patch", "xsd:date", "faulty#Elsewhere", "dc/terms/description"):
        assert culprit in details, culprit
