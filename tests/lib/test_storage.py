"""The work store: tables written whole, streamed, or combined out of core by DuckDB."""

from datetime import UTC, date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipeline.lib import storage
from pipeline.lib.storage import SortedCombination, WorkStore

FOOTER = {b"alliance.fingerprint": b"abc", b"alliance.input_dir": b"/data/it's here"}
STRUCT = pl.Struct({"line": pl.Int32, "reason": pl.String, "text": pl.String})


def _batch(ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "doc_id": ids,
            "text": [f"Текст {i}" for i in ids],
            "published_date": [date(2024, 1, len(i)) for i in ids],
            "ingested_at": [datetime(2024, 1, 1, tzinfo=UTC)] * len(ids),
            "minhash": [i.encode() for i in ids],
            "removed_lines": [[{"line": 1, "reason": "menu", "text": i}] for i in ids],
            "duplicate_of": [None] * len(ids),
        },
        schema_overrides={"removed_lines": pl.List(STRUCT), "duplicate_of": pl.String},
    )


def _stored(store: WorkStore) -> tuple[str, ...]:
    batches = {"b1": ["d5", "d1"], "b2": ["d3"], "b3": ["d4", "d2", "d0"]}
    for key, ids in batches.items():
        store.write_table(_batch(sorted(ids)), f"tables/docs/{key}.parquet", FOOTER)
    return tuple(f"tables/docs/{key}.parquet" for key in batches)


@pytest.mark.parametrize("range_bytes", [1, 1 << 30])
def test_sorted_combination_by_key_ranges_equals_in_memory(tmp_path, monkeypatch, range_bytes: int) -> None:
    """Written a key range at a time (one row each with range_bytes=1), or in one piece in a
    remote store: the same sorted table, types and footer."""
    monkeypatch.setattr(storage, "COMBINE_RANGE_BYTES", range_bytes)
    local, remote = WorkStore(str(tmp_path)), WorkStore(f"memory://alliance-combination-{range_bytes}")
    replace = pl.DataFrame({"doc_id": ["d3", "d4"], "duplicate_of": ["d1", "d1"]})
    keep = pl.DataFrame({"doc_id": ["d0", "d1", "d3", "d4", "d5"]})
    results = []
    for store in (local, remote):
        combination = SortedCombination(_stored(store), "doc_id", {}, keep=keep, replace=replace)
        assert store.write_combination(combination, "tables/all.parquet", FOOTER) == 5
        assert store.table_metadata("tables/all.parquet")[b"alliance.input_dir"] == b"/data/it's here"
        results.append(store.read_table("tables/all.parquet"))
    out_of_core, in_memory = results
    assert_frame_equal(out_of_core, in_memory)
    assert out_of_core.schema == _batch(["d9"]).schema
    assert out_of_core["doc_id"].to_list() == ["d0", "d1", "d3", "d4", "d5"]
    assert out_of_core["duplicate_of"].to_list() == [None, None, "d1", "d1", None]


def test_combination_of_no_tables_is_empty_with_its_schema(tmp_path) -> None:
    store = WorkStore(str(tmp_path))
    schema = {"doc_id": pl.String, "n": pl.Int64}
    assert store.write_combination(SortedCombination((), "doc_id", schema), "tables/x.parquet", FOOTER) == 0
    assert store.read_table("tables/x.parquet").schema == pl.Schema(schema)


def test_stored_tables_are_scanned_lazily(tmp_path) -> None:
    store = WorkStore(str(tmp_path))
    frame = _batch(["d1", "d2", "d3"])
    assert store.write_table(frame, "tables/t.parquet", FOOTER) == 3
    assert store.table_metadata("tables/t.parquet")[b"alliance.fingerprint"] == b"abc"
    scanned = store.scan_table("tables/t.parquet")
    assert isinstance(scanned, pl.LazyFrame)
    assert_frame_equal(
        scanned.filter(pl.col("doc_id") != "d2").collect(), frame.filter(pl.col("doc_id") != "d2")
    )
    with pytest.raises(FileNotFoundError):
        store.scan_table("tables/missing.parquet")


def test_rows_without_a_key_are_kept(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(storage, "COMBINE_RANGE_BYTES", 1)
    store = WorkStore(str(tmp_path))
    frame = pl.DataFrame({"k": ["b", None, "a", "c", None], "v": [1, 2, 3, 4, 5]})
    store.write_table(frame, "tables/one/x.parquet", FOOTER)
    combination = SortedCombination(("tables/one/x.parquet",), "k", {})
    assert store.write_combination(combination, "tables/all.parquet", FOOTER) == 5
    assert store.read_table("tables/all.parquet")["k"].to_list() == [None, None, "a", "b", "c"]
