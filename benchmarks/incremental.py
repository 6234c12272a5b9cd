"""Incremental builds on a synthetic corpus: a cold `build`, then single-record edits, each timed.

    python benchmarks/incremental.py --records 10000 [--edits 5] [--verify] [--json]

The corpus (benchmarks/generate.py, seed 1) is copied into a temporary
folder, built once with an empty cache, and then edited one record at a
time, `kg.build.build` timed after each edit (in process, so Python's start
and imports are left out; `cli_edit` is the same edit through the
`ccus-kg build` command, start-up included). Edits, in turn: a description
(text only), the body, a new supersedes link to another policy (its target
gains an inverse link and a new patch), a Chinese title. `--verify` ends
with a `--no-cache` build and checks that the three dumps are byte-identical.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import corpus_for, machine, peak_rss_mb  # noqa: E402

DUMPS = ("ccus-kg.ttl", "ccus-kg.nt", "ccus-kg.jsonld")


def rewrite(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
    data = json.loads(head)
    change(data)
    path.write_text("---\n" + json.dumps(data, indent=2, ensure_ascii=False) + "\n---\n" + body, encoding="utf-8")


def edits(folder: Path, count: int) -> list[tuple[str, Callable[[], None]]]:
    """`count` single-record edits of four kinds, on records spread over the corpus."""
    english = sorted((folder / "en").glob("*.md"))
    chinese = sorted((folder / "zh").glob("*.md"))
    out: list[tuple[str, Callable[[], None]]] = []
    for i in range(count):
        kind = i % 4
        path = english[(i * 7919 + 13) % len(english)]
        if kind == 0:
            out.append(("description", lambda p=path: rewrite(p, lambda d: d.update(
                description=d.get("description", "") + " Revised."))))
        elif kind == 1:
            out.append(("body", lambda p=path: p.write_text(p.read_text(encoding="utf-8") + "\nA new paragraph.\n",
                                                            encoding="utf-8")))
        elif kind == 2:
            target = english[(i * 104729 + 1) % len(english)].stem
            out.append(("new supersedes link", lambda p=path, t=target: rewrite(p, lambda d: d["evolution"].update(
                supersedes=[*(d["evolution"].get("supersedes") or []), t]))))
        else:
            zh = chinese[(i * 7919) % len(chinese)]
            out.append(("Chinese title", lambda p=zh: rewrite(p, lambda d: d.update(title=d["title"] + "（修订）"))))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--edits", type=int, default=8, help="Single-record edits to time.")
    parser.add_argument("--verify", action="store_true", help="End with a --no-cache build and compare the dumps.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from kg.build import build

    source = corpus_for(args.records, args.seed, None)
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "corpus", Path(tmp) / "build"
        shutil.copytree(source, folder)
        started = time.perf_counter()
        build(folder, out, allow_invalid=True)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        build(folder, out, allow_invalid=True)
        noop = time.perf_counter() - started
        timed: list[dict[str, Any]] = []
        for name, edit in edits(folder, args.edits):
            edit()
            started = time.perf_counter()
            built = build(folder, out, allow_invalid=True)
            timed.append({"edit": name, "seconds": round(time.perf_counter() - started, 3),
                          "remapped": built.remapped, "spliced": built.spliced,  # type: ignore[union-attr]
                          "cross_record_rerun": built.revalidated_globally})  # type: ignore[union-attr]
        rewrite(sorted((folder / "en").glob("*.md"))[1], lambda d: d.update(description="Edited from the CLI."))
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kg", "build", "--seeds", str(folder), "--out", str(out),
                        "--allow-invalid", "--format", "json"], check=False, capture_output=True, cwd=Path.cwd())
        cli = time.perf_counter() - started
        identical = None
        if args.verify:
            build(folder, Path(tmp) / "full", allow_invalid=True, cache=False)
            identical = all((out / n).read_bytes() == (Path(tmp) / "full" / n).read_bytes() for n in DUMPS)
    seconds = [t["seconds"] for t in timed]
    result = {"records": args.records, "cold_build": round(cold, 3), "noop_rebuild": round(noop, 3),
              "edits": timed, "edit_median": round(statistics.median(seconds), 3), "edit_max": max(seconds),
              "cli_edit": round(cli, 3), "identical_to_full_build": identical, "peak_rss_mb": peak_rss_mb(),
              "machine": machine()}
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    print(f"{args.records} records, {result['machine']}")
    print(f"  cold build (empty cache)  {cold:8.3f} s")
    print(f"  rebuild, nothing changed  {noop:8.3f} s")
    for t in timed:
        print(f"  edit: {t['edit']:<22} {t['seconds']:8.3f} s  ({t['remapped']} policies redone, "
              f"cross-record rules {'re-run' if t['cross_record_rerun'] else 'cached'})")
    print(f"  edit median {result['edit_median']:.3f} s, max {result['edit_max']:.3f} s; "
          f"through the CLI (start-up included) {cli:.3f} s")
    if identical is not None:
        print(f"  dumps identical to a --no-cache build: {identical}")


if __name__ == "__main__":
    main()
