"""Ingest batches: partition keys, listing and conservation narrowed to one batch, the work store."""

import polars as pl
import pytest

from pipeline.lib.ingest.conservation import unaccounted_inputs
from pipeline.lib.ingest.inputs import list_input_files
from pipeline.lib.partitions import batch_key, in_batch, partition_of
from pipeline.lib.storage import WorkStore
from tests.lib.folders import two_batches


def test_partition_keys_follow_top_level_entries():
    assert partition_of("2026-11-23/outlet/a.txt") == "2026-11-23"
    assert partition_of("2026.11.23/a.txt") == "2026.11.23"  # a folder keeps its dots
    assert partition_of("dump.jsonl") == "dump"
    assert partition_of("dump.jsonl#12") == "dump"
    assert partition_of("story.txt") == partition_of("story.meta.json") == "story"
    assert batch_key("a...b", is_folder=True) == "a_b"  # Dagster refuses '...' in keys
    assert batch_key("x,y[1]", is_folder=True) == "x_y_1_"


def test_listing_and_conservation_narrowed_to_one_batch(tmp_path):
    folder = two_batches(tmp_path)
    files, _ = list_input_files(folder, ("README*",), in_batch("day-1"))
    assert [path.name for path in files] == ["a.txt", "b.jsonl"]
    accounted = {"day-1/a.txt", "day-1/b.jsonl#1"}
    assert unaccounted_inputs(folder, ("README*",), accounted, in_batch("day-1")) == ["day-1/b.jsonl#2"]


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
