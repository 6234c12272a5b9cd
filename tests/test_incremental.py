"""Incremental builds: after any edit the cached build writes what a full build writes, redoing only what changed."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import kg.incremental
import kg.readers
from kg.build import build
from kg.cli import main
from kg.incremental import CACHE_FILE, Built

from .conftest import SEEDS, minimal_record, write_record

DUMPS = ("ccus-kg.ttl", "ccus-kg.nt", "ccus-kg.jsonld")
SEED_COUNT = len(list(SEEDS.glob("*.md")))  # one policy per seed record


def front(path: Path) -> tuple[dict[str, Any], str]:
    _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
    data = yaml.safe_load(head)  # JSON front matter is YAML too
    return json.loads(json.dumps(data, default=str)), body


def rewrite(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data, body = front(path)
    change(data)
    path.write_text("---\n" + json.dumps(data, indent=2, ensure_ascii=False) + "\n---\n" + body, encoding="utf-8")


def store_quads(out: Path) -> list[str]:
    """Every quad of the readers' store in the published set of ``out``, as text, sorted."""
    import pyoxigraph as ox

    from kg.readers import STORE, current_set

    folder = current_set(out)
    assert folder is not None
    store = ox.Store.read_only(str(folder / STORE))
    return sorted(str(quad) for quad in store.quads_for_pattern(None, None, None))


def same_as_full(seeds: Path, out: Path, tmp_path: Path) -> Built:
    """Build against the on-disk store in out, and against a fresh store in memory (--no-cache) into a
    fresh folder; assert both agree byte for byte."""
    published = kg.readers.current_set(out)
    had_store = published is not None and (published / kg.readers.STORE).is_dir()
    loaded: list[Path] = []
    load = kg.readers.load_store

    def loading(data: Path, folder: Path) -> None:
        loaded.append(folder)
        load(data, folder)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kg.readers, "load_store", loading)
        built = build(seeds, out, allow_invalid=True)
    assert isinstance(built, Built)
    if "nt" in built.spliced:  # the published store copied and only the changed subjects replaced
        assert len(loaded) == (0 if had_store else 1)
    full_out = tmp_path / "full"
    shutil.rmtree(full_out, ignore_errors=True)
    full = build(seeds, full_out, allow_invalid=True, cache=False)
    for name in DUMPS:
        assert (out / name).read_bytes() == (full_out / name).read_bytes(), name
    assert store_quads(out) == store_quads(full_out)  # the readers' store too, updated in place or loaded
    assert [f.as_dict() for f in built.findings] == [f.as_dict() for f in full.findings]
    summary = {k: v for k, v in built.summary().items() if k not in ("seconds", "remapped")}
    assert summary == {k: v for k, v in full.summary().items() if k not in ("seconds", "remapped")}
    assert full.remapped == full.policies  # the store in memory starts empty: every policy is mapped
    return built


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    # the policies only (test_facility_edits_... covers a content root with facilities)
    shutil.copytree(SEEDS, folder, ignore=shutil.ignore_patterns("facilities", "countries"))
    return folder


def test_edits_rebuild_only_what_they_reach_and_match_a_full_build(seeds_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = sorted(seeds_copy.glob("*.md"))
    assert same_as_full(seeds_copy, out, tmp_path).remapped == SEED_COUNT  # a cold cache maps everything
    assert same_as_full(seeds_copy, out, tmp_path).remapped == 0

    rewrite(files[0], lambda d: d.update(description=d.get("description", "") + " Edited."))
    built = same_as_full(seeds_copy, out, tmp_path)
    assert (built.remapped, built.spliced) == (1, ["ttl", "nt", "jsonld"])  # the new blocks went into the old files
    assert built.revalidated_globally is False  # no lineage or shared node changed: cross-record findings cached

    files[1].write_text(files[1].read_text(encoding="utf-8").replace("---\n", "---\n\n\n", 1)
                        .replace("\n---\n", "\n---\n\n\n", 1), encoding="utf-8")  # every line moves
    assert same_as_full(seeds_copy, out, tmp_path).remapped == 1

    target = front(files[3])[0]["id"]  # a new supersedes link: the target gains an inverse supersededBy
    rewrite(files[2], lambda d: d["evolution"].update(supersedes=[*d["evolution"]["supersedes"], target]))
    assert same_as_full(seeds_copy, out, tmp_path).remapped == 2
    rewrite(files[2], lambda d: d["evolution"].update(supersedes=d["evolution"]["supersedes"][:-1]))
    built = same_as_full(seeds_copy, out, tmp_path)
    assert (built.remapped, built.spliced, built.revalidated_globally) == (2, ["ttl", "nt", "jsonld"], True)
    rewrite(files[0], lambda d: d.update(description=d.get("description", "") + " Again."))
    assert same_as_full(seeds_copy, out, tmp_path).revalidated_globally is False  # lineage untouched: rules cached

    source, target = front(files[4])[0]["id"], front(files[5])[0]["id"]
    rewrite(files[4], lambda d: d.setdefault("evolution", {}).update(amends=target))  # one id as a string
    assert same_as_full(seeds_copy, out, tmp_path).remapped == 2  # the target gains an inverse amendedBy
    rewrite(files[5], lambda d: d.setdefault("evolution", {}).update(amendedBy=[source]))
    assert same_as_full(seeds_copy, out, tmp_path).remapped == 1  # now stated on both sides: no derived line
    rewrite(files[4], lambda d: d["evolution"].pop("amends"))
    rewrite(files[5], lambda d: d["evolution"].pop("amendedBy"))
    built = same_as_full(seeds_copy, out, tmp_path)
    assert (built.remapped, built.revalidated_globally) == (2, True)
    # A status that needs an end, then the instrument that gives it: cross-record findings follow both records.
    rewrite(files[5], lambda d: d.update(status="Repealed"))
    assert str(files[5]) in {f.file for f in same_as_full(seeds_copy, out, tmp_path).findings
                             if f.rule.endswith("#EndedWithoutEnd")}
    rewrite(files[4], lambda d: d["evolution"].update(repeals=[target]))
    assert not [f for f in same_as_full(seeds_copy, out, tmp_path).findings if f.rule.endswith("#EndedWithoutEnd")]
    rewrite(files[4], lambda d: d["evolution"].pop("repeals"))
    rewrite(files[5], lambda d: d.update(status="Active"))
    same_as_full(seeds_copy, out, tmp_path)

    os.utime(files[4])  # touched, same bytes
    assert same_as_full(seeds_copy, out, tmp_path).remapped == 0


def test_shared_nodes_deletions_duplicates_and_broken_records(seeds_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = sorted(seeds_copy.glob("*.md"))
    on_file_7 = [f for f in same_as_full(seeds_copy, out, tmp_path).findings if f.file == str(files[7])]
    named = [f for f in files if front(f)[0]["evolution"].get("clusters")]
    cluster = front(named[0])[0]["evolution"]["clusters"][0]
    members = [f for f in files if cluster in (front(f)[0]["evolution"].get("clusters") or [])]
    # The same cluster spelled differently: one more label on a shared node, which every member's reverse reads.
    rewrite(files[5], lambda d: d["evolution"].update(clusters=[cluster.upper()]))
    assert same_as_full(seeds_copy, out, tmp_path).remapped == len({*members, files[5]})

    rewrite(files[6], lambda d: d["provenance"].update(author="Somebody Else"))
    same_as_full(seeds_copy, out, tmp_path)
    files[7].write_text("---\n{ not json\n---\n", encoding="utf-8")
    built = same_as_full(seeds_copy, out, tmp_path)
    assert str(files[7]) in {f.file for f in built.findings if f.severity.value == "violation"}
    (seeds_copy / "extra").mkdir()
    shutil.copy(files[8], seeds_copy / "extra" / files[8].name)  # a second file with the same id
    assert [f.file for f in same_as_full(seeds_copy, out, tmp_path).findings
            if f.rule.endswith("duplicate-id")] == [f"extra/{files[8].name}"]
    files[9].unlink()
    files[10].rename(files[10].with_name("renamed.md"))
    assert same_as_full(seeds_copy, out, tmp_path).spliced == ["ttl", "nt", "jsonld"]  # blocks removed in place
    shutil.copy(SEEDS / files[7].name, files[7])
    built = same_as_full(seeds_copy, out, tmp_path)
    assert [f for f in built.findings if f.file == str(files[7])] == on_file_7


def test_facility_edits_rebuild_incrementally_and_match_a_cold_build(tmp_path: Path) -> None:
    """Facilities go through the same unit store: an edit to one facility record (or to a policy its derived
    links read) rebuilds without mapping the policies again, and the dumps and findings are those of a cold
    build on an empty store."""
    seeds = tmp_path / "content"
    shutil.copytree(SEEDS, seeds)
    facilities = seeds / "facilities"
    out = tmp_path / "out"
    cold = same_as_full(seeds, out, tmp_path)
    assert (cold.remapped, cold.files) == (SEED_COUNT, SEED_COUNT + len(list(facilities.glob("*-*.md"))))
    assert same_as_full(seeds, out, tmp_path).remapped == 0

    rewrite(facilities / "no-sleipner.md", lambda d: d.update(capacity=0.9))
    built = same_as_full(seeds, out, tmp_path)
    assert (built.remapped, built.spliced) == (0, ["ttl", "nt", "jsonld"])  # the facility's blocks spliced in
    assert '"0.9"^^<http://www.w3.org/2001/XMLSchema#decimal>' in (out / "ccus-kg.nt").read_text(encoding="utf-8")

    rewrite(facilities / "no-sleipner.md", lambda d: d.update(operator="Equinor Energy AS"))  # a shared agent
    assert same_as_full(seeds, out, tmp_path).remapped == 0
    rewrite(facilities / "no-sleipner.md", lambda d: d.update(relatedPolicies=[*d["relatedPolicies"],
                                                                               "no-co2-storage-regulations-2014"]))
    assert same_as_full(seeds, out, tmp_path).remapped == 0

    # A bad value: the facility's shape finding, located in its file, as a cold build gives it.
    rewrite(facilities / "no-sleipner.md", lambda d: d.update(coordinates=[-33.9, 18.4]))  # far from Norway
    built = same_as_full(seeds, out, tmp_path)
    inside = [(f.file, f.field, f.line) for f in built.findings if f.rule.endswith("#InsideCountry")]
    assert [i[:2] for i in inside] == [(str(facilities / "no-sleipner.md"), "coordinates")]
    sleipner = facilities / "no-sleipner.md"
    sleipner.write_text(sleipner.read_text(encoding="utf-8").replace("---\n", "---\n\n\n", 1), encoding="utf-8")
    built = same_as_full(seeds, out, tmp_path)  # the same triples, every line two down: the finding follows
    assert [f.line for f in built.findings if f.rule.endswith("#InsideCountry")] == [inside[0][2] + 2]

    # A policy the derived links read (its status ends its time in force): only it is mapped again.
    policy = seeds / "no-co2-tax-petroleum-act-1990.md"
    rewrite(policy, lambda d: d.update(status="Repealed"))
    assert same_as_full(seeds, out, tmp_path).remapped == 1

    (facilities / "no-snohvit.md").unlink()
    built = same_as_full(seeds, out, tmp_path)
    assert "facility/no-snohvit>" not in (out / "ccus-kg.nt").read_text(encoding="utf-8")
    shutil.rmtree(facilities)  # the content root loses its facilities: their nodes leave the dumps
    built = same_as_full(seeds, out, tmp_path)
    assert (built.remapped, "/facility/" in (out / "ccus-kg.nt").read_text(encoding="utf-8")) == (0, False)

    # Another corpus into the same folder empties the cache (its key names the folder); back again, the
    # facilities are all rendered, none taken for unchanged from the landscape of an earlier corpus.
    shutil.copytree(SEEDS / "facilities", facilities)
    same_as_full(seeds, out, tmp_path)
    same_as_full(_policies_only(tmp_path), out, tmp_path)
    same_as_full(seeds, out, tmp_path)
    assert "/facility/no-sleipner>" in (out / "ccus-kg.nt").read_text(encoding="utf-8")


def _policies_only(tmp_path: Path) -> Path:
    folder = tmp_path / "policies-only"
    if not folder.is_dir():
        shutil.copytree(SEEDS, folder, ignore=shutil.ignore_patterns("facilities", "countries"))
    return folder


def _edits_match_a_full_build(policies: Path, tmp_path: Path, count: int) -> None:
    """A bilingual corpus in the hub's layout: each kind of edit gives the dumps of a full build."""
    seeds = tmp_path / "hub"
    shutil.copytree(policies, seeds)
    out = tmp_path / "out"
    assert same_as_full(seeds, out, tmp_path).remapped == count
    english = sorted((seeds / "en").glob("*.md"))
    rewrite(english[0], lambda d: d.update(status="Superseded"))
    assert same_as_full(seeds, out, tmp_path).remapped == 1
    chinese = sorted((seeds / "zh").glob("*.md"))
    rewrite(chinese[0], lambda d: d.update(title=str(d.get("title", "")) + "（修订）"))
    assert same_as_full(seeds, out, tmp_path).remapped == 1
    # Chinese cluster names label the English clusters while the lists pair up; one name fewer and they part.
    paired = next(f for f in chinese if len(front(f)[0].get("evolution", {}).get("clusters") or []) > 1)
    clusters = front(paired)[0]["evolution"]["clusters"]
    rewrite(paired, lambda d: d["evolution"].update(clusters=clusters[:-1]))
    built = same_as_full(seeds, out, tmp_path)
    assert [f.field for f in built.findings if f.rule.endswith("cluster-alignment")] == ["evolution.clusters"]
    rewrite(paired, lambda d: d["evolution"].update(clusters=clusters))
    built = same_as_full(seeds, out, tmp_path)
    assert not [f for f in built.findings if f.rule.endswith("cluster-alignment")]


def test_hub_sample_edits_match_a_full_build(hub: Path, tmp_path: Path) -> None:
    _edits_match_a_full_build(hub, tmp_path, 76)


def test_shipped_hub_like_edits_match_a_full_build(tmp_path: Path) -> None:
    from .fixtures_hub import POLICIES

    _edits_match_a_full_build(POLICIES, tmp_path, 7)


def test_hub_content_root_profile_and_facility_edits_match_a_cold_build(hub: Path, tmp_path: Path) -> None:
    """The hub's content root (policies, facilities and country profiles, en and zh) through the unit store."""
    root = tmp_path / "hub"
    shutil.copytree(hub.parent, root)
    out = tmp_path / "out"
    assert same_as_full(root, out, tmp_path).remapped == 76
    profile = sorted((root / "countries" / "en").glob("*.md"))[0]
    rewrite(profile, lambda d: d["regulatory"].update(pore_space_rights=""))
    assert same_as_full(root, out, tmp_path).remapped == 0
    facility = sorted((root / "facilities" / "zh").glob("*.md"))[0]
    rewrite(facility, lambda d: d.update(name=str(d.get("name", "")) + "（二期）"))
    built = same_as_full(root, out, tmp_path)
    assert (built.remapped, built.spliced) == (0, ["ttl", "nt", "jsonld"])


def test_a_changed_shape_or_code_empties_the_cache(seeds_copy: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build(seeds_copy, out)
    ontology = tmp_path / "ontology"
    shutil.copytree(kg.incremental.data_dir("ontology"), ontology)
    with (ontology / "shapes.ttl").open("a", encoding="utf-8") as handle:
        handle.write("\n# an edited shape\n")
    monkeypatch.setattr(kg.incremental, "data_dir", lambda name: ontology)
    built = build(seeds_copy, out)
    assert isinstance(built, Built) and built.remapped == SEED_COUNT


def test_a_broken_cache_file_is_rebuilt_with_a_notice(seeds_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(seeds_copy, out)
    cache = out / CACHE_FILE
    for extra in cache.parent.glob("build.sqlite-*"):
        extra.unlink()
    cache.write_bytes(b"this is not a database")
    built = build(seeds_copy, out, allow_invalid=True)
    notes = [f for f in built.findings if f.rule == "ccus-kg:build/cache-healed"]
    assert [(f.file, f.severity.value, f.message) for f in notes] == [
        (str(cache), "info", "the build cache was damaged (file is not a database); it was rebuilt from the records")]
    built.findings.remove(notes[0])
    assert built.remapped == SEED_COUNT
    assert same_as_full(seeds_copy, out, tmp_path).remapped == 0  # and the healed cache serves the next build
    assert sqlite3.connect(cache).execute("SELECT COUNT(*) FROM policies").fetchone() == (SEED_COUNT,)


def test_dumps_are_left_alone_when_nothing_changed_and_restored_when_edited_by_hand(
        seeds_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(seeds_copy, out)
    before = {name: (out / name).stat().st_mtime_ns for name in DUMPS}
    build(seeds_copy, out)
    assert {name: (out / name).stat().st_mtime_ns for name in DUMPS} == before
    expected = (out / "ccus-kg.ttl").read_bytes()
    (out / "ccus-kg.ttl").write_text("hand edit\n", encoding="utf-8")
    assert build(seeds_copy, out).spliced == []  # assembled whole from the cache, not spliced into the edit
    assert (out / "ccus-kg.ttl").read_bytes() == expected


def test_cli_reports_what_it_redid_and_no_cache_leaves_the_cache_alone(seeds_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(main, ["build", "--seeds", str(seeds_copy), "--out", str(out), "--format", "json"])
    second = runner.invoke(main, ["build", "--seeds", str(seeds_copy), "--out", str(out), "--format", "json"])
    assert (json.loads(first.stdout)["remapped"], json.loads(second.stdout)["remapped"]) == (SEED_COUNT, 0)
    other = tmp_path / "other"
    full = runner.invoke(main, ["build", "--seeds", str(seeds_copy), "--out", str(other), "--no-cache"])
    assert full.exit_code == 0 and not (other / CACHE_FILE).exists()
    assert all((other / name).read_bytes() == (out / name).read_bytes() for name in DUMPS)


def test_a_dangling_link_is_reported_not_skipped_by_both_builds(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_record(seeds, minimal_record("no-a-2014"))
    (seeds / "gone.md").symlink_to(tmp_path / "missing.md")
    for extra in ([], [], ["--no-cache"]):  # cold cache, warm cache, no cache
        result = CliRunner().invoke(main, ["build", "--seeds", str(seeds), "--out", str(tmp_path / "out"), *extra])
        assert result.exit_code == 1
        assert f"violation {seeds / 'gone.md'}: cannot be read: No such file or directory" in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("root", ["seeds", "hub-like"])
def test_chunk_boundaries_never_show_in_the_dumps_or_findings(root: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Both passes take a chunk of policies at a time (mapped, patched, checked, rendered, dropped): a cold
    build in chunks of 3 policies, 2 subjects rendered at a time, writes the bytes and findings of one chunk;
    so does a rebuild in chunks of 2 after an edit that reaches another policy through an inverse link."""
    from .fixtures_hub import HUB_LIKE

    content = tmp_path / root
    shutil.copytree(SEEDS if root == "seeds" else HUB_LIKE, content)
    whole = build(content, tmp_path / "whole", allow_invalid=True, cache=False)
    monkeypatch.setattr(kg.incremental, "POLICY_CHUNK", 3)
    monkeypatch.setattr(kg.incremental, "RENDER_CHUNK", 2)
    out = tmp_path / "chunked"
    chunked = build(content, out, allow_invalid=True)
    assert isinstance(chunked, Built) and chunked.remapped == chunked.policies > 3 * 2  # several chunks
    for name in DUMPS:
        assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    assert [f.as_dict() for f in chunked.findings] == [f.as_dict() for f in whole.findings]
    assert chunked.summary() | {"seconds": 0} == whole.summary() | {"seconds": 0}

    policies = sorted((content / "policies" / "en" if root == "hub-like" else content).glob("*.md"))
    target = front(policies[-1])[0]["id"]  # the last chunk's policy gains an inverse link from the first's
    rewrite(policies[0], lambda d: d.setdefault("evolution", {}).update(supersedes=[target]))
    monkeypatch.setattr(kg.incremental, "POLICY_CHUNK", 2)
    monkeypatch.setattr(kg.incremental, "RENDER_CHUNK", 5_000)
    rebuilt = build(content, out, allow_invalid=True)
    assert isinstance(rebuilt, Built) and rebuilt.remapped >= 2
    monkeypatch.undo()
    full = build(content, tmp_path / "full", allow_invalid=True, cache=False)
    for name in DUMPS:
        assert (out / name).read_bytes() == (tmp_path / "full" / name).read_bytes(), name
    assert [f.as_dict() for f in rebuilt.findings] == [f.as_dict() for f in full.findings]


def test_an_edit_without_a_published_store_loads_the_dump_into_a_new_one(seeds_copy: Path, tmp_path: Path) -> None:
    from kg.readers import STORE, current_set

    out = tmp_path / "out"
    build(seeds_copy, out, allow_invalid=True)
    folder = current_set(out)
    assert folder is not None
    shutil.rmtree(folder / STORE)  # a set written before builds left a store, or one damaged
    rewrite(sorted(seeds_copy.glob("*.md"))[0], lambda d: d.update(description="Edited."))
    assert same_as_full(seeds_copy, out, tmp_path).spliced == ["ttl", "nt", "jsonld"]

