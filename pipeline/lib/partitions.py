"""Ingest batches: how the input folder is cut into partitions, and which of them need a run.

Each top-level entry of the input folder is one batch, and one Dagster partition: a folder (for
example one per crawl day, ``2026-11-23/``) or a file together with its sidecar (``dump.jsonl``,
``article.txt`` + ``article.meta.json``) is processed, stored and re-run on its own. The stages up
to event coding run per partition; publishing combines every complete partition of the folder.

A partition's record (``partitions/<key>.json`` in the work store) says which input folder and
pipeline fingerprint it was built for, and the signature of its files (names, sizes, mtimes), so
a run can skip the partitions whose files did not change and redo one that failed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.lib.ingest.inputs import list_input_files
from pipeline.lib.storage import WorkStore

PARTITIONS_NAME = "ingest_batches"
RECORDS = "partitions"
# Dagster refuses these in partition keys.
_INVALID_IN_KEYS = ("...", "\a", "\b", "\f", "\n", "\r", "\t", "\v", "\0", ",", "[", "]")
INGESTED, COMPLETE = "ingested", "complete"


def batch_key(name: str, is_folder: bool) -> str:
    """The partition key of a top-level entry of the input folder.

    A folder is its own batch under its name; a top-level file is one too, named without its
    suffixes, so that a sidecar (``x.meta.json``) joins its document (``x.txt``).
    """
    if not is_folder and not name.startswith("."):
        name = name.split(".", 1)[0]
    for bad in _INVALID_IN_KEYS:
        name = name.replace(bad, "_")
    return name or "_"


def partition_of(relative_path: str) -> str:
    """The partition key of an input file, given by its path relative to the input folder."""
    head, _, rest = relative_path.partition("/")
    return batch_key(head, is_folder=bool(rest))


def in_batch(key: str) -> Callable[[Path], bool]:
    """A filter of top-level entries of the input folder: those of partition ``key``."""
    return lambda entry: batch_key(entry.name, entry.is_dir()) == key


@dataclass(frozen=True)
class Batch:
    """The input files of one partition and their signature."""

    key: str
    files: tuple[Path, ...]
    signature: str


def input_batches(input_dir: Path, ignore_patterns: tuple[str, ...]) -> dict[str, Batch]:
    """The partitions of ``input_dir``: key -> its files (documentation files left out)."""
    files, _ = list_input_files(input_dir, ignore_patterns)
    grouped: dict[str, list[Path]] = {}
    for path in files:
        grouped.setdefault(partition_of(path.relative_to(input_dir).as_posix()), []).append(path)
    return {
        key: Batch(key, tuple(paths), files_signature(paths, input_dir))
        for key, paths in sorted(grouped.items())
    }


def files_signature(paths: list[Path], input_dir: Path) -> str:
    """A hash of the files' relative names, sizes and modification times."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        stat = path.stat()
        digest.update(
            f"{path.relative_to(input_dir).as_posix()}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode()
        )
    return digest.hexdigest()[:32]


def record_path(key: str) -> str:
    """Where the record of partition ``key`` is kept in the work store."""
    return f"{RECORDS}/{key}.json"


def write_record(
    store: WorkStore, key: str, state: str, input_dir: Path, fingerprint: str, signature: str
) -> None:
    """Record that partition ``key`` reached ``state`` for these inputs and this pipeline."""
    store.write_json(
        record_path(key),
        {
            "partition": key,
            "state": state,
            "input_dir": str(input_dir.resolve()),
            "fingerprint": fingerprint,
            "signature": signature,
            "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )


def records_for(store: WorkStore, input_dir: Path, fingerprint: str) -> dict[str, dict]:
    """key -> record of every partition built from ``input_dir`` by this pipeline fingerprint."""
    wanted = str(input_dir.resolve())
    records = {}
    for relative in store.list(RECORDS, ".json"):
        record = store.read_json(relative)
        if record and record.get("input_dir") == wanted and record.get("fingerprint") == fingerprint:
            records[record["partition"]] = record
    return records


def stale_batches(batches: dict[str, Batch], records: dict[str, dict]) -> list[str]:
    """Keys of the batches that need a run: new, changed, or not complete (a failed run)."""
    return [
        key
        for key, batch in batches.items()
        if records.get(key, {}).get("state") != COMPLETE or records[key].get("signature") != batch.signature
    ]
