"""Markdown tables from `run.py --json` outputs, for benchmarks/RESULTS.md.

    python benchmarks/report.py 1k.json 10k.json 100k.json > tables.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    runs = [json.loads(Path(p).read_text()) for p in sys.argv[1:]]
    head = "| step | " + " | ".join(f"{r['records']:,} records" for r in runs) + " |"
    print(head)
    print("| --- |" + " ---: |" * len(runs))
    names = list(dict.fromkeys(n for r in runs for n in r["steps"]))
    for name in names:
        cells = []
        for r in runs:
            ours = r["steps"].get(name)
            naive = (r.get("naive") or {}).get("steps", {}).get(name)
            cell = "" if ours is None else f"{ours:.3f}"
            if naive is not None:
                capped = name in (r.get("naive") or {}).get("timed_out", [])
                cell += f" (naive {'≥' if capped else ''}{naive:.1f})"
            cells.append(cell)
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("| **end to end** (load+validate+export) | " + " | ".join(
        f"**{r['total']:.2f}**" + (f" (naive {r['naive']['total']:.1f}; ratio {r['ratio']}×)" if r.get("naive") else "")
        for r in runs) + " |")
    print("| triples | " + " | ".join(f"{r['triples']:,}" for r in runs) + " |")
    print("| peak RSS by the end of export, MB | " + " | ".join(
        f"{r['peak_rss_mb_end_to_end']:.0f}" if "peak_rss_mb_end_to_end" in r else "" for r in runs) + " |")
    print("| peak RSS, whole run, MB | " + " | ".join(
        f"{r['peak_rss_mb']:.0f}" + (f" (naive {r['naive']['peak_rss_mb']:.0f})" if r.get("naive") else "")
        for r in runs) + " |")


if __name__ == "__main__":
    main()
