"""A seeded synthetic corpus: N record files in en/ and zh/, with chains, merges, forks and clusters.

    python benchmarks/generate.py --records 10000 --out /tmp/corpus-10k --seed 1

Records look like seeds/cn-miit-industrial-plan-2022.md (JSON front matter,
five scored dimensions, regulatory pillars, provenance). Every third policy
also has a Chinese version. Lineage: families of 1-6 instruments chained by
supersedes / supersededBy (both stated, dates increasing), some merges (two
predecessors, one successor) and a few forks (one predecessor named by two
successors, which the validator reports).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from pathlib import Path

COUNTRIES = {"Norway": "挪威", "United Kingdom": "英国", "Canada": "加拿大", "United States": "美国", "Japan": "日本",
             "Australia": "澳大利亚", "China": "中国", "Denmark": "丹麦", "Netherlands": "荷兰", "Germany": "德国",
             "Brazil": "巴西", "European Union": "欧盟", "International": "国际", "France": "法国", "India": "印度"}
STATUSES_ZH = {"Active": "现行", "Superseded": "已被取代"}
CATEGORIES = {"Incentive": "经济激励", "Regulatory": "法律监管", "Storage": "地质封存", "Liability": "责任",
              "MRV": "监测核算", "Market": "市场机制", "Strategic": "战略引导", "Technical": "技术规范"}
WEIGHTS = ["Primary Legislation", "Regulation", "Departmental Rule", "Guidance", "Strategy", "Standard"]
DIMENSIONS = ["incentive", "market", "mrv", "statutory", "strategic"]
PILLARS = ["co2_definition", "cross_border_rules", "financial_assurance", "liability_period", "liability_transfer",
           "permitting_lead_time", "pore_space_rights"]
WORDS = ["storage", "capture", "transport", "permit", "monitoring", "liability", "credit", "injection",
    "reservoir", "pipeline", "closure", "operator", "reporting", "verification", "incentive", "market",
    "allowance", "offset", "sequestration"]


def sentence(rng: random.Random, n: int = 14) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def record(rng: random.Random, pid: str, year: int, month: int, country: str, status: str, before: list[str],
           after: str, clusters: list[str], lang: str) -> dict[str, object]:
    analysis = {d: {"score": rng.randint(10, 95), "label": f"{d.title()} level",
                    "evidence": sentence(rng), "citation": f"Art. {rng.randint(1, 40)}", "auditNote": ""}
                for d in DIMENSIONS}
    data = {
        "id": pid,
        "title": (f"Synthetic instrument {pid}" if lang == "en" else f"合成政策 {pid}"),
        "country": country if lang == "en" else COUNTRIES[country],
        "source": "Synthetic ministry",
        "pubDate": f"{year:04d}-{month:02d}-15",
        "year": year,
        "status": status if lang == "en" else STATUSES_ZH.get(status, status),
        "category": (lambda c: c if lang == "en" else CATEGORIES[c])(rng.choice(sorted(CATEGORIES))),
        "legalWeight": rng.choice(WEIGHTS),
        "reviewStatus": "unverified",
        "url": f"https://example.org/{pid}",
        "analysis": analysis,
        "impactAnalysis": {"economic": sentence(rng), "environmental": sentence(rng), "technical": sentence(rng)},
        "regulatory": {p: (sentence(rng, 6) if rng.random() < 0.4 else "") for p in PILLARS},
        "evolution": {"supersedes": before, "supersededBy": after, "clusters": clusters,
                      "milestones": [{"date": f"{year:04d}-{month:02d}-15", "event": "Adopted."}]},
        "provenance": {"author": "Synthetic generator", "reviewer": "", "lastAuditDate": "2026-11-01"},
    }
    return data


def generate(n: int, out: Path, seed: int = 1) -> int:
    """Write n record files under out/en and out/zh; returns the number of policies."""
    rng = random.Random(seed)
    policies = max(1, round(n / (4 / 3)))  # every third policy gets a zh version
    clusters = [f"Synthetic cluster {i}" for i in range(max(3, policies // 40))]
    plans: list[dict[str, object]] = []
    i = 0
    while i < policies:
        size = min(rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6]), policies - i)
        country = rng.choice(sorted(COUNTRIES))
        year = rng.randint(1995, 2015)
        family = [f"syn-{i + k:06d}-{country[:2].lower()}" for k in range(size)]
        chosen = rng.sample(clusters, k=rng.randint(0, 2))
        for k, pid in enumerate(family):
            plans.append({"id": pid, "year": year + 2 * k, "month": rng.randint(1, 12), "country": country,
                          "before": [family[k - 1]] if k else [], "after": family[k + 1] if k + 1 < size else "",
                          "clusters": chosen})
        i += size
    # merges: a chain head also supersedes the head of the previous single-instrument family
    for a, b in itertools.pairwise(plans):
        if a["after"] == "" and not a["before"] and b["before"] and rng.random() < 0.05 and a["year"] < b["year"]:
            a["after"] = b["id"]
            b["before"] = [*b["before"], a["id"]]
    # forks: rarely, a later instrument also names an already-replaced one
    for a in plans:
        if a["after"] and rng.random() < 0.005:
            later = next((p for p in plans if p["year"] > a["year"] and not p["before"] and p is not a), None)
            if later is not None:
                later["before"] = [a["id"]]
    written = 0
    for k, plan in enumerate(plans):
        status = "Superseded" if plan["after"] else "Active"
        state = rng.getstate()
        for lang in ("en", "zh") if k % 3 == 0 else ("en",):
            if written >= n:
                break
            rng.setstate(state)  # both language versions state the same scores, dates and links
            data = record(rng, str(plan["id"]), int(plan["year"]), int(plan["month"]), str(plan["country"]), status,
                          list(plan["before"]), str(plan["after"]), list(plan["clusters"]), lang)
            folder = out / lang
            folder.mkdir(parents=True, exist_ok=True)
            text = "---\n" + json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n---\n\n"
            text += sentence(rng, 40) + "\n"
            (folder / f"{plan['id']}.md").write_text(text, encoding="utf-8")
            written += 1
    return len(plans)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    policies = generate(args.records, args.out, args.seed)
    print(f"wrote {args.records} records ({policies} policies) to {args.out}")


if __name__ == "__main__":
    main()
