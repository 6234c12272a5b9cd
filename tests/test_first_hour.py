"""What a new user meets in the first hour: messages that say what is wrong, tables that fit, no noise."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import QueryError
from kg.sparql import describe_syntax_error

from .conftest import SEEDS, minimal_record, write_record


def syntax_message(query: str) -> str:
    result = CliRunner().invoke(main, ["query", "-", "--seeds", str(SEEDS)], input=query)
    assert result.exit_code == 2
    return result.output.strip().removeprefix("error: ")


@pytest.mark.parametrize(("query", "message"), [
    ("SELEC ?x WHERE { ?x ?y ?z }", "SPARQL syntax error at line 1, column 1: found 'SELEC', did you mean SELECT?"),
    ("SELECT ?x WHERE { ?x ?y ?z } LIMTI 5",
     "SPARQL syntax error at line 1, column 30: found 'LIMTI', did you mean LIMIT?"),
    ("SELECT ?x WHERE { ?x foo:bar ?z }",
     "SPARQL syntax error at line 1, column 22: the prefix 'foo:' of foo:bar is not declared "
     "(add PREFIX foo: <...>)"),
    ("SELECT ?x WHERE {\n  ?x ?y ?z",
     "SPARQL syntax error at line 2, column 11: the query ends before the '{' opened at line 1, column 17 "
     "is closed with '}'"),
    ('SELECT ?x WHERE { ?x ?y "a}" } }', "SPARQL syntax error at line 1, column 32: '}' closes nothing that is open"),
    ("SELECT ?x WHERE { ?x ?y ?z . FILTER(?x = ) }",
     "SPARQL syntax error at line 1, column 30: found 'FILTER'; what starts here is not valid SPARQL"),
])
def test_syntax_errors_say_what_was_found_and_meant(query: str, message: str) -> None:
    assert syntax_message(query) == message


def test_declared_and_project_prefixes_are_not_flagged() -> None:
    text = "PREFIX ex: <http://example.org/>\nSELECT ?x WHERE { ?x a ccus:Policy ; ex:p ?y ; dcterms:title ?t"
    assert describe_syntax_error(QueryError("x"), text, ["ccus", "dcterms"]) == (
        "SPARQL syntax error at line 2, column 64: the query ends before the '{' opened at line 2, column 17 "
        "is closed with '}'")


def test_an_id_that_names_no_policy_is_refused_with_the_closest_ids() -> None:
    result = CliRunner().invoke(main, ["query", "current-version", "--seeds", str(SEEDS), "-p", "id=us-45q-2008"])
    assert result.exit_code == 2
    assert result.output.strip() == ("error: no policy 'us-45q-2008' in the corpus; did you mean "
                                     "us-45q-eiea-2008, us-45q-bba-2018, us-45q-arrta-2009?")


def test_coverage_matrix_counts_an_unmapped_category_in_the_total_on_every_store(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_record(seeds, minimal_record("no-mapped", category="Storage"))
    write_record(seeds, minimal_record("no-unmapped", category="Statutory"))
    rows = []
    for store in ("memory", f"oxigraph:{tmp_path / 'ox'}"):
        result = CliRunner().invoke(main, ["query", "coverage-matrix", "--seeds", str(seeds), "--store", store,
                                           "--format", "csv"])
        assert result.exit_code == 0, result.output
        rows.append(list(csv.reader(io.StringIO(result.stdout))))
    assert rows[0] == rows[1] == [
        ["jurisdiction", "fiscal", "regulatory", "storage", "liability", "mrv", "market", "strategy", "standard",
         "total"],
        ["NO", "0", "0", "1", "0", "0", "0", "0", "0", "2"]]


def test_query_list_shows_every_name_whole_at_80_columns() -> None:
    result = CliRunner().invoke(main, ["query", "--list"], env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0
    names = [line.split("│")[1].strip() for line in result.output.splitlines()
             if line.startswith("│") and line.split("│")[1].strip()]
    from kg.queries import catalogue

    assert names == list(catalogue())
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_query_tables_show_titles_without_language_tags() -> None:
    result = CliRunner().invoke(main, ["query", "policies-by-jurisdiction", "--seeds", str(SEEDS),
                                       "-p", "jurisdiction=NO"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "@en" not in result.output
    assert "no-co2-storage-regulations-2014" in result.output


def test_build_sums_up_a_rule_found_many_times_and_verbose_lists_all(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    for i in range(5):
        write_record(seeds, minimal_record(f"no-policy-{i}", url=""))
    runner = CliRunner()
    result = runner.invoke(main, ["build", "--seeds", str(seeds), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    url_lines = [line for line in lines if "url" in line and line.startswith("warning")]
    assert len(url_lines) == 3
    assert url_lines[-1].startswith("warning … and 3 more like these (")
    assert url_lines[-1].endswith("); --verbose lists every one")
    assert lines[-1].startswith("built 5 records (5 policies, en) -> ")
    assert "; 0 violations, 5 warnings, 0 infos; " in lines[-1]
    verbose = runner.invoke(main, ["build", "--seeds", str(seeds), "--out", str(tmp_path / "out"), "--verbose"])
    assert len([line for line in verbose.output.splitlines() if "url" in line and line.startswith("warning")]) == 5


def test_export_says_what_the_exported_graph_violates(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_record(seeds, minimal_record("no-dangling", evolution={"supersedes": ["no-ghost-2000"]}))
    write_record(seeds, minimal_record("no-fine"))
    runner = CliRunner()
    result = runner.invoke(main, ["export", "--seeds", str(seeds), "-o", str(tmp_path / "x.ttl")])
    assert result.exit_code == 0  # everything was exported; the graph's own problems are named
    assert result.output.strip().splitlines()[-1] == (
        f"note: the exported graph has 1 violation(s) and 0 warning(s); run ccus-kg validate --seeds {seeds} "
        "for the report")
    (seeds / "broken.md").write_text("---\nid: broken\n---\n", encoding="utf-8")
    result = runner.invoke(main, ["export", "--seeds", str(seeds), "-o", str(tmp_path / "x.ttl")])
    assert result.exit_code == 1  # a record was left out
    assert result.output.strip().splitlines()[-2:] == [
        f"note: the exported graph has 2 violation(s) and 0 warning(s); run ccus-kg validate --seeds {seeds} "
        "for the report",
        "1 record file(s) could not be read and are left out"]


def in_force_text(width: int, *args: str) -> tuple[list[str], list[str]]:
    """The in-force table at a terminal width, and the ids the JSON answer gives."""
    from kg.cli.common import out

    runner = CliRunner()
    # rich fixes a console's width when COLUMNS is set as it is made: set it for this call either way
    saved, out.width = out._width, width
    text = runner.invoke(main, ["in-force", "--seeds", str(SEEDS), *args], env={"COLUMNS": str(width)},
                         terminal_width=width)
    out._width = saved
    data = runner.invoke(main, ["in-force", "--seeds", str(SEEDS), *args, "--format", "json"])
    assert text.exit_code == 0 and data.exit_code == 0, text.output
    import json

    answer = json.loads(data.output)
    ids = [i for r in answer["policies"] for i in (r["id"], *(f"↳ {a}" for a in r["amendedBy"]))]
    return text.output.splitlines(), ids + [r["id"] for r in answer["provisionallyApplied"]]


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("args", [("--date", "2020-01-01", "--country", "US"), ("--date", "2024-01-01")])
def test_in_force_rows_fit_the_terminal_and_never_cut_an_id(width: int, args: tuple[str, ...]) -> None:
    lines, ids = in_force_text(width, *args)
    assert max(len(line) for line in lines) <= width
    body = [line for line in lines if line.startswith("│ ")]
    assert [line.split("│")[1].strip() for line in body if not line.startswith("│   ")] == ids  # each id whole
    assert len(body) <= 2 * len(ids)  # at most two lines a row, never a six-line cell


def test_in_force_titles_end_in_an_ellipsis_on_one_line() -> None:
    lines, ids = in_force_text(80, "--date", "2020-01-01", "--country", "US")
    assert lines[4] == "│ us-45q-eiea-2008                    │ Energy Improveme… │ US    │ 2008-10-03 │"
    assert lines[5] == "│ ↳ us-45q-arrta-2009                 │ American Recover… │ US    │ 2009-02-17 │"
    assert len([line for line in lines if line.startswith("│ ")]) == len(ids)  # one line a row
    wide, _ = in_force_text(120, "--date", "2020-01-01", "--country", "US")
    assert wide[4].startswith("│ us-45q-eiea-2008                    │ Energy Improvement and Extension Act of 2008,")
    assert wide[4].endswith("… │ US    │ 2008-10-03 │") and len(wide[4]) == 120


def test_in_force_with_an_id_too_long_for_a_title_column_gives_the_title_its_own_line() -> None:
    lines, ids = in_force_text(80, "--date", "2024-01-01")
    assert lines[2].startswith("┃ id / issued, where, title ")
    first = lines.index("│ au-nger-act-2007" + " " * 61 + "│")
    assert lines[first + 1] == "│   2007-09-28 AU     National Greenhouse and Energy Reporting Act 2007 (No. … │"
    assert len([line for line in lines if line.startswith("│ ") and not line.startswith("│  ")]) == len(ids)


def test_no_deprecation_warning_from_a_query_that_uses_replace() -> None:
    """On Python 3.13 rdflib's REPLACE warned once per row (thousands on a build); none reaches the user now."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-m", "kg", "query", "lineage-edges",
                             "--seeds", str(SEEDS), "--format", "csv"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines()[0] == "older,newer,relation,dangling"
