"""A small content root in the Policy Hub's layout, written by the project, shipped in tests/fixtures/hub-like.

The hub sample (../shared/ccus-policy-hub) is not shipped, so the tests that read it skip on a clean clone.
This fixture gives each of them a shipped counterpart: invented records in the hub's layout and format
(``policies/``, ``facilities/`` and ``countries/``, each split into ``en/`` and ``zh/``; YAML front matter
in flow style; numeric facility ids) with the kinds of defects the hub has: links to ids with no record,
a year that disagrees with the issue date, a Chinese status in an English record, near-duplicate cluster
names, an unmapped legal weight, AI-marked evidence in verified records, a facility linked to a policy
with no record, a facility in an unknown country, a country profile no instrument backs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

HUB_LIKE = Path(__file__).resolve().parent / "fixtures" / "hub-like"
POLICIES = HUB_LIKE / "policies"
AUTHOR = {"author": "Gemini Intelligence", "lastAuditDate": "2026-03-01", "reviewer": "Sample desk review"}


def _flow(value: Any, indent: int = 0) -> str:
    """YAML in flow style with single-quoted strings and sorted keys, one entry a line, as the hub's files are."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{_flow(k)}: {_flow(v, indent + 1)}," for k, v in sorted(value.items())]
        return "{\n" + "\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v, indent + 1) for v in value) + "]"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if value is None:
        return "null"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _write(path: Path, data: dict[str, Any], body: str) -> None:
    """One record as the hub writes them: a YAML flow mapping between --- lines, then the body."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{_flow(data)}\n---\n\n{body}\n", encoding="utf-8")


def _assessment(score: int, evidence: str, citation: str = "") -> dict[str, Any]:
    return {"auditNote": "", "citation": citation, "evidence": evidence, "label": "Sample", "score": score}


def _policy(pid: str, en: dict[str, Any], zh: dict[str, Any], shared: dict[str, Any]) -> list[tuple[str, dict]]:
    base = {"id": pid, "reviewStatus": "verified", "provenance": AUTHOR, **shared}
    return [("en", {**base, **en}), ("zh", {**base, **zh})]


def write_hub_like(root: Path) -> Path:
    """Write the content root under root; returns root."""
    policies: list[tuple[str, dict[str, Any]]] = []
    policies += _policy(
        "cn-ets-pilot",
        {"title": "Pilot emissions trading rules (sample)", "country": "China", "status": "Active",
         "category": "Carbon market", "legalWeight": "Departmental rule",
         "analysis": {"market": _assessment(70, "[AI-Generated] Sets up trading of allowances.", "Art. 3")},
         "evolution": {"supersedes": ["cn-ets-pilot-2011"], "clusters": ["China carbon market", "Offset credits"]}},
        {"title": "碳排放权交易试点规则（样例）", "country": "中国", "status": "现行", "category": "市场机制",
         "legalWeight": "部门规章",
         "analysis": {"market": _assessment(70, "[AI-Generated] 设立配额交易。", "第三条")},
         "evolution": {"supersedes": ["cn-ets-pilot-2011"], "clusters": ["中国碳市场", "抵消信用"]}},
        {"pubDate": "2016-05-01", "year": 2016, "url": "https://example.org/cn-ets-pilot",
         "relatedFacilities": ["12"]})
    policies += _policy(
        "eu-storage-directive",
        {"title": "Storage directive (sample)", "country": "European Union", "status": "Active",
         "category": "Storage and pore-space law", "legalWeight": "Primary legislation",
         "regulatory": {"financial_assurance": "Security lodged before injection starts"},
         "evolution": {"consolidatedFrom": ["eu-storage-guidance-2006"], "clusters": ["EU storage law"]}},
        {"title": "封存指令（样例）", "country": "欧盟", "status": "现行", "category": "封存与孔隙空间法",
         "legalWeight": "法律", "regulatory": {"financial_assurance": "注入前提供担保"},
         "evolution": {"consolidatedFrom": ["eu-storage-guidance-2006"], "clusters": ["欧盟封存法"]}},
        {"pubDate": "2009-06-25", "year": 2009, "url": "https://example.org/eu-storage-directive"})
    policies += _policy(
        "ng-flaring-rule-2023",
        {"title": "Gas flaring and capture rule (sample)", "country": "Nigeria", "status": "Active",
         "category": "Regulatory and permitting framework", "legalWeight": "Regulation"},
        {"title": "天然气燃除与捕集规则（样例）", "country": "尼日利亚", "status": "现行", "category": "法律监管",
         "legalWeight": "行政法规"},
        {"pubDate": "2024-02-01", "year": 2023, "url": "https://example.org/ng-flaring-rule-2023",
         "relatedFacilities": ["12", "34"]})
    policies += _policy(
        "au-baseline-scheme",
        {"title": "Emissions baseline scheme (sample)", "country": "Australia", "status": "现行",
         "category": "Carbon market", "legalWeight": "Regulation",
         "analysis": {"mrv": _assessment(60, "[AI-Generated] Facilities report every year.", "s. 22")}},
        {"title": "排放基线机制（样例）", "country": "澳大利亚", "status": "现行", "category": "市场机制",
         "legalWeight": "行政法规",
         "analysis": {"mrv": _assessment(60, "[AI-Generated] 设施每年报告。", "第22条")}},
        {"pubDate": "2015-07-01", "year": 2015, "url": "https://example.org/au-baseline-scheme"})
    policies += _policy(
        "ca-capture-credit",
        {"title": "Capture investment tax credit (sample)", "country": "Canada", "status": "Active",
         "category": "Fiscal incentive", "legalWeight": "Primary legislation",
         "evolution": {"clusters": ["Canada 2030 ERP"]}},
        {"title": "碳捕集投资税收抵免（样例）", "country": "加拿大", "status": "现行", "category": "经济激励",
         "legalWeight": "法律", "evolution": {"clusters": ["加拿大2030减排计划"]}},
        {"pubDate": "2024-06-20", "year": 2024, "url": "https://example.org/ca-capture-credit"})
    policies += _policy(
        "ca-reduction-plan",
        {"title": "Emissions reduction plan to 2030 (sample)", "country": "Canada", "status": "Active",
         "category": "Strategy", "legalWeight": "Strategy",
         "evolution": {"clusters": ["Canada 2030 Emissions Reduction Plan"]}},
        {"title": "2030年减排计划（样例）", "country": "加拿大", "status": "现行", "category": "战略引导",
         "legalWeight": "战略规划", "evolution": {"clusters": ["加拿大2030年减排计划"]}},
        {"pubDate": "2022-03-29", "year": 2022, "url": "https://example.org/ca-reduction-plan"})
    policies += _policy(
        "my-tax-allowance",
        {"title": "Investment tax allowance for capture (sample)", "country": "Malaysia", "status": "Active",
         "category": "Fiscal incentive", "legalWeight": "Investment Guideline"},
        {"title": "碳捕集投资税务减免（样例）", "country": "马来西亚", "status": "现行", "category": "经济激励",
         "legalWeight": "投资指引"},
        {"pubDate": "2023-10-13", "year": 2023, "url": "https://example.org/my-tax-allowance"})
    for lang, data in policies:
        _write(root / "policies" / lang / f"{data['id']}.md", data, f"{data['title']}: a sample record.")

    provenance = {"author": "ccus-kg project", "lastAuditDate": "2026-03-01", "reviewer": ""}
    plant = {"id": "12", "coordinates": [4.85, 6.95], "precision": "approximate", "capacity": 0.4,
             "capacityRaw": "0.4 Mt a year", "announcement": "2021", "fid": "", "operation": "", "links": [],
             "partners": [], "relatedPolicies": ["ng-gas-master-plan", "ng-flaring-rule-2023"],
             "reviewStatus": "unverified", "sources": [], "suspensionDate": "", "provenance": provenance}
    _write(root / "facilities" / "en" / "12.md", {
        **plant, "name": "Delta gas capture plant (sample)", "country": "Nigeria", "type": "Capture",
        "status": "Planned", "sector": "Natural gas processing/LNG", "fateOfCarbon": "Use",
        "operator": "Sample Operator Ltd"}, "A sample facility.")
    _write(root / "facilities" / "zh" / "12.md", {
        **plant, "name": "三角洲天然气捕集厂（样例）", "country": "尼日利亚", "type": "碳捕集", "status": "计划中",
        "sector": "天然气处理/LNG", "fateOfCarbon": "利用", "operator": "样例运营公司",
        "capacityRaw": "每年40万吨"}, "样例设施。")
    _write(root / "facilities" / "en" / "34.md", {
        **plant, "id": "34", "name": "Island storage site (sample)", "country": "Atlantis", "coordinates": [0.0, -30.0],
        "type": "Storage", "status": "Planned", "sector": "Storage", "fateOfCarbon": "Dedicated storage",
        "operator": "", "relatedPolicies": []}, "A sample facility in no known country.")
    profile = {"co2_definition": "", "cross_border_rules": "", "financial_assurance": "", "liability_period": "",
               "permitting_lead_time": "", "pore_space_rights": ""}
    _write(root / "countries" / "en" / "norway.md", {
        "id": "Norway", "name": "Norway", "region": "Europe", "provenance": provenance,
        "regulatory": {**profile, "liability_transfer": "Passes to the State after closure"}}, "A sample profile.")
    _write(root / "countries" / "zh" / "norway.md", {
        "id": "Norway", "name": "挪威", "region": "欧洲", "provenance": provenance,
        "regulatory": {**profile, "liability_transfer": "封场后移交国家"}}, "样例概况。")
    return root
