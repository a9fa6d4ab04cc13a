"""Adopt the batches of a work store written before the raw archive existed.

Earlier versions kept, per batch, a record ``partitions/<key>.json`` (with the input folder it was
built from) and the decoded raw tables ``tables/raw_documents/<key>.parquet`` and
``tables/raw_quarantine/<key>.parquet``, but not the inputs themselves: a batch whose files had
left the folder could not be rebuilt. On the first run after the upgrade, each such batch of the
run's input folder is adopted into the archive from its raw tables (each document's decoded text
and metadata, each quarantine row's reason) and marked pending, so it is rebuilt from the archive
like any other batch and its rows stay in the release. Files still in the folder are read again
from their bytes and replace the adopted rows (their hashes are marked as legacy).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import polars as pl

from pipeline.lib.batches import PENDING, write_state
from pipeline.lib.ingest.archive import RawArchive
from pipeline.lib.ingest.inputs import REFUSED, InputRecord
from pipeline.lib.storage import WorkStore

LEGACY_RECORDS = "partitions"
LEGACY_HASH = "legacy:"  # input_sha256 of adopted rows: never equal to a file's hash
_NOTE = "adopted from the raw tables of an earlier version"


def _table(store: WorkStore, asset: str, key: str) -> pl.DataFrame | None:
    relative = f"tables/{asset}/{key}.parquet"
    return store.read_table(relative) if store.exists(relative) else None


def legacy_records(
    raw: pl.DataFrame | None, quarantine: pl.DataFrame | None
) -> Iterator[tuple[InputRecord, datetime]]:
    """Archive records (and when each was read) from an earlier version's raw tables of a batch."""
    for row in raw.iter_rows(named=True) if raw is not None else ():
        metadata = {key: value for key, value in (row["metadata"] or {}).items() if value is not None}
        payload = row["body"].encode("utf-8")
        sidecar = (
            json.dumps(metadata, ensure_ascii=False, sort_keys=True).encode("utf-8") if metadata else None
        )
        digest = hashlib.sha256(payload + b"\0" + (sidecar or b"")).hexdigest()
        record = InputRecord(
            row["source_path"],
            row["input_file"] or row["source_path"],
            LEGACY_HASH + (row["input_sha256"] or ""),
            row["body_format"] if row["body_format"] in ("text", "html") else "text",
            row["content_sha256"],
            digest,
            payload,
            sidecar,
        )
        yield record, row["ingested_at"]
    for row in quarantine.iter_rows(named=True) if quarantine is not None else ():
        record = InputRecord(
            row["source_path"],
            row.get("input_file") or row["source_path"],
            LEGACY_HASH + (row.get("input_sha256") or ""),
            REFUSED,
            row["content_sha256"],
            reason=row["reason"],
            detail=row["detail"],
        )
        yield record, row["seen_at"]


def adopt_legacy_batches(store: WorkStore, input_dir: Path) -> list[str]:
    """Adopt the batches an earlier version built from ``input_dir`` (see the module docstring)."""
    archive, wanted, adopted = RawArchive(store), str(input_dir.resolve()), []
    held = set(archive.batches())
    for relative in store.list(LEGACY_RECORDS, ".json"):
        record = store.read_json(relative) or {}
        key = record.get("partition")
        if not key or record.get("input_dir") != wanted:
            continue
        if key not in held:
            raw, quarantine = _table(store, "raw_documents", key), _table(store, "raw_quarantine", key)
            if (raw is None or raw.is_empty()) and (quarantine is None or quarantine.is_empty()):
                store.remove(relative)
                continue
            archive.adopt(key, legacy_records(raw, quarantine))
            write_state(store, key, status=PENDING, note=_NOTE, stages={}, files={})
            adopted.append(key)
        store.remove(relative)
    return adopted
