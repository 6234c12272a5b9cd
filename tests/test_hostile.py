"""Hostile input: every attack on the loader is a finding about its file; the rest still builds."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.parsing import MAX_DEPTH, MAX_NODES, MAX_RECORD_BYTES
from kg.records import load_corpus, load_record

from .conftest import minimal_record, write_record

GOOD = """---
id: {id}
title: A record
country: Norway
pubDate: "2014-12-19"
year: 2014
status: Active
category: Storage
legalWeight: Regulation
reviewStatus: unverified
url: https://example.org/{id}
provenance:
  author: ccus-kg project
  reviewer: ""
  lastAuditDate: "2026-11-24"
{extra}---

A summary.
"""


def yaml_record(folder: Path, record_id: str, extra: str = "", **replace: str) -> Path:
    """A valid YAML record with ``extra`` lines added before the closing '---'."""
    text = GOOD.format(id=record_id, extra=extra)
    for old, new in replace.items():
        text = text.replace(old, new)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record_id}.md"
    path.write_text(text, encoding="utf-8")
    return path


def json_record(folder: Path, record_id: str, front: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record_id}.md"
    path.write_text(f"---\n{front}\n---\n\nA summary.\n", encoding="utf-8")
    return path


def findings_of(path: Path) -> list[tuple[int | None, str, str, str]]:
    record, findings = load_record(path, path.parent)
    assert record is None, "a hostile record must not load"
    return [(f.line, f.field, f.rule.removeprefix("ccus-kg:load/"), f.message) for f in findings]


# --- dates, tags, aliases, nesting -------------------------------------------------------------


def test_unquoted_impossible_yaml_date_is_a_finding_on_its_field(tmp_path: Path) -> None:
    path = yaml_record(tmp_path, "bad-date", **{'pubDate: "2014-12-19"': "pubDate: 2022-02-30"})
    assert findings_of(path) == [
        (5, "pubDate", "date", "pubDate must be a real date YYYY-MM-DD, got '2022-02-30'")]


def test_impossible_date_in_a_milestone_is_named_by_its_path(tmp_path: Path) -> None:
    path = yaml_record(tmp_path, "bad-milestone", "evolution:\n  milestones:\n    - date: 2022-02-30\n"
                       "      event: Signed\n      type: adopted\n")
    assert findings_of(path) == [
        (18, "evolution.milestones[0].date", "date",
         "evolution.milestones[0].date must be a date YYYY, YYYY-MM or YYYY-MM-DD, got '2022-02-30'")]


def test_impossible_date_in_an_unknown_field_is_kept_as_written(tmp_path: Path) -> None:
    path = yaml_record(tmp_path, "odd-extra", "signedOn: 2022-02-30\nratified: 2023-01-05\n")
    record, findings = load_record(path, tmp_path)
    assert findings == []
    assert record is not None
    assert (record.data["signedOn"], record.data["ratified"]) == ("2022-02-30", "2023-01-05")


def test_billion_laughs_is_refused_before_it_expands(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    path = yaml_record(tmp_path, "bomb", "bomb:\n" + "".join(f"  {line}\n" for line in lines))
    assert findings_of(path) == [
        (21, "bomb.a4", "alias", f"bomb.a4 expands to more than {MAX_NODES} values (YAML aliases)")]


def test_recursive_anchor_is_refused(tmp_path: Path) -> None:
    path = yaml_record(tmp_path, "loop", "loop: &l [*l]\n")
    assert findings_of(path) == [(16, "loop[0]", "alias", "loop[0] refers to itself (a recursive anchor)")]


@pytest.mark.parametrize(("value", "tag"), [
    ("!!binary aGVsbG8=", "tag:yaml.org,2002:binary"),
    ("!!set {a, b}", "tag:yaml.org,2002:set"),
    ("!!timestamp 2020-01-01", "tag:yaml.org,2002:timestamp"),
    ("!!python/name:os.system ''", "tag:yaml.org,2002:python/name:os.system"),
])
def test_yaml_tags_beyond_plain_data_are_refused(tmp_path: Path, value: str, tag: str) -> None:
    path = yaml_record(tmp_path, "tagged", f"blob: {value}\n")
    assert findings_of(path) == [
        (16, "blob", "tag", f"blob uses the YAML tag {tag}, which records do not allow "
         "(only strings, numbers, booleans, lists and mappings)")]


def test_yaml_nested_500_deep_is_refused(tmp_path: Path) -> None:
    path = yaml_record(tmp_path, "deep", "deep: " + "[" * 500 + "]" * 500 + "\n")
    where = "deep" + "[0]" * MAX_DEPTH
    assert findings_of(path) == [(16, where, "depth", f"{where} nests deeper than {MAX_DEPTH} levels")]


def test_json_nested_900_deep_is_refused(tmp_path: Path) -> None:
    data = json.dumps(minimal_record("deep-json"))[:-1] + ', "deep": ' + "[" * 900 + "]" * 900 + "}"
    path = json_record(tmp_path, "deep-json", data)
    assert findings_of(path) == [(2, "", "depth", f"front matter nests deeper than {MAX_DEPTH} levels")]


def test_yaml_merge_key_is_refused(tmp_path: Path) -> None:
    path = yaml_record(tmp_path, "merge", "base: &b {x: 1}\nmore:\n  <<: *b\n  y: 2\n")
    assert findings_of(path) == [
        (18, "more", "merge-key", "more uses a YAML merge key '<<', which records do not allow")]


# --- keys ------------------------------------------------------------------------------------


def test_duplicate_yaml_key_names_both_lines(tmp_path: Path) -> None:
    path = yaml_record(tmp_path, "dup", "title: A second title\n")
    assert findings_of(path) == [(16, "title", "duplicate-key", "title appears twice, on lines 3 and 16")]


def test_duplicate_json_key_names_both_lines(tmp_path: Path) -> None:
    path = json_record(tmp_path, "dup-json", '{\n  "id": "dup-json",\n  "title": "First",\n'
                       '  "country": "Norway",\n  "title": "Second"\n}')
    assert findings_of(path) == [(6, "title", "duplicate-key", "title appears twice, on lines 4 and 6")]


def test_nested_duplicate_key_is_named_by_its_path(tmp_path: Path) -> None:
    path = yaml_record(tmp_path, "dup-nested", "", **{'  reviewer: ""': '  reviewer: ""\n  author: someone'})
    assert findings_of(path) == [
        (15, "provenance.author", "duplicate-key", "provenance.author appears twice, on lines 13 and 15")]


def test_keys_that_collapse_to_the_same_text_are_refused(tmp_path: Path) -> None:
    path = yaml_record(tmp_path, "keys", "extra:\n  1: one\n  '1': quoted one\n  true: yes\n")
    assert findings_of(path) == [
        (17, "extra", "key", "key '1' in extra must be text (quote it)"),
        (19, "extra", "key", "key 'true' in extra must be text (quote it)"),
    ]


# --- characters and numbers --------------------------------------------------------------------


@pytest.mark.parametrize(("escape", "code"), [
    ("\\u000b", "000B"), ("\\u001b", "001B"), ("\\u0000", "0000"), ("\\ud800", "D800"), ("\\uffff", "FFFF")])
def test_characters_no_export_can_carry_are_refused(tmp_path: Path, escape: str, code: str) -> None:
    front = json.dumps(minimal_record("chars"), indent=2)[:-2] + f',\n  "source": "Min{escape}istry"\n}}'
    path = json_record(tmp_path, "chars", front)
    assert findings_of(path) == [
        (18, "source", "character", f"source holds the character U+{code}, which no export format can carry")]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_refused(tmp_path: Path, constant: str) -> None:
    front = json.dumps(minimal_record("nan"), indent=2)[:-2] + f',\n  "weight": {constant}\n}}'
    path = json_record(tmp_path, "nan", front)
    assert findings_of(path) == [(None, "", "number", f"front matter holds {constant}, which is not a JSON number")]


def test_yaml_nan_is_refused(tmp_path: Path) -> None:
    path = yaml_record(tmp_path, "ynan", "weight: .nan\n")
    assert findings_of(path) == [(16, "weight", "number", "weight must be a finite number, got nan")]


def test_invalid_language_is_a_finding(tmp_path: Path) -> None:
    path = yaml_record(tmp_path, "lang", "language: 'en\" ; drop'\n")
    assert findings_of(path) == [
        (16, "language", "language", "language must be a language tag such as 'en' or 'zh', got 'en\" ; drop'")]


def test_record_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = yaml_record(tmp_path, "huge", "blob: '" + "x" * (MAX_RECORD_BYTES + 10) + "'\n")
    assert findings_of(path) == [(None, "", "size", "the file is larger than 4 MiB, the limit for one record")]


# --- folders ---------------------------------------------------------------------------------


def test_symlink_loop_with_three_branches_is_reported_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "seeds"
    yaml_record(root / "a", "in-a")
    (root / "a" / "to-root").symlink_to(root, target_is_directory=True)
    (root / "b").symlink_to(root / "a", target_is_directory=True)
    (root / "c").symlink_to(root, target_is_directory=True)
    corpus = load_corpus(root)
    assert [r.id for r in corpus.records] == ["in-a"]
    assert sorted((Path(f.file).name, f.rule.removeprefix("ccus-kg:load/")) for f in corpus.findings) == [
        ("b", "folder-loop"), ("c", "folder-loop"), ("to-root", "folder-loop")]


def test_unreadable_subfolder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "seeds"
    yaml_record(root, "fine")
    yaml_record(root / "locked", "hidden")
    real = os.scandir

    def scandir(path: str | os.PathLike[str]) -> object:  # root reads any folder: fail it as a user would
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    corpus = load_corpus(root)
    assert [r.id for r in corpus.records] == ["fine"]
    [finding] = corpus.findings
    assert (Path(finding.file).name, finding.message) == (
        "locked", "folder cannot be read: Permission denied; its records are not loaded")


# --- the command line: the rest still builds, all at once, nothing lost -----------------------


def hostile_corpus(root: Path) -> Path:
    yaml_record(root, "good-one")
    yaml_record(root, "bad-date", **{'pubDate: "2014-12-19"': "pubDate: 2022-02-30"})
    yaml_record(root, "loop", "loop: &l [*l]\n")
    yaml_record(root, "dup", "title: Again\n")
    write_record(root, minimal_record("good-two"))
    return root


def test_build_reports_every_hostile_record_and_refuses(tmp_path: Path) -> None:
    seeds = hostile_corpus(tmp_path / "seeds")
    result = CliRunner().invoke(main, ["build", "--seeds", str(seeds), "--out", str(tmp_path / "out"),
                                       "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    got = sorted((Path(f["file"]).name, f["field"], f["rule"].removeprefix("ccus-kg:load/"))
                 for f in report["findings"] if f["severity"] == "violation")
    assert got == [("bad-date.md", "pubDate", "date"), ("dup.md", "title", "duplicate-key"),
                   ("loop.md", "loop[0]", "alias")]
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "ccus-kg.ttl").exists()


def test_build_with_allow_invalid_builds_the_rest(tmp_path: Path) -> None:
    seeds = hostile_corpus(tmp_path / "seeds")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--seeds", str(seeds), "--out", str(out), "--allow-invalid",
                                       "--format", "json"])
    assert result.exit_code == 1, result.output  # written, and the exit code still says "violations"
    assert json.loads(result.output)["policies"] == 2
    text = (out / "ccus-kg.nt").read_text(encoding="utf-8")
    assert "/policy/good-one>" in text and "/policy/good-two>" in text
    assert "/policy/loop>" not in text


@pytest.mark.parametrize("cache", [[], ["--no-cache"]])
def test_empty_corpus_is_refused_and_leaves_the_outputs(tmp_path: Path, cache: list[str]) -> None:
    seeds = tmp_path / "seeds"
    write_record(seeds, minimal_record("only"))
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--seeds", str(seeds), "--out", str(out), *cache]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    (seeds / "only.md").unlink()
    result = runner.invoke(main, ["build", "--seeds", str(seeds), "--out", str(out), *cache])
    assert result.exit_code == 2
    assert "no record files (*.md) found: nothing to build" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_facility_and_country_folders_are_not_read_as_policies(tmp_path: Path) -> None:
    root = tmp_path / "seeds"
    yaml_record(root, "a-policy")
    json_record(root / "facilities", "no-sleipner", '{"id": "no-sleipner", "name": "Sleipner"}')
    json_record(root / "countries", "norway", '{"id": "norway"}')
    json_record(root / "nested" / "facilities", "nested-policy", json.dumps(minimal_record("nested-policy")))
    corpus = load_corpus(root)
    assert (sorted(r.id for r in corpus.records), corpus.findings) == (["a-policy", "nested-policy"], [])
