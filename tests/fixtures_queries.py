from pathlib import Path

from tests.conftest import minimal_record, write_record


def query_corpus(root: Path) -> Path:
    en, zh = root / "en", root / "zh"
    write_record(en, minimal_record(
        "no-storage-2010", title="Storage Regulations 2010", pubDate="2010-06-01", year=2010, status="Superseded",
        reviewStatus="verified", provenance={"author": "Jane Analyst", "reviewer": "Jane Doe",
                                              "lastAuditDate": "2025-01-01"},
        analysis={"mrv": {"score": 80, "citation": ""}, "statutory": {"score": 70, "citation": "Section 2"}},
        regulatory={"liability_transfer": "To the State after 20 years"},
        evolution={"supersedes": [], "supersededBy": "no-storage-2014", "clusters": ["North Sea Storage"]}))
    write_record(en, minimal_record(
        "no-storage-2014", title="Storage Regulations 2014", pubDate="2014-12-19", year=2014, status="Active",
        provenance={"author": "Gemini Intelligence", "reviewer": "", "lastAuditDate": "2026-06-01"},
        analysis={"mrv": {"score": 60, "citation": "Art. 3"}, "statutory": {"score": 90, "citation": "Art. 1"}},
        regulatory={"financial_assurance": "Bond before injection"},
        evolution={"supersedes": ["no-storage-2010"], "supersededBy": "", "clusters": ["North Sea Storage"],
                   "milestones": [{"date": "2014-12-19", "event": "Adopted by royal decree.", "type": "adopted"},
                                  {"date": "2015-01", "event": "In force.", "type": "in-force"}]}))
    write_record(en, minimal_record(
        "gb-energy-act-2008", title="Energy Act 2008", country="United Kingdom", pubDate="2008-11-26", year=2008,
        status="Active", legalWeight="Primary Legislation", reviewStatus="draft",
        provenance={"author": "Jane Analyst", "reviewer": "", "lastAuditDate": "2026-03-01"},
        analysis={"strategic": {"score": 90, "citation": ""}},
        regulatory={"liability_transfer": "After closure", "pore_space_rights": "Crown"},
        evolution={"clusters": ["North Sea Storage"]}))
    write_record(zh, minimal_record(
        "gb-energy-act-2008", title="2008年能源法", country="英国", pubDate="2008-11-26", year=2008,
        status="现行", legalWeight="Primary Legislation", reviewStatus="draft",
        provenance={"author": "Jane Analyst", "reviewer": "", "lastAuditDate": "2026-03-01"},
        analysis={"strategic": {"score": 90, "citation": ""}},
        evolution={"clusters": ["North Sea Storage"]}))
    write_record(en, minimal_record(
        "ca-ab-ccs-2010", title="Carbon Capture and Storage Statutes Amendment Act, 2010", country="Canada",
        jurisdiction="CA-AB", pubDate="2010-12-02", year=2010, status="Active", legalWeight="Fiscal Incentive",
        provenance={"author": "Jane Analyst"},
        analysis={"mrv": {"score": 50, "citation": "s. 116"}},
        regulatory={"pore_space_rights": "Vested in the Crown", "liability_transfer": "To the Province"},
        evolution={"supersedes": ["ca-ghost-2000"], "clusters": ["Alberta CCS Framework"]}))
    return root
