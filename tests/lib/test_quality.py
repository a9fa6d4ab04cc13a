"""Quality checks: the expectations generated from the contract and the semantic suites of
expectations/. They load whole, follow the ontology and the datapackage, and catch broken rows."""

import json
from datetime import UTC, date, datetime

import polars as pl
import pytest

from pipeline.lib.events.lexicon import load_event_lexicon
from pipeline.lib.publish.describe import datapackage, field_constraints
from pipeline.lib.quality.contract import contract_expectations, run_time_domains
from pipeline.lib.quality.derived import with_document_checks, with_event_checks, with_mention_checks
from pipeline.lib.quality.suites import SUITES_DIR, load_suite, validate_table
from pipeline.lib.schema import (
    EVENTS,
    MENTIONS,
    PLOVER_TYPES,
    PUBLISHED_TABLES,
    QUARANTINE,
    TABLES_BY_NAME,
    Column,
    Table,
)

NOT_NULL = "expect_column_values_to_not_be_null"


@pytest.mark.parametrize("table", [t.name for t in PUBLISHED_TABLES])
def test_every_declared_expectation_is_loaded(table: str) -> None:
    declared = json.loads((SUITES_DIR / f"{table}.json").read_text(encoding="utf-8"))["expectations"]
    assert len(load_suite(SUITES_DIR / f"{table}.json").expectations) == len(declared)


def test_unknown_expectation_type_is_an_error(tmp_path) -> None:
    spec = {"name": "x", "expectations": [{"type": "expect_column_values_to_be_purple", "kwargs": {}}]}
    (tmp_path / "x.json").write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(ValueError, match="cannot be built"):
        load_suite(tmp_path / "x.json")


def _frame(table: Table, data: pl.DataFrame) -> pl.DataFrame:
    """``data`` with the table's other columns empty, in the table's schema."""
    return table.conform(pl.concat([table.empty(), data], how="diagonal_relaxed"))


TEXT = "Russland lieferte Panzer an Belarus."
NOW = datetime(2024, 12, 6, 12, tzinfo=UTC)


def _tables() -> dict[str, pl.DataFrame]:
    """One valid table of each name: every row meets its contract and its suite."""
    documents = {
        "doc_id": ["d1"],
        "source_path": ["a.txt"],
        "language": ["de"],
        "char_count": [len(TEXT)],
        "text": [TEXT],
        "content_sha256": ["ab" * 32],
        "encoding": ["utf-8"],
        "removed_line_count": [0],
        "ingested_at": [NOW],
    }
    quarantine = {"source_path": ["x.bin"], "reason": ["binary"], "seen_at": [NOW]}
    actors = {
        "actor_id": ["Q159", "Q184"],
        "name": ["Russia", "Belarus"],
        "kind": ["STATE", "STATE"],
        "code": ["RUS", "BLR"],
        "country": ["RUS", "BLR"],
        "wikidata_id": ["Q159", "Q184"],
    }
    mentions = {
        "mention_id": ["m1"],
        "doc_id": ["d1"],
        "sentence_index": [0],
        "char_start": [0],
        "char_end": [8],
        "text": ["Russland"],
        "label": ["STATE"],
        "actor_id": ["Q159"],
        "country": ["RUS"],
        "language": ["de"],
    }
    events = {
        "event_id": ["e1"],
        "doc_id": ["d1"],
        "sentence_index": [0],
        "char_start": [0],
        "char_end": [len(TEXT)],
        "evidence": [TEXT],
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
        "latitude": [53.9],
        "longitude": [27.57],
        "confidence": [0.75],
        "story_id": ["s1"],
        "num_sources": [1],
        "doc_mentions": [1],
    }
    data = {
        "documents": documents,
        "quarantine": quarantine,
        "actors": actors,
        "mentions": mentions,
        "events": events,
    }
    return {name: _frame(TABLES_BY_NAME[name], pl.DataFrame(rows)) for name, rows in data.items()}


def _validate(table: str, frame: pl.DataFrame, tables: dict[str, pl.DataFrame] | None = None):
    """Validate ``frame`` as the quality check of ``table`` does: derived columns, run-time domains."""
    tables = tables or _tables()
    if table == "documents":
        frame = with_document_checks(frame)
    elif table == "mentions":
        frame = with_mention_checks(frame, tables["documents"])
    elif table == "events":
        frame = with_event_checks(frame, tables["documents"])
    return validate_table(table, frame, domains=run_time_domains(tables["actors"]))


def _contract_failures(outcome) -> set[tuple[str, str]]:
    return {
        (result["expectation"], result["kwargs"].get("column"))
        for result in outcome.failures("critical")
        if result["origin"] == "contract"
    }


def test_event_domains_follow_the_ontology() -> None:
    ontology = load_event_lexicon().ontology
    generated = contract_expectations(EVENTS, run_time_domains(_tables()["actors"]))
    sets = {
        e["kwargs"]["column"]: set(e["kwargs"]["value_set"])
        for e in generated
        if e["type"] == "expect_column_values_to_be_in_set"
    }
    assert sets["event_type"] == set(PLOVER_TYPES) == set(ontology)
    assert sets["event_mode"] == {mode for t in ontology.values() for mode in t.modes}
    assert sets["source_country"] == sets["target_country"] == {"RUS", "BLR"}
    assert sets["source_actor_id"] == sets["target_actor_id"] == {"Q159", "Q184"}


def test_a_missing_run_time_domain_is_an_error() -> None:
    with pytest.raises(ValueError, match="actor_ids"):
        contract_expectations(MENTIONS, {"actor_codes": ["RUS"]})
    assert contract_expectations(QUARANTINE)  # names no run-time domain


@pytest.mark.parametrize("table", [t.name for t in PUBLISHED_TABLES])
def test_a_good_table_passes_every_critical_expectation(table: str) -> None:
    tables = _tables()
    outcome = _validate(table, tables[table], tables)
    assert outcome.passed_blocking, outcome.failures("critical")
    origins = {result["origin"] for result in outcome.results}
    assert "contract" in origins
    assert ("suite" in origins) == bool(
        json.loads((SUITES_DIR / f"{table}.json").read_text())["expectations"]
    )


@pytest.mark.parametrize("table", PUBLISHED_TABLES, ids=lambda t: t.name)
def test_a_null_in_any_required_column_fails(table: Table) -> None:
    """One row per required column, null there and valid everywhere else (keys kept distinct):
    exactly the not-null expectations of the required columns fail."""
    tables = _tables()
    good = tables[table.name].row(0, named=True)
    required = [column.name for column in table.columns if column.required]
    rows = []
    for number, name in enumerate(required):
        row = dict(good)
        for column in table.columns:
            if table.is_unique(column):
                row[column.name] = f"{good[column.name]}-{number}"
        rows.append(row | {name: None})
    frame = pl.DataFrame(rows, schema=table.polars_schema)
    failed = _contract_failures(_validate(table.name, frame, tables))
    assert failed == {(NOT_NULL, name) for name in required}


def test_a_null_event_type_fails_the_events_check() -> None:
    tables = _tables()
    events = tables["events"].with_columns(pl.lit(None, pl.String).alias("event_type"))
    outcome = _validate("events", events, tables)
    assert not outcome.passed_blocking
    assert (NOT_NULL, "event_type") in {
        (result["expectation"], result["kwargs"].get("column")) for result in outcome.failures("critical")
    }


@pytest.mark.parametrize(
    ("table", "column", "value", "kind"),
    [
        ("events", "event_type", "HUG", "be_in_set"),
        ("events", "status", "rumoured", "be_in_set"),
        ("events", "date_precision", "week", "be_in_set"),
        ("events", "event_mode", "teleport", "be_in_set"),
        ("quarantine", "reason", "lost", "be_in_set"),
        ("mentions", "label", "PLACE", "be_in_set"),
        ("actors", "kind", "TRIBE", "be_in_set"),
        ("events", "target_country", "XYZ", "be_in_set"),  # well-formed, but no actor has it
        ("mentions", "country", "XYZ", "be_in_set"),
        ("events", "source_actor_id", "Q999", "be_in_set"),
        ("mentions", "actor_id", "Q999", "be_in_set"),
        ("events", "confidence", 1.5, "be_between"),
        ("events", "confidence", -0.1, "be_between"),
        ("events", "num_sources", 0, "be_between"),
        ("mentions", "char_start", -1, "be_between"),
        ("documents", "char_count", 0, "be_between"),
        ("documents", "duplicate_similarity", 1.2, "be_between"),
        ("events", "cameo_code", "07a", "match_regex"),
        ("events", "language", "deu", "match_regex"),
        ("documents", "language", "Deutsch", "match_regex"),
        ("actors", "wikidata_id", "159", "match_regex"),
        ("actors", "country", "RU", "match_regex"),
    ],
)
def test_a_value_outside_the_contract_fails(table: str, column: str, value, kind: str) -> None:
    tables = _tables()
    frame = tables[table]
    broken = frame.with_columns(pl.lit(value).cast(frame.schema[column]).alias(column))
    assert _contract_failures(_validate(table, broken, tables)) == {
        (f"expect_column_values_to_{kind}", column)
    }


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("events", "event_id"),
        ("mentions", "mention_id"),
        ("documents", "doc_id"),
        ("documents", "source_path"),
        ("quarantine", "source_path"),
        ("actors", "actor_id"),
    ],
)
def test_a_duplicate_key_fails(table: str, column: str) -> None:
    tables = _tables()
    contract = TABLES_BY_NAME[table]
    first = tables[table].head(1)
    others = [c.name for c in contract.columns if contract.is_unique(c) and c.name != column]
    second = first.with_columns(pl.col(name) + "-2" for name in others)
    failed = _contract_failures(_validate(table, pl.concat([first, second]), tables))
    assert failed == {("expect_column_values_to_be_unique", column)}


@pytest.mark.parametrize(
    ("column", "value", "failing"),
    [
        ("event_date", date(3024, 1, 1), "check_date_in_range"),
        ("evidence", "Russland lieferte Panzer.", "check_evidence_at_offsets"),
        ("target_country", "RUS", "check_distinct_dyad"),
    ],
)
def test_a_broken_event_fails_a_semantic_expectation(column: str, value, failing: str) -> None:
    tables = _tables()
    events = tables["events"]
    broken = events.with_columns(pl.lit(value).cast(events.schema[column]).alias(column))
    outcome = _validate("events", broken, tables)
    suite = {r["kwargs"].get("column") for r in outcome.failures("critical") if r["origin"] == "suite"}
    assert suite == {failing}


def test_a_run_time_value_set_is_recorded_by_its_domain() -> None:
    tables = _tables()
    outcome = _validate("events", tables["events"], tables)
    recorded = {
        r["kwargs"]["column"]: r["kwargs"]["value_set"]
        for r in outcome.results
        if r["expectation"] == "expect_column_values_to_be_in_set" and r["origin"] == "contract"
    }
    assert recorded["source_actor_id"] == {"domain": "actor_ids", "values": 2}
    assert recorded["status"] == ["occurred", "announced", "planned"]


@pytest.mark.parametrize("table", PUBLISHED_TABLES, ids=lambda t: t.name)
def test_no_suite_expectation_repeats_a_contract_one(table: Table) -> None:
    generated = contract_expectations(table, run_time_domains(_tables()["actors"]))
    declared = json.loads((SUITES_DIR / f"{table.name}.json").read_text(encoding="utf-8"))["expectations"]
    pairs = {(e["type"], e["kwargs"].get("column")) for e in generated}
    assert not pairs & {(e["type"], e["kwargs"].get("column")) for e in declared}


def test_a_compound_key_is_unique_as_a_whole(tmp_path) -> None:
    pairs = Table(
        "pairs",
        "A table keyed by two columns.",
        (Column("a", pl.String, "first", True), Column("b", pl.String, "second", True)),
        primary_key=("a", "b"),
    )
    specs = contract_expectations(pairs)
    assert [(s["type"], s["kwargs"].get("column")) for s in specs if "unique" in s["type"]] == [
        ("expect_compound_columns_to_be_unique", None)
    ]
    assert [field_constraints(pairs, column) for column in pairs.columns] == [{"required": True}] * 2
    (tmp_path / "pairs.json").write_text(json.dumps({"expectations": specs}), encoding="utf-8")
    frame = pl.DataFrame({"a": ["x", "x", "y"], "b": ["1", "2", "1"]})
    assert validate_table("pairs", frame, tmp_path).passed_blocking
    repeated = validate_table("pairs", pl.concat([frame, frame.head(1)]), tmp_path)
    assert [r["expectation"] for r in repeated.failures("critical")] == [
        "expect_compound_columns_to_be_unique"
    ]


def _facts(specs: list[dict]) -> dict[str, dict]:
    """The generated expectations as Frictionless constraints, per column; value sets of run-time
    domains are left out (the datapackage cannot list them)."""
    facts: dict[str, dict] = {}
    for spec in specs:
        kwargs = spec["kwargs"]
        fact = facts.setdefault(kwargs["column"], {})
        match spec["type"].removeprefix("expect_column_values_to_"):
            case "not_be_null":
                fact["required"] = True
            case "be_unique":
                fact["unique"] = True
            case "be_in_set" if "domain" not in spec["meta"]:
                fact["enum"] = kwargs["value_set"]
            case "be_in_set":
                pass
            case "be_between":
                bounds = {"minimum": "min_value", "maximum": "max_value"}
                fact |= {name: kwargs[key] for name, key in bounds.items() if key in kwargs}
            case "match_regex":
                fact["pattern"] = kwargs["regex"].removeprefix("^").removesuffix("$")
            case other:
                raise AssertionError(f"the contract generated an unexpected {other}")
    return {column: fact for column, fact in facts.items() if fact}


def test_datapackage_constraints_are_the_checked_facts() -> None:
    domains = run_time_domains(_tables()["actors"])
    resources = {r["name"]: r for r in datapackage("test", {})["resources"]}
    for table in PUBLISHED_TABLES:
        facts = _facts(contract_expectations(table, domains))
        fields = {f["name"]: f.get("constraints", {}) for f in resources[table.name]["schema"]["fields"]}
        assert fields == {column.name: facts.get(column.name, {}) for column in table.columns}, table.name
    events = {f["name"]: f.get("constraints") for f in resources["events"]["schema"]["fields"]}
    assert events["confidence"] == {"required": True, "minimum": 0, "maximum": 1}
    assert events["event_type"] == {"required": True, "enum": list(PLOVER_TYPES)}
    assert events["target_country"] == {"required": True, "pattern": "[A-Z][A-Z0-9_]{1,15}"}
    assert events["trigger"] is None


def test_frictionless_reads_the_same_constraints(tmp_path) -> None:
    """The descriptor is valid Frictionless, good rows pass it, and a value the checks reject
    (confidence 1.5) is rejected by Frictionless too."""
    import frictionless

    tables = _tables()
    (tmp_path / "parquet").mkdir()
    (tmp_path / "datapackage.json").write_text(json.dumps(datapackage("test", {})), encoding="utf-8")
    for name, frame in tables.items():
        frame.write_parquet(tmp_path / "parquet" / f"{name}.parquet")
    package = frictionless.Package.from_descriptor(str(tmp_path / "datapackage.json"))
    for name in ("quarantine", "mentions", "events"):  # all-scalar tables (see tests/e2e)
        report = frictionless.validate(package.get_resource(name))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    tables["events"].with_columns(confidence=pl.lit(1.5)).write_parquet(
        tmp_path / "parquet" / "events.parquet"
    )
    report = frictionless.validate(package.get_resource("events"))
    assert report.flatten(["fieldName", "type"]) == [["confidence", "constraint-error"]]


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
    checked = derived.with_mention_checks(mentions, documents)
    # rows keep their order; unknown or missing documents and offsets past the end fail
    assert checked["check_text_at_offsets"].to_list() == [True, True, True, False, False, False, True]
    lazy = derived.with_mention_checks(mentions.lazy(), documents.lazy())
    assert isinstance(lazy, pl.LazyFrame)
    assert lazy.collect()["check_text_at_offsets"].to_list() == checked["check_text_at_offsets"].to_list()
