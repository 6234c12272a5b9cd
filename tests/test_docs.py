"""Meta-tests that keep the docs honest: every command has help, an example, a README section."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import click
import pytest
from click.testing import CliRunner

from kg.cli import main

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(main.commands)


def reference_script() -> ModuleType:
    """scripts/readme_reference.py, which renders the README's generated command reference."""
    spec = importlib.util.spec_from_file_location("readme_reference", ROOT / "scripts" / "readme_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REFERENCE = reference_script()
# the README without its generated section: what is written by hand
HAND_WRITTEN = re.sub(re.escape(REFERENCE.START) + ".*?" + re.escape(REFERENCE.END), "", README, flags=re.S)


def test_the_cli_has_the_foundation_commands() -> None:
    assert {"build", "export"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"ccus-kg {name}" in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_documented_in_the_readme(name: str) -> None:
    assert re.search(rf"^#+ `ccus-kg {re.escape(name)}`", HAND_WRITTEN, re.M), f"no README section for {name}"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_is_named_in_the_readme(name: str) -> None:
    command = main.commands[name]
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden and "--help" not in param.opts:
            assert any(opt in README for opt in param.opts), f"{name} {param.opts} not in README"


def test_readme_names_the_two_commands() -> None:
    assert ".venv/bin/pip install . && .venv/bin/ccus-kg build" in README
    assert "bash scripts/test.sh" in README
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("bash scripts/test.sh")


def test_the_readme_command_reference_is_generated_from_the_help_and_the_queries() -> None:
    wanted = REFERENCE.splice(README, REFERENCE.render())
    assert wanted == README, f"README.md's command reference is stale: run `{REFERENCE.COMMAND}`"


def test_the_reference_holds_every_command_help_and_every_named_query() -> None:
    from kg.queries import catalogue

    section = REFERENCE.render()
    for name in COMMANDS:
        assert f"### `ccus-kg {name} --help`" in section
        assert f"Usage: ccus-kg {name} [OPTIONS]" in section
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == sorted(catalogue())
    assert ("| `strong-claims-weak-evidence` | **Strong claims with weak evidence**: Dimension scores at or above a "
            "threshold that cite nothing: the assessments to check first. | `minScore` (xsd:integer, optional, "
            "default `70`) Lowest score to report, e.g. `70` |") in rows


def test_the_reference_does_not_depend_on_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    first = REFERENCE.render()
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    assert REFERENCE.render() == first
    assert all(len(line) <= REFERENCE.WIDTH for line in REFERENCE.command_help("query").splitlines())
    assert "\x1b" not in first


def test_a_stale_reference_names_the_command_that_updates_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "README.md"
    stale.write_text(README.replace("| `policy-ids` |", "| `policy-id` |"), encoding="utf-8")
    monkeypatch.setattr(REFERENCE, "README", stale)
    assert REFERENCE.main(["--check"]) == 1
    assert capsys.readouterr().err == ("README.md's command reference is stale: "
                                       "run `python scripts/readme_reference.py --write`\n")
    assert REFERENCE.main(["--write"]) == 0
    assert stale.read_text(encoding="utf-8") == README
    assert REFERENCE.main(["--check"]) == 0
