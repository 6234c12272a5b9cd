"""The output set: replaced whole or not at all, whatever stops a build; one build at a time."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg.export
from kg.build import BUILD_FORMATS, ONTOLOGY_FILES, STEM, build
from kg.cli import main
from kg.export import SUFFIX
from kg.outputs import SETS, locked

from .conftest import minimal_record, write_record

NAMES = [f"{STEM}{SUFFIX[fmt]}" for fmt in BUILD_FORMATS] + list(ONTOLOGY_FILES)


def snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in NAMES}


def two_versions(tmp_path: Path) -> tuple[Path, Path]:
    seeds = tmp_path / "seeds"
    write_record(seeds, minimal_record("first-policy"))
    write_record(seeds, minimal_record("second-policy"))
    return seeds, tmp_path / "out"


def edit(seeds: Path) -> None:
    write_record(seeds, minimal_record("first-policy", title="A changed title"))


@pytest.mark.parametrize("cache", [True, False])
@pytest.mark.parametrize("failing", ["jsonld", "ontology"])
def test_a_full_disk_midway_leaves_the_previous_set_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          cache: bool, failing: str) -> None:
    seeds, out = two_versions(tmp_path)
    build(seeds, out, cache=cache)
    before = snapshot(out)
    edit(seeds)
    real = kg.export.write_atomic_with

    def full_disk(path: Path, fill):  # type: ignore[no-untyped-def]
        doomed = path.name.endswith(".jsonld") if failing == "jsonld" else path.name == "ccus.ttl"
        if doomed:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, fill)

    monkeypatch.setattr(kg.export, "write_atomic_with", full_disk)
    monkeypatch.setattr("kg.incremental.write_atomic_with", full_disk)
    with pytest.raises(OSError, match="No space left on device"):
        build(seeds, out, cache=cache)
    assert snapshot(out) == before  # the old set, every file of it, still readable
    assert [p.name for p in (out / SETS).iterdir() if p.name != "current"] == ["1"]  # nothing half-written kept
    monkeypatch.undo()
    build(seeds, out, cache=cache)
    assert b"A changed title" in (out / f"{STEM}.nt").read_bytes()


def test_leftovers_of_a_killed_build_are_cleaned(tmp_path: Path) -> None:
    seeds, out = two_versions(tmp_path)
    build(seeds, out)
    (out / SETS / "9.partial").mkdir()
    (out / SETS / "9.partial" / "ccus-kg.ttl").write_text("half")
    (out / ".ccus-kg.ttl.abc123.tmp").write_text("half")
    edit(seeds)
    build(seeds, out)
    assert sorted(p.name for p in (out / SETS).iterdir()) == ["2", "current"]
    assert not (out / ".ccus-kg.ttl.abc123.tmp").exists()


def test_public_names_point_into_the_current_set(tmp_path: Path) -> None:
    seeds, out = two_versions(tmp_path)
    out.mkdir()
    (out / "ccus-kg.ttl").write_text("a dump of an older layout")  # a regular file from an older version
    build(seeds, out)
    for name in NAMES:
        assert os.readlink(out / name) == f"{SETS}/current/{name}"
    assert (out / "ccus-kg.ttl").read_text().startswith("@prefix")


def test_a_second_build_into_the_same_folder_is_refused_clearly(tmp_path: Path) -> None:
    seeds, out = two_versions(tmp_path)
    with locked(out):
        result = CliRunner().invoke(main, ["build", "--seeds", str(seeds), "--out", str(out)])
    assert result.exit_code == 2
    assert f"another build (pid {os.getpid()}) is writing here" in result.output
    assert CliRunner().invoke(main, ["build", "--seeds", str(seeds), "--out", str(out)]).exit_code == 0


@pytest.mark.slow
def test_kill_9_at_any_moment_leaves_a_whole_set(tmp_path: Path) -> None:
    """Real SIGKILLs at spread-out moments of a build: every time, the published files are all of one build."""
    seeds = tmp_path / "seeds"
    for i in range(150):
        write_record(seeds, minimal_record(f"policy-{i:03d}", title=f"Policy {i}"))
    out = tmp_path / "out"
    assert build(seeds, out, cache=False) is not None
    old = snapshot(out)
    for i in range(150):
        write_record(seeds, minimal_record(f"policy-{i:03d}", title=f"Policy {i}, revised"))
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "kg", "build", "--seeds", str(seeds), "--out", str(tmp_path / "ref"),
                    "--no-cache"], check=True, capture_output=True)
    whole = time.monotonic() - started
    new = snapshot(tmp_path / "ref")
    for step in range(8):
        process = subprocess.Popen([sys.executable, "-m", "kg", "build", "--seeds", str(seeds), "--out", str(out),
                                    "--no-cache"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(whole * (step + 0.5) / 8)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert snapshot(out) in (old, new), f"mixed output set after a kill at step {step}"
    result = CliRunner().invoke(main, ["build", "--seeds", str(seeds), "--out", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert snapshot(out) == new
    assert sorted(p.name for p in (out / SETS).iterdir() if not p.name.isdigit()) == ["current"]
