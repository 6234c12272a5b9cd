"""Record loading: both front-matter syntaxes, language folders, every bad input named."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import Severity
from kg.records import load_corpus, load_record, locate

from .conftest import FIXTURES, REFERENCE_COPY, ROOT, SEEDS, minimal_record, write_record

BAD = FIXTURES / "records"


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_seeds_load_without_findings() -> None:
    assert load_corpus(SEEDS).findings == []


def test_reference_record_loads_from_json_front_matter() -> None:
    corpus = load_corpus(REFERENCE_COPY)
    assert corpus.findings == []
    record = next(r for r in corpus.records if r.id == "cn-miit-industrial-plan-2022")
    assert record.format == "json"
    assert record.lang == "en"
    assert record.data["analysis"]["mrv"]["score"] == 75
    assert record.body.startswith("Released in August 2022")


def test_every_bad_input_is_reported_in_one_run(in_root: None) -> None:
    corpus = load_corpus(Path("tests/fixtures/records"))
    got = [(f.file.removeprefix("tests/fixtures/records/"), f.line, f.field, f.message)
           for f in corpus.findings]
    assert got == [
        ("bad-date.md", 6, "pubDate", "pubDate must be a real date YYYY-MM-DD, got '2022/08/16'"),
        ("bad-json.md", 5, "", "front matter is not valid JSON: Expecting ',' delimiter"),
        ("bad-score.md", 14, "analysis.mrv.score",
         "analysis.mrv.score must be an integer from 0 to 100, got 150"),
        ("bad-score.md", 18, "analysis.market.score",
         "analysis.market.score must be an integer from 0 to 100, got 'high'"),
        ("bad-yaml.md", 3, "",
         "front matter is not valid YAML: while scanning a quoted scalar, found unexpected end of stream"),
        ("empty.md", None, "", "the file is empty"),
        ("id-mismatch.md", 3, "id", "id 'some-other-id' differs from the file name 'id-mismatch.md'"),
        ("list-for-string.md", 4, "title", "title must be a string, got a list"),
        ("missing-id.md", 1, "id", "id is required"),
        ("missing-title.md", 1, "title", "title is required"),
        ("no-front-matter.md", 1, "", "no front matter: the file must start with a '---' line"),
        ("non-utf8.md", 15, "", "not UTF-8: byte 0xe9 at offset 241"),
        ("string-for-list.md", 13, "evolution.supersedes",
         "evolution.supersedes must be a list, got 'no-list-2010'"),
        ("unreal-date.md", 6, "pubDate", "pubDate must be a real date YYYY-MM-DD, got '2023-02-30'"),
    ]
    assert {f.severity for f in corpus.findings} == {Severity.VIOLATION}
    # The good records still load: a bad record never takes the others down.
    assert [r.id for r in corpus.records] == ["good-bom-crlf", "good-json", "good-yaml"]


def test_findings_carry_the_record_id(in_root: None) -> None:
    corpus = load_corpus(Path("tests/fixtures/records"))
    by_file = {f.file.rsplit("/", 1)[1]: f.record for f in corpus.findings}
    assert by_file["bad-date.md"] == "bad-date"
    assert by_file["id-mismatch.md"] == "some-other-id"
    assert by_file["empty.md"] == ""


def test_bom_and_crlf_load_like_plain_utf8() -> None:
    record, findings = load_record(BAD / "good-bom-crlf.md", BAD)
    assert findings == []
    assert record is not None
    assert record.data["title"] == "Policy good-bom-crlf"
    assert record.body == "A body with CRLF line endings."


def test_yaml_native_dates_become_iso_text() -> None:
    record, findings = load_record(BAD / "good-yaml.md", BAD)
    assert findings == []
    assert record is not None and record.format == "yaml"
    assert record.data["pubDate"] == "2014-12-19"
    assert record.data["evolution"]["clusters"] == ["North Sea Storage"]


def test_language_folders_make_one_policy_per_id(tmp_path: Path) -> None:
    write_record(tmp_path / "en", minimal_record("no-storage-2014", title="Storage regulations"))
    write_record(tmp_path / "zh", minimal_record("no-storage-2014", title="封存条例"))
    write_record(tmp_path / "en", minimal_record("no-other-2015"))
    corpus = load_corpus(tmp_path)
    assert corpus.findings == []
    assert {(r.id, r.lang) for r in corpus.records} == {
        ("no-storage-2014", "en"), ("no-storage-2014", "zh"), ("no-other-2015", "en"),
    }
    assert [len(v) for v in corpus.policies().values()] == [1, 2]


def test_flat_corpus_is_english_unless_the_record_says(tmp_path: Path) -> None:
    write_record(tmp_path / "nested" / "deeper", minimal_record("a-2014"))
    write_record(tmp_path, minimal_record("b-2014", language="zh"))
    corpus = load_corpus(tmp_path)
    assert [(r.id, r.lang, r.rel) for r in corpus.records] == [
        ("a-2014", "en", "nested/deeper/a-2014.md"), ("b-2014", "zh", "b-2014.md"),
    ]


def test_duplicate_id_in_one_language_is_a_violation(tmp_path: Path) -> None:
    write_record(tmp_path / "a", minimal_record("dup-2014"))
    write_record(tmp_path / "b", minimal_record("dup-2014"))
    corpus = load_corpus(tmp_path)
    assert [r.rel for r in corpus.records] == ["a/dup-2014.md"]
    assert [(f.field, f.message) for f in corpus.findings] == [
        ("id", "id 'dup-2014' (en) is also used by a/dup-2014.md"),
    ]


def test_list_items_are_named_by_index(tmp_path: Path) -> None:
    data = minimal_record("x-2014", evolution={"supersedes": ["ok-2010", 7], "clusters": []})
    path = write_record(tmp_path, data)
    _, findings = load_record(path, tmp_path)
    assert [(f.field, f.message) for f in findings] == [
        ("evolution.supersedes[1]", "evolution.supersedes[1] must be a string, got 7"),
    ]
    assert findings[0].line == locate(path.read_text(), "evolution.supersedes[1]")


def test_typed_links_take_a_list_or_one_id(tmp_path: Path) -> None:
    good = minimal_record("a-2014", evolution={"amends": "b-2010", "repealedBy": ["c-2016"], "implements": [],
                                               "transposes": "", "amendedBy": [], "transposedBy": ["d-2018"]})
    assert load_record(write_record(tmp_path, good), tmp_path)[1] == []
    bad = minimal_record("e-2014", evolution={"amends": 7, "implementedBy": ["ok-2010", None]})
    path = write_record(tmp_path, bad)
    _, findings = load_record(path, tmp_path)
    assert [(f.field, f.message, f.line) for f in findings] == [
        ("evolution.amends", "evolution.amends must be a list of ids or one id, got 7",
         locate(path.read_text(), "evolution.amends")),
        ("evolution.implementedBy[1]", "evolution.implementedBy[1] must be a string, got null",
         locate(path.read_text(), "evolution.implementedBy[1]")),
    ]


def test_sources_are_checked_field_by_field(tmp_path: Path) -> None:
    good = minimal_record("s-2014", sources=[{"url": "https://example.org/g", "title": "Gazette",
                                              "supports": ["pubDate", "evolution.amends[0]"]}, {"title": "Book"}])
    assert load_record(write_record(tmp_path, good), tmp_path)[1] == []
    bad = minimal_record("t-2014", sources={"url": "https://example.org/g"})
    _, findings = load_record(write_record(tmp_path, bad), tmp_path)
    assert [(f.field, f.message) for f in findings] == [("sources", "sources must be a list, got a mapping")]
    bad = minimal_record("u-2014", sources=[{"url": "https://example.org/g", "supports": ["status", 3]}])
    _, findings = load_record(write_record(tmp_path, bad), tmp_path)
    assert [(f.field, f.message) for f in findings] == [
        ("sources[0].supports[1]", "sources[0].supports[1] must be a string, got 3")]


def test_new_milestone_types_load(tmp_path: Path) -> None:
    data = minimal_record("v-2014", evolution={"milestones": [
        {"date": "2019-10-11", "event": "Provisionally applied.", "type": "provisionally-applied"},
        {"date": "2020", "event": "Commenced.", "type": "commenced"},
        {"date": "2030", "event": "Lapses.", "type": "lapsed"}]})
    assert load_record(write_record(tmp_path, data), tmp_path)[1] == []


def test_partial_milestone_dates_are_valid_but_bad_ones_are_not(tmp_path: Path) -> None:
    good = minimal_record("m-2014", evolution={"milestones": [{"date": "2024-05", "event": "Enacted"},
                                                              {"date": "2024", "event": "x"}]})
    bad = minimal_record("n-2014", evolution={"milestones": [{"date": "2024-13", "event": "x"}]})
    assert load_record(write_record(tmp_path, good), tmp_path)[1] == []
    _, findings = load_record(write_record(tmp_path, bad), tmp_path)
    assert [(f.field, f.message) for f in findings] == [
        ("evolution.milestones[0].date",
         "evolution.milestones[0].date must be a date YYYY, YYYY-MM or YYYY-MM-DD, got '2024-13'"),
    ]


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    from kg.errors import RecordError

    with pytest.raises(RecordError, match="no such folder"):
        load_corpus(tmp_path / "nope")


def test_shipped_hub_like_sample_loads_both_languages() -> None:
    from .fixtures_hub import POLICIES

    corpus = load_corpus(POLICIES)
    assert corpus.findings == []
    assert len(corpus.records) == 14
    policies = corpus.policies()
    assert sorted(policies) == ["au-baseline-scheme", "ca-capture-credit", "ca-reduction-plan", "cn-ets-pilot",
                                "eu-storage-directive", "my-tax-allowance", "ng-flaring-rule-2023"]
    assert all(sorted(r.lang for r in rs) == ["en", "zh"] for rs in policies.values())
    assert {r.format for r in corpus.records} == {"yaml"}


def test_hub_sample_loads_both_languages(hub: Path) -> None:
    corpus = load_corpus(hub)
    assert corpus.findings == []
    assert len(corpus.records) == 152
    policies = corpus.policies()
    assert len(policies) == 76
    assert all(sorted(r.lang for r in rs) == ["en", "zh"] for rs in policies.values())
    assert {r.format for r in corpus.records} == {"yaml"}
