"""Shared fixtures: the repository's paths, the shared hub sample, record writers."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"
HUB = SHARED / "ccus-policy-hub" / "policies"
REFERENCE = SHARED / "reference" / "cn-miit-industrial-plan-2022.md"
# The reference record exactly as the steering repo ships it (a fixture of the input format);
# seeds/ holds the corrected record of the same instrument under the same id.
REFERENCE_COPY = FIXTURES / "reference"


def need_system(present: bool, package: str, what: str) -> None:
    """A Debian package a test drives: there, or a skip with the reason where scripts/system-deps.sh said it
    could not install it (no apt-get, or no root: $CCUS_KG_UNINSTALLABLE, set by scripts/test.sh), or a failure.

    CI runs on Debian as root, where every package installs: a missing tool there fails the test, never skips it.
    """
    if present:
        return
    if package in os.environ.get("CCUS_KG_UNINSTALLABLE", "").split():
        pytest.skip(f"{what} is missing and scripts/system-deps.sh could not install {package} on this machine "
                    "(no apt-get, or no root)")
    pytest.fail(f"{what} is missing: run scripts/system-deps.sh")


@pytest.fixture(scope="session", autouse=True)
def reader_builds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Readers (query, lineage, …) build into $CCUS_KG_OUT: a temporary folder, never ./build of the checkout."""
    folder = tmp_path_factory.mktemp("reader-builds") / "build"
    os.environ["CCUS_KG_OUT"] = str(folder)
    return folder


@pytest.fixture
def hub() -> Path:
    """The CCUS Policy Hub sample, read in place from ../shared."""
    if not HUB.is_dir():
        pytest.skip("../shared/ccus-policy-hub is absent: the hub sample is not shipped with the repo")
    return HUB


@pytest.fixture(params=["shipped", "hub"])
def bilingual(request: pytest.FixtureRequest) -> Path:
    """Policies in English and Chinese in the hub's layout: the shipped hub-like fixture, then the hub sample
    (which skips where ../shared is absent), so a test of the pair runs on a clean clone too."""
    if request.param == "hub":
        return request.getfixturevalue("hub")
    from .fixtures_hub import POLICIES

    return POLICIES


@pytest.fixture
def reference() -> Path:
    """The reference record as the steering repo ships it."""
    if not REFERENCE.is_file():
        pytest.skip("../shared/reference is absent: the reference record is not shipped with the repo")
    return REFERENCE


def minimal_record(record_id: str, **fields: Any) -> dict[str, Any]:
    """A small valid record; keyword arguments replace or add fields."""
    data: dict[str, Any] = {
        "id": record_id,
        "title": f"Title of {record_id}",
        "country": "Norway",
        "pubDate": "2014-12-19",
        "year": 2014,
        "status": "Active",
        "category": "Storage",
        "legalWeight": "Regulation",
        "reviewStatus": "unverified",
        "url": f"https://example.org/{record_id}",
        "provenance": {"author": "ccus-kg project", "reviewer": "", "lastAuditDate": "2026-11-24"},
    }
    data.update(fields)
    return data


def write_record(folder: Path, data: dict[str, Any], body: str = "A summary.",
                 name: str | None = None) -> Path:
    """Write one record as JSON front matter + body; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{data['id']}.md")
    text = "---\n" + json.dumps(data, indent=2, ensure_ascii=False) + "\n---\n\n" + body + "\n"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Callable[..., Path]:
    """Write records into a fresh corpus folder: corpus(rec1, rec2, ...) -> folder."""
    folder = tmp_path / "seeds"

    def make(*records: dict[str, Any]) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for data in records:
            write_record(folder, data)
        return folder

    return make
