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
