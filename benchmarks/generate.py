"""A seeded synthetic corpus: N record files in en/ and zh/, with chains, merges, forks and clusters.

    python benchmarks/generate.py --records 10000 --out /tmp/corpus-10k --seed 1

Records look like seeds/cn-miit-industrial-plan-2022.md (JSON front matter,
five scored dimensions, regulatory pillars, provenance). Every third policy
also has a Chinese version. Lineage: families of 1-6 instruments chained by
supersedes / supersededBy (both stated, dates increasing), some merges (two
predecessors, one successor) and a few forks (one predecessor named by two
successors, which the validator reports).

    python benchmarks/generate.py --records 1000 --facilities 50000 --out /tmp/landscape-50k

With --facilities, the folder becomes a content root: facility records in
facilities/ (JSON front matter like seeds/facilities/), each placed near a
point inside its country, with a type, status, sector, capacity, years and a
few related policies of its country.
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


# A point inside each country (the synthetic facilities scatter within about half a degree of it).
ANCHORS = {"Norway": (60.5, 8.5), "United Kingdom": (53.0, -1.5), "Canada": (52.0, -110.0),
           "United States": (39.0, -98.0), "Japan": (36.5, 138.5), "Australia": (-25.0, 134.0),
           "China": (35.0, 105.0), "Denmark": (56.0, 9.2), "Netherlands": (52.2, 5.5), "Germany": (51.0, 10.0),
           "Brazil": (-10.0, -52.0), "France": (46.5, 2.5), "India": (22.0, 79.0)}
TYPES = ["Capture", "Storage", "Full chain", "T&S", "Transport", "CCU", "DAC"]
FACILITY_STATUSES = ["Operational", "Under construction", "Planned", "Planned", "Suspended", "Cancelled"]
SECTORS = ["Power and heat", "Natural gas processing/LNG", "Cement", "Hydrogen or ammonia", "Biofuels", "Storage"]


def facilities(n: int, out: Path, seed: int = 1) -> int:
    """Write n facility records under out/facilities, linked to policies already written under out/en."""
    rng = random.Random(seed + 7)
    by_country: dict[str, list[str]] = {}
    for path in sorted((out / "en").glob("*.md")):
        data = json.loads(path.read_text(encoding="utf-8").split("\n---", 1)[0][3:])
        by_country.setdefault(str(data["country"]), []).append(str(data["id"]))
    folder = out / "facilities"
    folder.mkdir(parents=True, exist_ok=True)
    countries = sorted(ANCHORS)
    for i in range(n):
        country = countries[i % len(countries)]
        lat, lon = ANCHORS[country]
        announced = rng.randint(1995, 2022)
        related = rng.sample(by_country.get(country, []), k=min(3, len(by_country.get(country, []))))
        data = {"id": f"fac-{i:06d}", "name": f"Synthetic facility {i}", "country": country, "jurisdiction": "",
                "coordinates": [round(lat + rng.uniform(-0.5, 0.5), 4), round(lon + rng.uniform(-0.5, 0.5), 4)],
                "precision": "approximate", "type": rng.choice(TYPES), "status": rng.choice(FACILITY_STATUSES),
                "sector": rng.choice(SECTORS), "fateOfCarbon": "Dedicated storage",
                "capacity": round(rng.uniform(0.05, 10), 2), "capacityRaw": "synthetic", "operator": "Synthetic AS",
                "partners": [], "announcement": str(announced), "fid": str(announced + 1),
                "operation": str(announced + 3), "suspensionDate": "", "links": [], "relatedPolicies": sorted(related),
                "sources": [], "reviewStatus": "unverified",
                "provenance": {"author": "Synthetic generator", "reviewer": "", "lastAuditDate": "2026-11-01"}}
        text = "---\n" + json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n---\n\n"
        (folder / f"{data['id']}.md").write_text(text + sentence(rng, 20) + "\n", encoding="utf-8")
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--facilities", type=int, default=0, help="Also write this many facility records.")
    args = parser.parse_args()
    policies = generate(args.records, args.out, args.seed)
    print(f"wrote {args.records} records ({policies} policies) to {args.out}")
    if args.facilities:
        facilities(args.facilities, args.out, args.seed)
        print(f"wrote {args.facilities} facility records to {args.out / 'facilities'}")


if __name__ == "__main__":
    main()
