"""The raw archive: accepting a folder's inputs, decoding them back, replacing and forgetting them."""

import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from pipeline.lib.ingest.archive import RawArchive
from pipeline.lib.ingest.inputs import decode_record, list_input_files, read_inputs
from pipeline.lib.storage import WorkStore

GERMAN = "Die Präsidenten Russlands und Weißrusslands unterzeichneten den Vertrag über Sicherheitsgarantien."
T0 = datetime(2026, 11, 1, 8, tzinfo=UTC)


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def _accept(archive: RawArchive, folder: Path, when: datetime, max_bytes: int = 2000):
    files, _ = list_input_files(folder)
    return archive.accept("day", files, folder, max_bytes, when)


def _decoded(archive: RawArchive) -> dict[str, dict]:
    rows = {}
    for record, accepted_at in archive.records("day"):
        for row in decode_record(record, accepted_at):
            item = asdict(row)
            rows[item["source_path"]] = item
    return rows


def _stored_shas(store: WorkStore) -> list[str]:
    return sorted(
        sha
        for path in store.list("archive/payloads/day", ".parquet")
        for sha in store.read_table(path)["record_sha256"].to_list()
    )


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    _write(folder, "a.txt", GERMAN)
    _write(folder, "a.meta.json", json.dumps({"outlet": "X", "published": "2026-10-30"}))
    _write(folder, "feed.jsonl", "\n".join([json.dumps({"text": GERMAN + " Eins."}), "{broken"]) + "\n")
    _write(folder, "big.txt", "x" * 5000)
    _write(folder, "scan.pdf", b"%PDF-1.7")
    return folder


def _archived(tmp_path: Path) -> tuple[Path, WorkStore, RawArchive]:
    """The input folder of _folder, accepted into an archive at T0."""
    folder = _folder(tmp_path)
    store = WorkStore(str(tmp_path / "work"))
    archive = RawArchive(store)
    _accept(archive, folder, T0)
    return folder, store, archive


def test_archived_inputs_decode_as_the_folder_does(tmp_path):
    folder = _folder(tmp_path)
    archive = RawArchive(WorkStore(str(tmp_path / "work")))
    accepted = _accept(archive, folder, T0)
    assert (
        accepted.new_files == ["a.txt", "big.txt", "feed.jsonl", "scan.pdf"] and accepted.read_articles == 3
    )
    index = archive.index("day")
    assert index["source_path"].to_list() == ["a.txt", "big.txt", "feed.jsonl#1", "feed.jsonl#2", "scan.pdf"]
    refused = index.filter(pl.col("kind") == "refused")
    assert dict(refused.select("source_path", "reason").iter_rows()) == {
        "big.txt": "too_large",
        "scan.pdf": "unsupported_type",
    }
    assert refused["segment"].null_count() == 2 and refused["stored_bytes"].sum() == 0  # no bytes kept
    files, _ = list_input_files(folder)
    direct = {asdict(r)["source_path"]: asdict(r) for r in read_inputs(files, folder, 2000, now=T0)}
    assert _decoded(archive) == direct
    assert _decoded(archive)["a.txt"]["metadata"] == {"outlet": "X", "published": "2026-10-30"}


def test_unchanged_files_are_not_stored_again_and_files_that_left_stay(tmp_path):
    folder, store, archive = _archived(tmp_path)
    stored = _stored_shas(store)
    again = _accept(archive, folder, T0 + timedelta(days=1))
    assert not again.changed and again.unchanged_files == ["a.txt", "big.txt", "feed.jsonl", "scan.pdf"]
    assert _stored_shas(store) == stored
    index = archive.index("day")
    assert set(index["last_seen"]) == {T0 + timedelta(days=1)} and set(index["first_seen"]) == {T0}
    for path in list(folder.iterdir()):
        path.unlink()
    emptied = _accept(archive, folder, T0 + timedelta(days=2))
    assert emptied.records == 5 and archive.index("day").equals(index)
    assert set(_decoded(archive)) == {"a.txt", "big.txt", "feed.jsonl#1", "feed.jsonl#2", "scan.pdf"}


def test_a_changed_file_replaces_its_rows_and_its_old_bytes_go(tmp_path):
    folder, store, archive = _archived(tmp_path)
    old_sha = archive.index("day").filter(pl.col("source_path") == "a.txt")["record_sha256"].item()
    _write(folder, "a.txt", GERMAN + " Nachtrag.")
    (folder / "feed.jsonl").write_text(  # one line fixed, one line added; line 1 unchanged
        "\n".join([json.dumps({"text": GERMAN + " Eins."}), json.dumps({"text": GERMAN + " Zwei."})]) + "\n"
    )
    accepted = _accept(archive, folder, T0 + timedelta(hours=1))
    assert accepted.changed_files == ["a.txt", "feed.jsonl"]
    row = archive.index("day").filter(pl.col("source_path") == "a.txt").row(0, named=True)
    assert row["first_seen"] == T0 and row["accepted_at"] == T0 + timedelta(hours=1)
    decoded = _decoded(archive)
    assert decoded["a.txt"]["body"].endswith("Nachtrag.") and decoded["feed.jsonl#2"]["body"].endswith(
        "Zwei."
    )
    assert old_sha not in _stored_shas(store)  # more than half the old segment was garbage: rewritten
    assert len(_stored_shas(store)) == len(set(_stored_shas(store)))


def test_a_sidecar_finds_its_article_in_either_order(tmp_path):
    folder = tmp_path / "in"
    archive = RawArchive(WorkStore(str(tmp_path / "work")))
    _write(folder, "b.meta.json", json.dumps({"outlet": "Y"}))
    _accept(archive, folder, T0)
    assert archive.index("day")["reason"].to_list() == ["orphan_metadata"]
    _write(folder, "b.txt", GERMAN)
    _accept(archive, folder, T0 + timedelta(hours=1))
    assert archive.index("day")["source_path"].to_list() == ["b.txt"]  # the orphan row has gone
    assert _decoded(archive)["b.txt"]["metadata"] == {"outlet": "Y"}
    (folder / "b.txt").unlink()  # the article leaves first: its sidecar alone is no orphan
    _accept(archive, folder, T0 + timedelta(hours=2))
    assert archive.index("day")["source_path"].to_list() == ["b.txt"]


def test_forgetting_removes_rows_and_bytes_and_logs_them(tmp_path):
    _, store, archive = _archived(tmp_path)
    sha = archive.index("day").filter(pl.col("source_path") == "a.txt")["record_sha256"].item()
    forgotten = archive.forget("day", ["a.txt"], "takedown request", T0 + timedelta(days=3))
    assert forgotten["source_path"].to_list() == ["a.txt"]
    assert "a.txt" not in archive.index("day")["source_path"].to_list()
    assert sha not in _stored_shas(store)
    log = archive.forgotten()
    assert log.select("batch", "source_path", "note").rows() == [("day", "a.txt", "takedown request")]
    archive.forget("day", archive.index("day")["source_path"].to_list(), "retention", T0 + timedelta(days=4))
    assert archive.batches() == [] and store.list("archive/payloads/day") == []
    assert archive.forgotten().height == 5
