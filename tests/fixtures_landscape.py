"""Facility and profile records for tests, and the small content root shipped in tests/fixtures/landscape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import minimal_record, write_record

LANDSCAPE = Path(__file__).resolve().parent / "fixtures" / "landscape"


def facility(facility_id: str = "no-f", **fields: Any) -> dict[str, Any]:
    """A small valid facility record in Norway; keyword arguments replace or add fields."""
    data: dict[str, Any] = {
        "id": facility_id, "name": f"Name of {facility_id}", "country": "Norway", "jurisdiction": "",
        "coordinates": [59.0, 10.0], "precision": "approximate", "type": "Storage", "status": "Operational",
        "sector": "Storage", "fateOfCarbon": "Dedicated storage", "capacity": 1.0, "capacityRaw": "1 Mt a year",
        "operator": "Operator AS", "partners": [], "announcement": "", "fid": "", "operation": "",
        "suspensionDate": "", "links": [], "relatedPolicies": [], "sources": [], "reviewStatus": "unverified",
        "provenance": {"author": "ccus-kg project", "reviewer": "", "lastAuditDate": "2026-11-24"},
    }
    data.update(fields)
    return data


def write_landscape(root: Path) -> Path:
    """A content root: policies/ and facilities/ split by language, countries/ in English only."""
    policies, facilities, countries = root / "policies", root / "facilities", root / "countries"
    write_record(policies / "en", minimal_record(
        "no-storage-2010", title="Storage Regulations 2010", pubDate="2010-06-01", year=2010, status="Superseded",
        regulatory={"liability_period": "20 years"}, evolution={"supersededBy": "no-storage-2014"}))
    write_record(policies / "en", minimal_record(
        "no-storage-2014", title="Storage Regulations 2014", pubDate="2014-12-19", year=2014,
        regulatory={"liability_transfer": "To the State", "pore_space_rights": "The State owns the subsoil"},
        evolution={"supersedes": ["no-storage-2010"]}))
    write_record(policies / "zh", minimal_record(
        "no-storage-2014", title="2014年封存条例", country="挪威", pubDate="2014-12-19", year=2014, status="现行",
        category="封存与孔隙空间法",
        regulatory={"liability_transfer": "移交国家", "pore_space_rights": "国家所有"},
        evolution={"supersedes": ["no-storage-2010"]}))
    write_record(policies / "en", minimal_record(
        "eu-ccs-2009", title="CCS Directive", country="European Union", pubDate="2009-04-23", year=2009,
        category="Storage", legalWeight="Primary Legislation",
        regulatory={"financial_assurance": "Security before injection"},
        evolution={"milestones": [{"date": "2009-06-25", "event": "In force.", "type": "in-force"}]}))
    write_record(policies / "en", minimal_record(
        "us-credit-2018", title="Storage Credit 2018", country="United States", pubDate="2018-02-09", year=2018,
        category="Incentive", legalWeight="Primary Legislation"))
    write_record(policies / "en", minimal_record(
        "us-nd-storage-2009", title="North Dakota Storage Act", country="United States", jurisdiction="US-ND",
        pubDate="2009-04-09", year=2009, legalWeight="Primary Legislation",
        regulatory={"pore_space_rights": "Belongs to the surface owner"}))
    write_record(facilities / "en", facility(
        "no-field", name="Offshore Field Store", coordinates=[58.4, 1.9], capacity=1.0, announcement="1990",
        fid="1993", operation="1996", relatedPolicies=["no-storage-2014"]))
    write_record(facilities / "zh", facility(
        "no-field", name="海上气田封存", country="挪威", coordinates=[58.4, 1.9], type="碳封存", status="运行中",
        sector="封存设施", fateOfCarbon="永久封存", capacityRaw="每年100万吨", announcement="1990", fid="1993",
        operation="1996", relatedPolicies=["no-storage-2014"]))
    write_record(facilities / "en", facility(
        "nl-hub", name="Harbour Hub", country="Netherlands", coordinates=[51.95, 4.05], type="T&S",
        status="Under construction", sector="T&S", capacity=2.5, relatedPolicies=["eu-ccs-2009", "no-storage-2014"]))
    write_record(facilities / "en", facility(
        "us-plant", name="Prairie Plant", country="United States", jurisdiction="US-ND", coordinates=[47.0, -101.0],
        type="Capture", sector="Power and heat", capacity=3.0, relatedPolicies=["us-credit-2018", "us-ghost-2020"]))
    write_record(facilities / "en", facility(
        "no-misplaced", name="Misplaced Store", coordinates=[40.0, -100.0], status="Planned", announcement="2020",
        fid="2019", capacity=0.5))
    write_record(facilities / "en", facility(
        "xx-shared", name="Shared Pipeline", country="France-Italy", coordinates=[45.0, 7.0], type="Transport",
        sector="Transport", status="Planned", capacity=None))
    write_record(countries / "en", {
        "id": "Norway", "name": "Norway", "region": "Europe",
        "regulatory": {"co2_definition": "", "cross_border_rules": "Exports allowed under the London Protocol",
                       "financial_assurance": "", "liability_period": "", "liability_transfer": "To the State",
                       "permitting_lead_time": "", "pore_space_rights": ""},
        "provenance": {"author": "ccus-kg project", "reviewer": "", "lastAuditDate": "2026-01-01"}},
        name="norway.md")
    write_record(countries / "en", {"id": "Atlantis", "name": "Atlantis", "regulatory": {}}, name="atlantis.md")
    return root
