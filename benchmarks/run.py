"""The benchmark runner: every pipeline step on a seeded synthetic corpus, ours and the naive one.

    python benchmarks/run.py --records 10000 [--naive] [--json] [--corpus DIR] [--cap 60] [--step-cap 600]
                             [--repeat 3] [--commands-only]

Steps (seconds each): load (read, check and map the record files: `kg.load`,
the build's own pipeline kept in memory), validate (shapes.ttl over the whole corpus), export (Turtle to a
file), store (bulk load into an embedded Oxigraph store), lineage (the
networkx lineage graph from SPARQL plus the whole `analyze` report), one step
per named query on that store (`query:<name>`), and the two anchored queries
users ask most (`anchored:lineage-chain`, `anchored:current-version`).
`end_to_end` is load + validate + export (the naive way: load, then map
into an rdflib Graph one `add` at a time, validate, export).

The headline, printed first, is what a user runs: `ccus-kg build` on a cold
start (no output folder, no cache; every output it writes), `ccus-kg build
--no-cache` and `ccus-kg validate`, each a whole process timed from outside
with the peak RSS the kernel reports for it (the median of `--repeat` runs).
`--commands-only` times just these.

`--naive` runs the same steps the naive way in a child process (so its
memory is its own): rdflib `Graph.add`, pySHACL over the whole graph,
rdflib's Turtle writer and rdflib SPARQL. Each slow naive step runs in a
forked child, stopped at `--step-cap` seconds (validate, export) or `--cap`
seconds (each query); a
stopped step counts as the cap and is listed in `timed_out`, so the naive
total and the ratio are then lower bounds. The ratio printed is naive
end-to-end / ours.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import platform
import resource
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

END_TO_END = ("load", "validate", "export")
NAIVE_END_TO_END = ("load", "map", "validate", "export")


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory of this process, or of it and its forked steps (Linux reports KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if children:
        kib = max(kib, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return round(kib / 1024, 1)


class Clock:
    """Times named steps in order, and notes the process's peak RSS after each."""

    def __init__(self) -> None:
        self.steps: dict[str, float] = {}
        self.peak_after: dict[str, float] = {}

    def run(self, name: str, func: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        value = func()
        self.steps[name] = round(time.perf_counter() - started, 4)
        self.peak_after[name] = peak_rss_mb()
        return value


def corpus_for(records: int, seed: int, folder: Path | None) -> Path:
    """The generated corpus (cached under build/bench/ by size and seed)."""
    folder = folder or ROOT / "build" / "bench" / f"corpus-{records}-s{seed}"
    stamp = folder / ".complete"
    if not stamp.exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--records", str(records),
                        "--out", str(folder), "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
        stamp.write_text("ok\n")
    return folder


def anchored_ids(lineage: Any) -> tuple[str, str]:
    """A policy in the middle of the longest chain (deterministic for a given corpus)."""
    chain = lineage.longest_chains(1)[0]
    return chain[len(chain) // 2], chain[0]


def ours(folder: Path, workdir: Path) -> dict[str, Any]:
    import pyoxigraph as ox

    from kg.build import load
    from kg.export import dump, load_oxigraph
    from kg.lineage import Lineage
    from kg.queries import catalogue, run
    from kg.runtime import collector_paused
    from kg.store import OxigraphSource
    from kg.vocab import vocabularies

    clock = Clock()
    with collector_paused():  # as the command line runs a batch command
        kg = clock.run("load", lambda: load(folder))
        report = clock.run("validate", kg.validate)
        clock.run("export", lambda: dump(kg.triples, "ttl", workdir / "ours.ttl"))

    def store() -> OxigraphSource:
        oxs = ox.Store()
        load_oxigraph(oxs, itertools.chain(kg.triples, vocabularies().graph))
        return OxigraphSource(oxs)

    source = clock.run("store", store)
    lineage = clock.run("lineage", lambda: (lambda lin: (lin, lin.analysis()))(Lineage.from_source(source)))[0]
    middle, oldest = anchored_ids(lineage)
    for name, query in sorted(catalogue().items()):
        clock.run(f"query:{name}", lambda q=query: run(source, q, q.examples()))
    clock.run("anchored:lineage-chain", lambda: run(source, "lineage-chain", {"id": middle}))
    clock.run("anchored:current-version", lambda: run(source, "current-version", {"id": oldest}))
    return {"steps": clock.steps, "peak_rss_mb_after": clock.peak_after, "triples": len(kg.triples),
            "files": kg.corpus.files,
            "violations": sum(1 for f in report.findings if f.severity.value == "violation"),
            "peak_rss_mb": peak_rss_mb()}


def command(args: list[str], repeat: int) -> dict[str, Any]:
    """A ccus-kg command as a user runs it: a whole process (start-up, imports, every output it writes),
    timed from outside, with the peak RSS the kernel reports for it; the median of ``repeat`` runs."""
    runs: list[dict[str, Any]] = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:  # a cold start: no output folder, no cache
            argv = [sys.executable, "-m", "kg", *[a.replace("{tmp}", tmp) for a in args]]
            started = time.perf_counter()
            proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            runs.append({"seconds": round(time.perf_counter() - started, 3),
                         "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),  # a shared machine's wall
                         "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "exit": proc.returncode})  # time varies
    return {"command": "ccus-kg " + " ".join(args), "runs": runs,
            "seconds": statistics.median(r["seconds"] for r in runs),
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
            "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs)}


def commands(folder: Path, repeat: int) -> dict[str, Any]:
    """The headline: a cold `ccus-kg build` (the cache on, as by default) and `ccus-kg validate`."""
    seeds = str(folder)
    return {"build": command(["build", "--seeds", seeds, "--out", "{tmp}/out", "--allow-invalid"], repeat),
            "build_no_cache": command(["build", "--seeds", seeds, "--out", "{tmp}/out", "--allow-invalid",
                                       "--no-cache"], repeat),
            "validate": command(["validate", "--seeds", seeds], repeat)}


def capped(clock: Clock, name: str, func: Callable[[], Any], cap: float, timed_out: list[str]) -> None:
    """Run a step in a forked child (it sees the parent's memory), killed at ``cap`` seconds."""
    ctx = multiprocessing.get_context("fork")
    started = time.perf_counter()
    proc = ctx.Process(target=func)
    proc.start()
    proc.join(cap)
    if proc.is_alive():
        proc.kill()
        proc.join()
        timed_out.append(name)
        clock.steps[name] = cap
    else:
        clock.steps[name] = round(time.perf_counter() - started, 4)


def naive(folder: Path, workdir: Path, cap: float, step_cap: float) -> dict[str, Any]:
    """rdflib Graph.add, pySHACL, rdflib's Turtle writer, rdflib SPARQL; slow steps capped at ``cap`` s."""
    import pyshacl
    from rdflib import Graph

    from kg.build import load
    from kg.queries import bind, catalogue
    from kg.resources import ontology_file
    from kg.vocab import vocabularies

    clock = Clock()
    timed_out: list[str] = []
    kg = clock.run("load", lambda: load(folder))

    def to_graph() -> Graph:
        graph = Graph()
        for triple in kg.triples:
            graph.add(triple)
        return graph

    graph = clock.run("map", to_graph)
    shapes = Graph().parse(ontology_file("shapes.ttl"))

    def shacl() -> None:
        for triple in vocabularies().graph:
            graph.add(triple)  # in the child: the parent's graph stays the data alone
        pyshacl.validate(graph, shacl_graph=shapes, advanced=True, allow_warnings=True)

    capped(clock, "validate", shacl, step_cap, timed_out)
    capped(clock, "export", lambda: graph.serialize(destination=str(workdir / "naive.ttl"), format="turtle"),
           step_cap, timed_out)
    for triple in vocabularies().graph:
        graph.add(triple)
    for name, query in sorted(catalogue().items()):
        text = bind(query, query.examples())
        capped(clock, f"query:{name}", lambda t=text: list(graph.query(t)), cap, timed_out)
    return {"steps": clock.steps, "timed_out": timed_out, "peak_rss_mb": peak_rss_mb(children=True)}


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.machine()} {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, required=True, help="Record files to generate.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=None, help="Use (or generate into) this folder.")
    parser.add_argument("--naive", action="store_true", help="Also run the naive pipeline, in a child process.")
    parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
    parser.add_argument("--cap", type=float, default=60.0,
                        help="Seconds after which a naive query is stopped.")
    parser.add_argument("--step-cap", type=float, default=600.0,
                        help="Seconds after which the naive validate or export step is stopped.")
    parser.add_argument("--repeat", type=int, default=3,
                        help="Runs of each whole command (build, build --no-cache, validate); the median is shown.")
    parser.add_argument("--commands-only", action="store_true",
                        help="Time only the whole commands, not the per-step figures.")
    parser.add_argument("--naive-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = corpus_for(args.records, args.seed, args.corpus)
    if args.commands_only:
        timed = commands(folder, args.repeat)
        print(json.dumps({"records": args.records, "commands": timed, "machine": machine()}, indent=2))
        return
    if args.naive_only:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(naive(folder, Path(tmp), args.cap, args.step_cap)))
        return
    # The whole commands first, while this process is small: Linux counts the peak RSS of the image a
    # child replaces at exec (a copy of this process) in the child's ru_maxrss, so after the in-process
    # steps below (8 GB at 100k) every command would report this process's peak instead of its own.
    timed = commands(folder, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        result = ours(folder, Path(tmp))
    naive_result = None
    if args.naive:
        child = subprocess.run([sys.executable, __file__, "--records", str(args.records), "--seed", str(args.seed),
                                "--corpus", str(folder), "--cap", str(args.cap), "--step-cap", str(args.step_cap),
                                "--naive-only"],
                               check=True, capture_output=True, text=True)
        naive_result = json.loads(child.stdout.strip().splitlines()[-1])
    steps = result["steps"]
    total = round(sum(steps[s] for s in END_TO_END), 3)
    out: dict[str, Any] = {
        "records": args.records, "commands": timed, "steps": steps, "total": total,
        "peak_rss_mb": result["peak_rss_mb"],
        "peak_rss_mb_end_to_end": result["peak_rss_mb_after"]["export"],
        "naive": None, "triples": result["triples"], "machine": machine(),
    }
    if naive_result is not None:
        naive_total = round(sum(naive_result["steps"][s] for s in NAIVE_END_TO_END), 3)
        out["naive"] = {"steps": naive_result["steps"], "total": naive_total,
                        "peak_rss_mb": naive_result["peak_rss_mb"], "timed_out": naive_result["timed_out"]}
        out["ratio"] = round(naive_total / total, 1) if total else None
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{args.records} records, {result['triples']} triples, {out['machine']}")
    for figure in timed.values():
        print(f"  {figure['command']}: {figure['seconds']:.2f} s ({figure['cpu_seconds']:.2f} s CPU), "
              f"peak RSS {figure['peak_rss_mb']} MB "
              f"(median of {len(figure['runs'])}, whole process)")
    width = max(len(s) for s in steps)
    for name, seconds in steps.items():
        line = f"  {name:<{width}}  {seconds:9.3f} s"
        if name in END_TO_END:
            line += f"  {args.records / seconds if seconds else 0:10.0f} records/s" \
                    f"  {result['triples'] / seconds if seconds else 0:10.0f} triples/s"
        if naive_result is not None and name in naive_result["steps"]:
            line += f"   naive {naive_result['steps'][name]:9.3f} s"
        print(line)
    print(f"  end to end (load+validate+export): {total:.2f} s; peak RSS {out['peak_rss_mb']} MB")
    if out["naive"]:
        print(f"  naive end to end: {out['naive']['total']:.2f} s (peak RSS {out['naive']['peak_rss_mb']} MB); "
              f"ratio {out['ratio']}x; naive steps stopped (queries at {args.cap:.0f} s, "
              f"validate/export at {args.step_cap:.0f} s): "
              f"{', '.join(out['naive']['timed_out']) or 'none'}")


if __name__ == "__main__":
    main()
