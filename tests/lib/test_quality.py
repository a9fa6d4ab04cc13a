"""The GX suites of expectations/: they load whole, match the ontology, and catch broken rows."""

import json
from datetime import date

import polars as pl
import pytest

from pipeline.lib.events.lexicon import load_event_lexicon
from pipeline.lib.quality.derived import with_event_checks
from pipeline.lib.quality.suites import SUITES_DIR, load_suite, validate_table
from pipeline.lib.schema import ACTORS, DOCUMENTS, EVENTS, PLOVER_TYPES, PUBLISHED_TABLES


@pytest.mark.parametrize("table", [t.name for t in PUBLISHED_TABLES])
def test_every_declared_expectation_is_loaded(table: str) -> None:
    declared = json.loads((SUITES_DIR / f"{table}.json").read_text(encoding="utf-8"))["expectations"]
    assert len(load_suite(SUITES_DIR / f"{table}.json").expectations) == len(declared)


def test_unknown_expectation_type_is_an_error(tmp_path) -> None:
    spec = {"name": "x", "expectations": [{"type": "expect_column_values_to_be_purple", "kwargs": {}}]}
    (tmp_path / "x.json").write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(ValueError, match="cannot be built"):
        load_suite(tmp_path / "x.json")


def test_event_domains_follow_the_ontology() -> None:
    ontology = load_event_lexicon().ontology
    sets = {
        e["kwargs"]["column"]: set(e["kwargs"]["value_set"])
        for e in json.loads((SUITES_DIR / "events.json").read_text(encoding="utf-8"))["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set"
    }
    assert sets["event_type"] == set(PLOVER_TYPES) == set(ontology)
    assert sets["event_mode"] == {mode for t in ontology.values() for mode in t.modes}


def _frame(table, data: pl.DataFrame) -> pl.DataFrame:
    """``data`` with the table's other columns empty, in the table's schema."""
    return table.conform(pl.concat([table.empty(), data], how="diagonal_relaxed"))


def _tables() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    documents = _frame(
        DOCUMENTS,
        pl.DataFrame(
            {"doc_id": ["d1"], "text": ["Russland lieferte Panzer an Belarus."], "language": ["de"]}
        ),
    )
    actors = _frame(
        ACTORS,
        pl.DataFrame(
            {
                "actor_id": ["Q159", "Q184"],
                "name": ["Russia", "Belarus"],
                "kind": ["STATE", "STATE"],
                "code": ["RUS", "BLR"],
                "country": ["RUS", "BLR"],
            }
        ),
    )
    events = _frame(
        EVENTS,
        pl.DataFrame(
            {
                "event_id": ["e1"],
                "doc_id": ["d1"],
                "sentence_index": [0],
                "char_start": [0],
                "char_end": [36],
                "evidence": ["Russland lieferte Panzer an Belarus."],
                "language": ["de"],
                "event_type": ["AID"],
                "event_mode": ["military"],
                "cameo_code": ["072"],
                "source_actor_id": ["Q159"],
                "source_country": ["RUS"],
                "target_actor_id": ["Q184"],
                "target_country": ["BLR"],
                "status": ["occurred"],
                "negated": [False],
                "confidence": [0.75],
                "story_id": ["s1"],
                "num_sources": [1],
                "doc_mentions": [1],
            }
        ),
    )
    return events, documents, actors


def test_a_good_event_passes_every_critical_expectation() -> None:
    events, documents, actors = _tables()
    outcome = validate_table("events", with_event_checks(events, documents, actors))
    assert outcome.passed_blocking, outcome.failures("critical")


@pytest.mark.parametrize(
    ("column", "value", "failing"),
    [
        ("event_date", date(3024, 1, 1), "check_date_in_range"),
        ("target_country", "XYZ", "check_countries_known"),
        ("event_mode", "teleport", "event_mode"),
        ("evidence", "Russland lieferte Panzer.", "check_evidence_at_offsets"),
        ("confidence", 1.5, "confidence"),
        ("event_type", "HUG", "event_type"),
    ],
)
def test_a_broken_event_fails_a_critical_expectation(column: str, value, failing: str) -> None:
    events, documents, actors = _tables()
    broken = events.with_columns(pl.lit(value).cast(events.schema[column]).alias(column))
    outcome = validate_table("events", with_event_checks(broken, documents, actors))
    assert not outcome.passed_blocking
    assert failing in {result["kwargs"].get("column") for result in outcome.failures("critical")}


def _slicing_suite(tmp_path):
    spec = {
        "name": "sliced",
        "expectations": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "name"}},
            {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "key"}},
            {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "ok", "value_set": [True]}},
            {
                "type": "expect_column_values_to_match_regex",
                "kwargs": {"column": "name", "regex": "^n[0-9]+$", "mostly": 0.99},
            },
            {"type": "expect_column_mean_to_be_between", "kwargs": {"column": "value", "min_value": 0}},
        ],
    }
    (tmp_path / "sliced.json").write_text(json.dumps(spec), encoding="utf-8")


def test_validating_in_slices_gives_the_whole_table_result(tmp_path, monkeypatch) -> None:
    """Row-wise results add up over slices; a duplicate key in two different slices is still found,
    and reported by its value (not its code); ``mostly`` is judged over the whole table."""
    import pipeline.lib.quality.suites as suites

    _slicing_suite(tmp_path)
    rows = 5000
    frame = (
        pl.DataFrame(
            {
                "key": [f"k{i}" for i in range(rows - 1)] + ["k7"],  # k7 in the first and the last slice
                "name": [None if i == 4321 else f"n{i}" if i % 150 else f"bad{i}" for i in range(rows)],
                "value": list(range(rows)),
            }
        )
        .lazy()
        .with_columns(pl.lit(pl.Series("ok", [i != 10 for i in range(rows)])))
    )
    whole = validate_table("sliced", frame, tmp_path)
    monkeypatch.setattr(suites, "SLICE_BYTES", 2000)
    sliced = validate_table("sliced", frame, tmp_path)
    assert [r["success"] for r in sliced.results] == [r["success"] for r in whole.results]
    assert [r["unexpected_count"] for r in sliced.results] == [r["unexpected_count"] for r in whole.results]
    by_type = {r["expectation"]: r for r in sliced.results}
    assert by_type["expect_column_values_to_be_unique"]["sample"] == ["k7", "k7"]
    assert not by_type["expect_column_values_to_not_be_null"]["success"]
    assert by_type["expect_column_values_to_be_in_set"]["unexpected_count"] == 1
    # 34 names of 4,999 break the pattern: 99.3 % match, enough for mostly=0.99
    assert by_type["expect_column_values_to_match_regex"]["success"]
    assert by_type["expect_column_values_to_match_regex"]["unexpected_count"] == 34
    assert sliced.row_count == rows


@pytest.mark.parametrize("rows_at_once", [2, 100_000])
def test_text_at_offsets_checked_a_slice_at_a_time(monkeypatch, rows_at_once: int) -> None:
    import pipeline.lib.quality.derived as derived

    monkeypatch.setattr(derived, "TEXT_CHECK_ROWS", rows_at_once)
    documents = pl.DataFrame({"doc_id": ["b", "a", "c"], "text": ["Россия и Китай", "NATO met", "Iran"]})
    mentions = pl.DataFrame(
        {
            "doc_id": ["a", "b", "b", "x", None, "c", "a"],
            "char_start": [0, 0, 9, 0, 0, 0, 5],
            "char_end": [4, 6, 14, 4, 4, 5, 8],
            "text": ["NATO", "Россия", "Китай", "NATO", "NATO", "Iran", "met"],
            "actor_id": [None] * 7,
        }
    )
    actors = pl.DataFrame({"actor_id": ["Q1"]})
    checked = derived.with_mention_checks(mentions, documents, actors)
    # rows keep their order; unknown or missing documents and offsets past the end fail
    assert checked["check_text_at_offsets"].to_list() == [True, True, True, False, False, False, True]
    lazy = derived.with_mention_checks(mentions.lazy(), documents.lazy(), actors)
    assert isinstance(lazy, pl.LazyFrame)
    assert lazy.collect()["check_text_at_offsets"].to_list() == checked["check_text_at_offsets"].to_list()
