"""`ccus-kg build`: the dumps, the summary, exit codes, atomic writes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

from .conftest import FIXTURES, SEEDS, minimal_record, write_record


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_build_json_summary_counts(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_record(seeds, minimal_record("no-a-2014"))
    write_record(seeds, minimal_record("no-b-2015", legalWeight="Fiscal Incentive"))
    code, out, _ = run("build", "--seeds", str(seeds), "--out", str(tmp_path / "out"), "--format", "json")
    assert code == 0
    summary = json.loads(out)
    assert {k: summary[k] for k in ("ok", "records", "policies", "languages", "errors", "warnings")} == {
        "ok": True, "records": 2, "policies": 2, "languages": ["en"], "errors": 0, "warnings": 1,
    }
    assert summary["triples"] == len((tmp_path / "out" / "ccus-kg.nt").read_text().splitlines())
    assert [f["field"] for f in summary["findings"]] == ["legalWeight"]


def test_build_text_summary_line(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_record(seeds, minimal_record("no-a-2014"))
    code, out, _ = run("build", "--seeds", str(seeds), "--out", str(tmp_path / "out"))
    assert code == 0
    assert out.startswith("built 1 records (1 policies, en) -> ")
    assert "0 violations, 0 warnings, 0 infos;" in out


def test_failed_build_leaves_previous_outputs_intact(tmp_path: Path) -> None:
    seeds, out = tmp_path / "seeds", tmp_path / "out"
    write_record(seeds, minimal_record("no-a-2014"))
    assert run("build", "--seeds", str(seeds), "--out", str(out))[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    write_record(seeds, minimal_record("no-a-2014", title="Changed"))
    shutil.copy(FIXTURES / "records" / "bad-date.md", seeds)
    code, _, err = run("build", "--seeds", str(seeds), "--out", str(out))
    assert code == 1
    assert "bad-date.md:6: pubDate must be a real date YYYY-MM-DD, got '2022/08/16'" in err
    assert "nothing written" in err
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    (seeds / "bad-date.md").unlink()  # the refused run left the cache as the first build wrote it:
    code, stdout, _ = run("build", "--seeds", str(seeds), "--out", str(out), "--format", "json")
    assert (code, json.loads(stdout)["remapped"]) == (0, 1)  # only the edited policy is redone


def test_allow_invalid_writes_the_good_records(tmp_path: Path) -> None:
    seeds, out = tmp_path / "seeds", tmp_path / "out"
    write_record(seeds, minimal_record("no-a-2014"))
    shutil.copy(FIXTURES / "records" / "bad-date.md", seeds)
    code, stdout, _ = run("build", "--seeds", str(seeds), "--out", str(out), "--allow-invalid")
    assert code == 1
    assert "built 1 records" in stdout
    assert "no-a-2014" in (out / "ccus-kg.nt").read_text()


def test_unreadable_seeds_folder_exits_2(tmp_path: Path) -> None:
    code, _, err = run("build", "--seeds", str(tmp_path / "missing"), "--out", str(tmp_path / "o"))
    assert code == 2
    assert f"{tmp_path / 'missing'}: no such folder" in err
    assert "Traceback" not in err


def test_bad_corpus_reports_every_problem_without_traceback() -> None:
    code, _, err = run("build", "--seeds", str(FIXTURES / "records"), "--out", "/nonexistent/never")
    assert code == 1
    assert err.count("violation ") == 14
    assert "Traceback" not in err


def test_seeds_build_cleanly(tmp_path: Path) -> None:
    code, out, _ = run("build", "--seeds", str(SEEDS), "--out", str(tmp_path), "--format", "json")
    assert code == 0
    assert json.loads(out)["errors"] == 0


def test_rendering_in_chunks_writes_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks are rendered a chunk of subjects at a time; the chunk size never shows in the dumps."""
    import kg.incremental
    from kg.build import build

    build(SEEDS, tmp_path / "whole", cache=False)
    monkeypatch.setattr(kg.incremental, "RENDER_CHUNK", 7)
    built = build(SEEDS, tmp_path / "chunked", cache=False)
    assert built.remapped == built.policies
    for name in ("ccus-kg.ttl", "ccus-kg.nt", "ccus-kg.jsonld"):
        assert (tmp_path / "chunked" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name


def test_validating_in_chunks_gives_the_same_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Per-record checks run a chunk of policies at a time, the cross-record checks once over the corpus:
    the findings (file, line, field, rule) are those of one chunk, violations of the fixtures included."""
    import kg.incremental
    from kg.build import build

    whole = build(FIXTURES / "records", tmp_path / "whole", allow_invalid=True, cache=False)
    monkeypatch.setattr(kg.incremental, "POLICY_CHUNK", 2)
    chunked = build(FIXTURES / "records", tmp_path / "chunked", allow_invalid=True, cache=False)
    assert sum(f.severity.value == "violation" for f in whole.findings) == 14
    assert [f.as_dict() for f in chunked.findings] == [f.as_dict() for f in whole.findings]


def test_the_library_leaves_the_cycle_collector_to_its_caller(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """build, load and validate never switch the collector (a program importing kg keeps its own setting);
    the command line, which owns its process, pauses it for a batch command and switches it back on."""
    import gc

    from kg.build import build, load

    switched: list[str] = []
    real_disable = gc.disable
    monkeypatch.setattr(gc, "disable", lambda: (switched.append("disable"), real_disable())[1])
    monkeypatch.setattr(gc, "freeze", lambda: switched.append("freeze"))
    assert gc.isenabled()
    build(SEEDS, tmp_path / "lib", allow_invalid=True)
    load(SEEDS).validate()
    assert (switched, gc.isenabled()) == ([], True)

    code, _, _ = run("build", "--seeds", str(SEEDS), "--out", str(tmp_path / "cli"))
    assert (code, switched, gc.isenabled()) == (0, ["disable"], True)
    for name in ("ccus-kg.ttl", "ccus-kg.nt", "ccus-kg.jsonld"):  # the same bytes either way
        assert (tmp_path / "cli" / name).read_bytes() == (tmp_path / "lib" / name).read_bytes(), name


@pytest.mark.parametrize("name", ["seeds", "hub-like"])
def test_load_runs_the_build_pipeline_and_holds_what_build_writes(name: str, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """kg.load is the build's pipeline kept in memory: the graph it holds is the N-Triples dump line for
    line, its findings once validated are the build's, and nothing else maps the corpus."""
    from kg import incremental
    from kg.build import build, load
    from kg.export import nt_lines

    from .fixtures_hub import HUB_LIKE

    root = SEEDS if name == "seeds" else HUB_LIKE
    built = build(root, tmp_path / "out", allow_invalid=True)
    mapped: list[str] = []
    original = incremental.map_policy

    def counting(records: list, *args: object) -> object:
        mapped.append(records[0].id)
        return original(records, *args)

    monkeypatch.setattr(incremental, "map_policy", counting)
    kg = load(root)
    dump = (tmp_path / "out" / "ccus-kg.nt").read_text(encoding="utf-8").splitlines()
    assert sorted(set(nt_lines(kg.triples))) == sorted(dump)
    assert sorted(mapped) == sorted(kg.corpus.policies())  # each policy mapped once, by the pipeline
    assert [f.as_dict() for f in kg.validate().findings] == [f.as_dict() for f in built.findings]
    assert [f.as_dict() for f in kg.validate().findings] == [f.as_dict() for f in built.findings]  # not doubled
    assert kg.summary()["triples"] == built.triples == len(dump)
