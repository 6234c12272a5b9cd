"""Meta-tests that keep the docs honest: every command has help, an example, a README section."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from kg.cli import main

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(main.commands)


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
    assert re.search(rf"^#+ `ccus-kg {re.escape(name)}", README, re.M), f"no README heading for {name}"


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
