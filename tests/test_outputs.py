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


# --- the cache cannot hurt ---------------------------------------------------------------------


def test_a_tampered_cache_runs_no_code_and_is_healed(tmp_path: Path) -> None:
    import pickle
    import sqlite3

    seeds, out = two_versions(tmp_path)
    build(seeds, out)
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (os.system, (f"touch {marker}",))

    db = sqlite3.connect(out / ".cache" / "build.sqlite")
    db.execute("UPDATE files SET record=?, findings=?", (pickle.dumps(Evil()), pickle.dumps(Evil())))
    db.execute("UPDATE policies SET findings=?", (pickle.dumps(Evil()),))
    db.commit()
    db.close()
    edit(seeds)
    built = build(seeds, out)
    assert not marker.exists()
    notes = [f for f in built.findings if f.rule == "ccus-kg:build/cache-healed"]
    assert [(Path(f.file).name, f.severity.value) for f in notes] == [("build.sqlite", "info")]
    assert "fails its checksum" in notes[0].message
    assert snapshot(out)[f"{STEM}.nt"] == _full_build(seeds, tmp_path)[f"{STEM}.nt"]
    again = build(seeds, out)  # healed: the next build is incremental again, with nothing to redo
    assert (again.remapped, [f.rule for f in again.findings if "cache" in f.rule]) == (0, [])


@pytest.mark.parametrize(("where", "reason"), [
    ("header", "file is not a database"),
    ("rows", "a cache entry fails its checksum"),
])
def test_a_damaged_cache_is_healed_by_a_full_rebuild_with_a_notice(tmp_path: Path, where: str, reason: str) -> None:
    import sqlite3

    seeds, out = two_versions(tmp_path)
    build(seeds, out)
    cache = out / ".cache" / "build.sqlite"
    if where == "header":
        data = bytearray(cache.read_bytes())
        data[0:100] = b"\xde\xad" * 50
        cache.write_bytes(bytes(data))
    else:  # bytes flipped inside stored rows: SQLite reads them fine, the checksums do not
        db = sqlite3.connect(cache)
        db.execute("UPDATE files SET findings=CAST(zeroblob(40) AS BLOB)")
        db.execute("UPDATE files SET record=substr(record, 1, 20) || X'00' || substr(record, 22)")
        db.commit()
        db.close()
    edit(seeds)
    built = build(seeds, out)
    notes = [f.message for f in built.findings if f.rule == "ccus-kg:build/cache-healed"]
    assert notes == [f"the build cache was damaged ({reason}); it was rebuilt from the records"]
    assert snapshot(out)[f"{STEM}.nt"] == _full_build(seeds, tmp_path)[f"{STEM}.nt"]
    assert build(seeds, out).remapped == 0


def test_a_full_disk_never_truncates_or_unlinks_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from kg.incremental import Cache

    seeds, out = two_versions(tmp_path)
    build(seeds, out)
    cache = out / ".cache" / "build.sqlite"
    before = cache.read_bytes()
    real = Cache._open

    def full(path: str, key: str) -> sqlite3.Connection:
        if path != ":memory:":
            raise sqlite3.OperationalError("database or disk is full")
        return real(path, key)

    monkeypatch.setattr(Cache, "_open", staticmethod(full))
    edit(seeds)
    built = build(seeds, out)  # runs on a cache in memory
    assert built.remapped == 2
    assert cache.read_bytes() == before


def _full_build(seeds: Path, tmp_path: Path) -> dict[str, bytes]:
    reference = tmp_path / "reference-out"
    build(seeds, reference, cache=False)
    return snapshot(reference)
