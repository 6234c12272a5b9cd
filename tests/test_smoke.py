"""The README's first command: build the shipped seeds."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kg.cli import main

from .conftest import SEEDS


def test_build_writes_the_dumps(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--seeds", str(SEEDS), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ccus-kg.jsonld", "ccus-kg.nt", "ccus-kg.ttl", "ccus.ttl", "context.jsonld", "vocabularies.ttl",
    ]
