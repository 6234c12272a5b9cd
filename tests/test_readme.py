"""The README's examples run on the shipped seeds and print what the README shows.

Each ``$ ccus-kg …`` line in a fenced block is run; the lines under it are the
output it must print (a ``...`` line stands for any lines, so the README may
show an excerpt). Each ``ccus-kg …`` line of a ```sh block that names no
placeholder is run too and must succeed. Examples that name the Policy Hub
sample run where ``../shared/ccus-policy-hub`` is present.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
HUB = "../shared/ccus-policy-hub"
# sh lines with one of these are synopses or need a running server, not runnable examples
PLACEHOLDERS = ("[", "|", "…", "<", "YYYY", " ID", " NAME", "GSP_URL", "--store", "--endpoint", "serve")


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^```(\w*)\n(.*?)^```$", README, re.S | re.M)]


def prompted() -> list[tuple[str, list[str]]]:
    """(command, expected lines) for every $-prompt example."""
    found = []
    for _, body in blocks():
        lines = body.splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("$ ccus-kg ")]
        for n, i in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else len(lines)
            found.append((lines[i][2:], lines[i + 1:end]))
    return found


def commands() -> list[str]:
    """Every runnable ccus-kg line of a ```sh block."""
    return [line for kind, body in blocks() if kind == "sh" for line in body.splitlines()
            if re.match(r"(echo .*\| )?ccus-kg ", line) and not any(p in line.split("| ")[-1] for p in PLACEHOLDERS)]


def run(command: str, where: Path) -> tuple[int, str]:
    """Run a README line in a folder where ./seeds is the shipped corpus and ../shared is the hub sample's."""
    stdin = None
    if command.startswith("echo "):
        echo, command = command.split(" | ", 1)
        stdin = shlex.split(echo)[1] + "\n"
    args = shlex.split(command)[1:]
    args = [a.replace(HUB, str(ROOT.parent / "shared" / "ccus-policy-hub")) for a in args]
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=where):
        (Path.cwd() / "seeds").symlink_to(ROOT / "seeds")
        result = runner.invoke(main, args, input=stdin, env={"COLUMNS": "200"}, terminal_width=200)
    return result.exit_code, result.output


def normalise(text: str) -> str:
    """Timings and the temporary folder differ from run to run."""
    return re.sub(r"\d+\.\d+ s\b", "N s", text).rstrip()


def matches(expected: list[str], actual: list[str]) -> bool:
    """Expected lines in order; '...' stands for any lines (none included); otherwise line for line."""
    pattern = "".join(".*?" if line == "..." else re.escape(normalise(line)) + "\n" for line in expected)
    return re.fullmatch(pattern, "".join(normalise(line) + "\n" for line in actual), re.S) is not None


def needs_hub(command: str) -> None:
    if HUB in command and not (ROOT.parent / "shared" / "ccus-policy-hub").is_dir():
        pytest.skip(f"{HUB} is absent: this example reads the Policy Hub sample")


def test_the_readme_has_examples_on_the_seeds() -> None:
    on_seeds = [c for c, _ in prompted() if HUB not in c]
    assert {c.split()[1] for c in on_seeds} >= {"build", "validate", "lineage", "analyze"}
    assert len(commands()) >= 4


@pytest.mark.parametrize(("command", "expected"), prompted(), ids=[c for c, _ in prompted()])
def test_prompt_example_prints_what_the_readme_shows(command: str, expected: list[str], tmp_path: Path) -> None:
    needs_hub(command)
    code, output = run(command, tmp_path)
    assert code in (0, 1), output
    assert matches(expected, output.splitlines()), output


@pytest.mark.parametrize("command", commands())
def test_sh_example_runs(command: str, tmp_path: Path) -> None:
    needs_hub(command)
    code, output = run(command, tmp_path)
    assert code == 0, output
    assert output.strip() or "-o " in command  # it answers something (or writes the file it names)
    assert "0 results" not in output and output.strip() != "[]"


def test_matching_an_excerpt() -> None:
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "b"], ["a", "b"])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert matches(["took 0.61 s"], ["took 5.13 s"])
