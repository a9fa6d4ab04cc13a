"""Ingest batches: partition keys, batch signatures, partition records and the work store."""

import os

import polars as pl
import pytest

from pipeline.lib.ingest.conservation import unaccounted_inputs
from pipeline.lib.ingest.inputs import list_input_files
from pipeline.lib.partitions import (
    COMPLETE,
    INGESTED,
    batch_key,
    in_batch,
    input_batches,
    partition_of,
    records_for,
    stale_batches,
    write_record,
)
from pipeline.lib.storage import WorkStore


def test_partition_keys_follow_top_level_entries():
    assert partition_of("2026-11-23/outlet/a.txt") == "2026-11-23"
    assert partition_of("2026.11.23/a.txt") == "2026.11.23"  # a folder keeps its dots
    assert partition_of("dump.jsonl") == "dump"
    assert partition_of("story.txt") == partition_of("story.meta.json") == "story"
    assert batch_key("a...b", is_folder=True) == "a_b"  # Dagster refuses '...' in keys
    assert batch_key("x,y[1]", is_folder=True) == "x_y_1_"


def _folder(tmp_path):
    (tmp_path / "day-1").mkdir(parents=True)
    (tmp_path / "day-1" / "a.txt").write_text("eins", encoding="utf-8")
    (tmp_path / "day-1" / "b.jsonl").write_text('{"text": "x"}\n{"text": "y"}\n', encoding="utf-8")
    (tmp_path / "loose.txt").write_text("zwei", encoding="utf-8")
    (tmp_path / "loose.meta.json").write_text("{}", encoding="utf-8")
    (tmp_path / "README.md").write_text("docs", encoding="utf-8")
    return tmp_path


def test_batches_of_a_folder_and_their_signatures(tmp_path):
    folder = _folder(tmp_path)
    batches = input_batches(folder, ("README*",))
    assert sorted(batches) == ["day-1", "loose"]
    assert [path.name for path in batches["loose"].files] == ["loose.meta.json", "loose.txt"]
    before = batches["day-1"].signature
    (folder / "day-1" / "a.txt").write_text("eins, geändert", encoding="utf-8")
    after = input_batches(folder, ("README*",))
    assert after["day-1"].signature != before and after["loose"].signature == batches["loose"].signature
    assert input_batches(folder / "missing", ()) == {}


def test_listing_and_conservation_narrowed_to_one_batch(tmp_path):
    folder = _folder(tmp_path)
    files, _ = list_input_files(folder, ("README*",), in_batch("day-1"))
    assert [path.name for path in files] == ["a.txt", "b.jsonl"]
    accounted = {"day-1/a.txt", "day-1/b.jsonl#1"}
    assert unaccounted_inputs(folder, ("README*",), accounted, in_batch("day-1")) == ["day-1/b.jsonl#2"]


def test_stale_batches_are_new_changed_or_unfinished(tmp_path):
    folder = _folder(tmp_path / "in")
    store = WorkStore(str(tmp_path / "work"))
    batches = input_batches(folder, ("README*",))
    assert stale_batches(batches, records_for(store, folder, "fp")) == ["day-1", "loose"]
    write_record(store, "day-1", COMPLETE, folder, "fp", batches["day-1"].signature)
    write_record(store, "loose", INGESTED, folder, "fp", batches["loose"].signature)
    assert stale_batches(batches, records_for(store, folder, "fp")) == ["loose"]
    # another pipeline version or another input folder does not count
    assert stale_batches(batches, records_for(store, folder, "other")) == ["day-1", "loose"]
    assert records_for(store, tmp_path / "elsewhere", "fp") == {}
    stat = (folder / "day-1" / "a.txt").stat()
    os.utime(folder / "day-1" / "a.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert stale_batches(input_batches(folder, ("README*",)), records_for(store, folder, "fp")) == [
        "day-1",
        "loose",
    ]


@pytest.mark.parametrize("url", ["local", "memory://alliance-test-store"])
def test_work_store_round_trips_tables_and_records(tmp_path, url):
    store = WorkStore(str(tmp_path / "store") if url == "local" else url)
    frame = pl.DataFrame({"doc_id": ["a"], "docbin": [b"\x00\xff"]})
    store.write_table(frame, "tables/x/batch.parquet", {b"k": b"v"})
    assert store.read_table("tables/x/batch.parquet").equals(frame)
    assert store.table_metadata("tables/x/batch.parquet")[b"k"] == b"v"
    assert store.table_metadata("tables/x/none.parquet") is None
    store.write_json("records/a.json", {"state": "complete"})
    assert store.read_json("records/a.json") == {"state": "complete"}
    assert store.list("records", ".json") == ["records/a.json"]
    assert store.list("tables/x") == ["tables/x/batch.parquet"]  # no temporary files left behind
    store.remove("tables/x")
    assert not store.exists("tables/x/batch.parquet") and store.list("tables/x") == []
