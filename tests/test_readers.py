"""Readers answer from the build: the store and manifest `build` leaves, used when current, rebuilt when not."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.readers import MANIFEST, STORE, current_set, read_manifest

from .conftest import minimal_record, write_record
from .fixtures_queries import query_corpus

HEAVY = ("rdflib", "pyoxigraph", "networkx", "pyshacl", "rich", "yaml", "pycountry")
PIPELINE = ("kg.mapping", "kg.build", "kg.incremental", "kg.validation")  # what a rebuild needs, a current store not

RUN = """
import json, os, sys
from kg.cli import main
code = 0
try:
    main(sys.argv[1:], prog_name="ccus-kg")
except SystemExit as exc:
    code = exc.code
with open(os.environ["MODULES_TO"], "w") as handle:
    json.dump(sorted(sys.modules), handle)
sys.exit(code)
"""


def reader(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ccus-kg in a process of its own; returns what it printed and every module it imported."""
    modules = tmp_path / "modules.json"
    env = {**os.environ, "MODULES_TO": str(modules), "CCUS_KG_OUT": str(tmp_path / "build")}
    done = subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=300)
    return done, set(json.loads(modules.read_text()))


def settled(folder: Path) -> Path:
    """Wait until the file clock has moved past every file's ctime under ``folder``.

    A build trusts no file changed since it began (kg.readers.file_entry),
    and file times tick coarsely: a file written in the very tick a build
    takes its lock counts as changed during the build, and the next reader
    rebuilds. Tests that expect "answered from the build" start later.
    """
    newest = max(p.stat().st_ctime_ns for p in folder.rglob("*"))
    probe = folder.parent / ".clock"
    while True:
        probe.write_bytes(b"")
        if probe.stat().st_ctime_ns > newest:
            probe.unlink()
            return folder
        time.sleep(0.001)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The query corpus without its record naming a missing predecessor: no violations, so `build` writes."""
    seeds = query_corpus(tmp_path / "seeds")
    (seeds / "en" / "ca-ab-ccs-2010.md").unlink()
    return settled(seeds)


def lineage(tmp_path: Path, corpus: Path, pid: str = "no-storage-2014") -> tuple[subprocess.CompletedProcess[str],
                                                                                 set[str]]:
    return reader(tmp_path, "lineage", pid, "--seeds", str(corpus), "--format", "json", "--verbose")


def test_a_reader_answers_from_the_store_after_a_build_without_mapping(tmp_path: Path, corpus: Path) -> None:
    built = CliRunner().invoke(main, ["build", "--seeds", str(corpus), "--out", str(tmp_path / "build")])
    assert built.exit_code == 0, built.output
    done, modules = lineage(tmp_path, corpus)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["predecessors"] == ["no-storage-2010"]
    assert done.stderr == f"answered from the build in {tmp_path / 'build'}/ (current for 4 record files)\n"
    assert not modules & set(PIPELINE), "a current store is read, never rebuilt or re-mapped"
    # nor is the corpus listed again or a term made with rdflib: the folders' stamps say no file came or went
    assert not {m for m in modules if m.split(".")[0] in ("rdflib", "yaml", "frontmatter", "pycountry", "pyshacl")}
    assert "kg.records" not in modules and "kg.namespaces" not in modules


def test_without_verbose_the_reader_says_nothing_about_the_store(tmp_path: Path, corpus: Path) -> None:
    result = CliRunner().invoke(main, ["query", "current-version", "--seeds", str(corpus), "-p",
                                       "id=no-storage-2010", "--format", "csv", "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.splitlines()[1] == "no-storage-2014,Storage Regulations 2014,2014-12-19,Active"


def test_with_no_build_yet_the_reader_builds_first(tmp_path: Path, corpus: Path) -> None:
    done, modules = lineage(tmp_path, corpus)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(rf"rebuilt {re.escape(str(tmp_path / 'build'))}/ in \d+\.\d\d s: no build yet\n", done.stderr)
    assert json.loads(done.stdout)["current"] == ["no-storage-2014"]
    folder = current_set(tmp_path / "build")
    assert folder is not None and (folder / STORE).is_dir() and (folder / MANIFEST).is_file()
    assert "kg.mapping" in modules


def test_a_touched_but_unchanged_record_keeps_the_store_current(tmp_path: Path, corpus: Path) -> None:
    lineage(tmp_path, corpus)
    record = corpus / "en" / "no-storage-2014.md"
    os.utime(record, ns=(record.stat().st_atime_ns, record.stat().st_mtime_ns + 5_000_000_000))
    done, modules = lineage(tmp_path, corpus)
    assert done.stderr == f"answered from the build in {tmp_path / 'build'}/ (current for 4 record files)\n"
    assert not modules & set(PIPELINE)


def test_an_edited_record_makes_the_reader_rebuild_and_answer_the_new_value(tmp_path: Path, corpus: Path) -> None:
    first, _ = lineage(tmp_path, corpus)
    assert json.loads(first.stdout)["id"] == "no-storage-2014"
    before = current_set(tmp_path / "build")
    text = (corpus / "en" / "no-storage-2014.md").read_text(encoding="utf-8")
    (corpus / "en" / "no-storage-2014.md").write_text(text.replace("Storage Regulations 2014", "Storage Rules 2014"),
                                                      encoding="utf-8")
    done = CliRunner().invoke(main, ["query", "current-version", "--seeds", str(corpus), "-p", "id=no-storage-2010",
                                     "--format", "csv", "--out", str(tmp_path / "build"), "--verbose"])
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[1] == "no-storage-2014,Storage Rules 2014,2014-12-19,Active"
    assert re.fullmatch(r"rebuilt .*/ in \d+\.\d\d s: 1 record file\(s\) changed since the build "
                        r"\(en/no-storage-2014\.md\)\n", done.stderr)
    assert current_set(tmp_path / "build") != before


def test_a_deleted_record_makes_the_reader_rebuild(tmp_path: Path, corpus: Path) -> None:
    lineage(tmp_path, corpus)
    (corpus / "en" / "no-storage-2010.md").unlink()
    done, _ = lineage(tmp_path, corpus)
    assert done.returncode == 0, done.stderr
    assert "1 record file(s) changed since the build (en/no-storage-2010.md)" in done.stderr
    assert json.loads(done.stdout)["predecessors"] == ["no-storage-2010"]  # still named by a link, no record now
    gone, _ = lineage(tmp_path, corpus, "no-storage-2010")
    assert gone.returncode == 2 and "no policy 'no-storage-2010' in the corpus" in gone.stderr


def test_an_edit_that_states_no_new_triple_is_stamped_once(tmp_path: Path, corpus: Path) -> None:
    lineage(tmp_path, corpus)
    record = corpus / "en" / "gb-energy-act-2008.md"
    record.write_text(record.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # a blank line more: same graph
    first, _ = lineage(tmp_path, corpus)
    assert "rebuilt" in first.stderr
    again, modules = lineage(tmp_path, corpus)
    assert again.stderr.startswith("answered from the build"), "the manifest was refreshed, not rebuilt each time"
    assert not modules & set(PIPELINE)


def test_a_refused_build_leaves_the_old_store_and_readers_answer_what_the_records_state(
        tmp_path: Path, corpus: Path) -> None:
    out = tmp_path / "build"
    assert CliRunner().invoke(main, ["build", "--seeds", str(corpus), "--out", str(out)]).exit_code == 0
    folder = current_set(out)
    assert folder is not None
    manifest = (folder / MANIFEST).read_bytes()
    write_record(corpus / "en", minimal_record("xx-bad-2020", pubDate="2020-01-01", year=2019))
    refused = CliRunner().invoke(main, ["build", "--seeds", str(corpus), "--out", str(out)])
    assert refused.exit_code == 1
    assert current_set(out) == folder and (folder / MANIFEST).read_bytes() == manifest
    assert (folder / STORE).is_dir()
    # a reader never answers from that stale store: it rebuilds with --allow-invalid semantics and says so
    done, _ = lineage(tmp_path, corpus, "xx-bad-2020")
    assert done.returncode == 0, done.stderr
    assert "1 record file(s) changed since the build (en/xx-bad-2020.md)" in done.stderr
    assert done.stderr.endswith("note: the records have 1 violation(s); answers come from what they state "
                                "(ccus-kg validate lists them)\n")
    assert json.loads(done.stdout)["id"] == "xx-bad-2020"
    assert read_manifest(current_set(out))["violations"] == 1  # type: ignore[arg-type,index]


def test_the_manifest_names_every_record_file_with_its_stamp_and_hash(tmp_path: Path, corpus: Path) -> None:
    out = tmp_path / "build"
    assert CliRunner().invoke(main, ["build", "--seeds", str(corpus), "--out", str(out), "--no-cache"]).exit_code == 0
    found = read_manifest(current_set(out))  # type: ignore[arg-type]
    assert found is not None
    assert sorted(found["files"]) == ["en/gb-energy-act-2008.md", "en/no-storage-2010.md", "en/no-storage-2014.md",
                                      "zh/gb-energy-act-2008.md"]
    import hashlib

    entry = found["files"]["en/no-storage-2010.md"]
    st = (corpus / "en" / "no-storage-2010.md").stat()
    assert entry == {"stamp": f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}",
                     "sha256": hashlib.sha256((corpus / "en" / "no-storage-2010.md").read_bytes()).hexdigest()}
    assert sorted(found["folders"]) == [".", "en", "zh"]
    assert found["base"] == "https://w3id.org/ccus-kg/id/" and found["seeds"] == str(corpus.resolve())
    assert found["prefixes"]["ccus"] == "https://w3id.org/ccus-kg/ontology#"


def test_a_record_edited_while_the_build_runs_is_not_recorded_as_built(tmp_path: Path, corpus: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The build read the old text; the manifest must not vouch for the new one (the next reader rebuilds)."""
    import kg.readers

    record = corpus / "en" / "no-storage-2014.md"
    load_store = kg.readers.load_store

    def edit_then_load(data: Path, folder: Path) -> None:  # after the records were read, before the manifest
        record.write_text(record.read_text(encoding="utf-8").replace("Storage Regulations 2014", "Storage Rules 2014"),
                          encoding="utf-8")
        load_store(data, folder)

    monkeypatch.setattr(kg.readers, "load_store", edit_then_load)
    out = tmp_path / "build"
    assert CliRunner().invoke(main, ["build", "--seeds", str(corpus), "--out", str(out)]).exit_code == 0
    monkeypatch.undo()
    found = read_manifest(current_set(out))  # type: ignore[arg-type]
    assert found is not None
    assert found["files"]["en/no-storage-2014.md"] == {"stamp": None, "sha256": None}
    assert found["files"]["en/no-storage-2010.md"]["sha256"]
    done, _ = reader(tmp_path, "lineage", "no-storage-2014", "--seeds", str(corpus), "--verbose")
    assert "1 record file(s) changed since the build (en/no-storage-2014.md)" in done.stderr
    assert done.stdout.startswith("no-storage-2014  Storage Rules 2014 (")


def test_a_changed_facility_of_a_content_root_makes_the_reader_rebuild(tmp_path: Path) -> None:
    from .fixtures_landscape import write_landscape

    root = settled(write_landscape(tmp_path / "root"))
    args = ("lineage", "no-storage-2014", "--seeds", str(root), "--format", "json", "--verbose")
    reader(tmp_path, *args)
    again, _ = reader(tmp_path, *args)
    assert again.stderr.startswith("answered from the build") and "(current for 14 record files)" in again.stderr
    facility = root / "facilities" / "en" / "no-field.md"
    facility.write_text(facility.read_text(encoding="utf-8").replace("Offshore Field Store", "Offshore Store"),
                        encoding="utf-8")
    done, _ = reader(tmp_path, *args)
    assert "1 record file(s) changed since the build (facilities/en/no-field.md)" in done.stderr


def test_a_record_added_in_a_new_folder_is_found_by_the_folder_stamps(tmp_path: Path, corpus: Path) -> None:
    lineage(tmp_path, corpus)
    write_record(corpus / "en" / "more", minimal_record("no-extra-2021", pubDate="2021-01-01", year=2021))
    done, _ = lineage(tmp_path, corpus, "no-extra-2021")
    assert done.returncode == 0, done.stderr
    assert "1 record file(s) changed since the build (en/more/no-extra-2021.md)" in done.stderr


def test_the_store_holds_the_dump_plus_the_schemes(tmp_path: Path, corpus: Path) -> None:
    from kg.build import load
    from kg.store import OxigraphSource, dataset_ntriples

    out = tmp_path / "build"
    assert CliRunner().invoke(main, ["build", "--seeds", str(corpus), "--out", str(out)]).exit_code == 0
    store = OxigraphSource.open(current_set(out) / STORE).store  # type: ignore[operator]
    expected = dataset_ntriples(load(corpus))
    assert len(store) == len(set(expected.decode("utf-8").splitlines()))


@pytest.mark.parametrize("args", [["--help"], ["--version"]])
def test_help_and_version_import_nothing_heavy(tmp_path: Path, args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "kg", *args], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "kg.cli" in imported
    assert not {m for m in imported if m.split(".")[0] in HEAVY}, sorted(imported)
    assert not {m for m in imported if m in PIPELINE}


def test_an_oxigraph_store_of_your_own_is_checked_by_its_manifest_not_by_mapping(tmp_path: Path,
                                                                                  corpus: Path) -> None:
    assert CliRunner().invoke(main, ["build", "--seeds", str(corpus), "--out", str(tmp_path / "build")]).exit_code == 0
    mine = tmp_path / "mine"
    args = ("lineage", "no-storage-2014", "--seeds", str(corpus), "--store", f"oxigraph:{mine}", "--verbose",
            "--format", "json")
    loaded, modules = reader(tmp_path, *args)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stderr.splitlines() == [
        f"answered from the build in {tmp_path / 'build'}/ (current for 4 record files)",
        f"loaded {mine} from the build in {tmp_path / 'build'}/ (a new store)"]
    assert not modules & set(PIPELINE)
    again, modules = reader(tmp_path, *args)
    assert again.stderr == f"answered from {mine} (current for 4 record files)\n"
    assert again.stdout == loaded.stdout and json.loads(again.stdout)["predecessors"] == ["no-storage-2010"]
    assert not modules & set(PIPELINE)


def test_a_build_folder_without_a_store_gets_one_from_its_own_dump(tmp_path: Path, corpus: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the build cache is keyed by the working folder: the reader's process runs here
    out = tmp_path / "build"
    assert CliRunner().invoke(main, ["build", "--seeds", str(corpus), "--out", str(out)]).exit_code == 0
    folder = current_set(out)
    assert folder is not None
    shutil.rmtree(folder / STORE)  # a set written before builds left a store
    (folder / MANIFEST).unlink()
    done, _ = lineage(tmp_path, corpus)
    assert done.returncode == 0, done.stderr
    assert done.stderr.endswith(": no build yet\n") and done.stderr.startswith("rebuilt ")
    assert json.loads(done.stdout)["predecessors"] == ["no-storage-2010"]
    assert current_set(out) == folder and (folder / STORE).is_dir()  # the cache found nothing to publish
    again, modules = lineage(tmp_path, corpus)
    assert again.stderr == f"answered from the build in {out}/ (current for 4 record files)\n"
    assert not modules & set(PIPELINE)


def test_the_store_is_loaded_a_slice_of_whole_lines_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dump is bulk-loaded from its file in slices cut at line breaks (the loader's memory is bounded by
    the slice): slices of 300 bytes, which cut most lines, give the store the dump and the schemes give."""
    import pyoxigraph as ox

    import kg.readers
    from kg.export import ntriples
    from kg.vocab import vocabularies

    dump = tmp_path / "dump.nt"
    lines = [f'<https://example.org/s{i}> <https://example.org/p> "{"é" * i}\\nline {i}" .\n' for i in range(40)]
    dump.write_text("".join(lines)[:-1], encoding="utf-8")  # and a last line without its line break
    monkeypatch.setattr(kg.readers, "LOAD_SLICE", 300)
    kg.readers.load_store(dump, tmp_path / "store")
    expected = ox.Store()
    expected.bulk_load(dump.read_bytes() + b"\n" + ntriples(vocabularies().graph).encode("utf-8"),
                       ox.RdfFormat.N_TRIPLES)
    store = ox.Store.read_only(str(tmp_path / "store"))
    assert len(store) == len(expected) > 40
    assert set(store) == set(expected)
