"""The bytes of the raw archive: payload segments of one batch, addressed by content.

A segment is a Parquet file of (record_sha256, payload, sidecar) rows written at once, about
SEGMENT_BYTES of bytes; the batch's index names, for each input, the segment that holds its bytes.
Equal content is stored once per batch. Bytes that no input refers to any more (a file's earlier
version, a forgotten input) are dropped by :func:`compacted`: segments without a referenced row
go, and segments mostly of garbage (all that hold any, when forgotten bytes must go) are rewritten.
"""

from __future__ import annotations

import uuid

import polars as pl

from pipeline.lib.ingest.inputs import InputRecord
from pipeline.lib.storage import WorkStore

PAYLOAD_SCHEMA = {"record_sha256": pl.String, "payload": pl.Binary, "sidecar": pl.Binary}
SEGMENT_BYTES = 64 * 1024 * 1024  # payload bytes per segment file written at once
GARBAGE_SHARE = 0.5  # segments are rewritten when more than this share of their rows is unreferenced


def stored_segments(index: pl.DataFrame) -> dict[str, str]:
    """record_sha256 -> the segment holding those bytes, as ``index`` says."""
    held = index.filter(pl.col("segment").is_not_null())
    return dict(held.select("record_sha256", "segment").iter_rows())


class SegmentWriter:
    """Writes payload rows into new segment files of ``folder``, each bytes once."""

    def __init__(self, store: WorkStore, folder: str, stored: dict[str, str] | None = None) -> None:
        self.target, self.folder = store, folder
        self.stored = dict(stored or {})  # content address -> segment, kept or written
        self.rows: list[tuple[str, bytes, bytes | None]] = []
        self.size = 0
        self.name = self._new_name()

    @staticmethod
    def _new_name() -> str:
        return f"{uuid.uuid4().hex}.parquet"

    def holding(self, record: InputRecord) -> str | None:
        """The segment holding ``record``'s bytes (queued when not stored yet); None without bytes."""
        if record.payload is None:
            return None
        return self.add_bytes(record.record_sha256 or "", record.payload, record.sidecar)

    def add_bytes(self, sha: str, payload: bytes, sidecar: bytes | None) -> str:
        """The segment holding these bytes under their content address, queued when new."""
        if sha in self.stored:
            return self.stored[sha]
        if self.size >= SEGMENT_BYTES:
            self._flush()
        self.rows.append((sha, payload, sidecar))
        self.size += len(payload) + len(sidecar or b"")
        self.stored[sha] = self.name
        return self.name

    def _flush(self) -> None:
        if self.rows:
            frame = pl.DataFrame(self.rows, schema=PAYLOAD_SCHEMA, orient="row")
            self.target.write_table(frame, f"{self.folder}/{self.name}", {})
        self.rows, self.size, self.name = [], 0, self._new_name()

    def close(self) -> None:
        """Write what is queued."""
        self._flush()


def read_payloads(
    store: WorkStore, folder: str, index: pl.DataFrame
) -> dict[str, tuple[bytes, bytes | None]]:
    """record_sha256 -> (payload, sidecar) of the inputs of ``index`` that have bytes."""
    payloads: dict[str, tuple[bytes, bytes | None]] = {}
    wanted = index.filter(pl.col("segment").is_not_null())
    for (segment,), group in wanted.group_by("segment", maintain_order=True):
        table = store.read_table(f"{folder}/{segment}")
        table = table.filter(pl.col("record_sha256").is_in(group["record_sha256"].unique().implode()))
        payloads.update({sha: (payload, sidecar) for sha, payload, sidecar in table.iter_rows()})
    return payloads


def compacted(store: WorkStore, folder: str, index: pl.DataFrame, force: bool = False) -> pl.DataFrame | None:
    """``index`` with its referenced bytes moved out of segments that hold unreferenced ones, when
    more than GARBAGE_SHARE of their rows is (or any is, when ``force``); None when nothing moves.
    Write the returned index, then :func:`remove_unused`."""
    referenced = sorted(set(index["record_sha256"].drop_nulls().to_list()))
    in_use = set(index["segment"].drop_nulls().to_list())
    rewrite, garbage, total = [], 0, 0
    for path in store.list(folder, ".parquet"):
        name = path.rsplit("/", 1)[1]
        if name not in in_use:
            continue
        shas = store.read_table(path).select("record_sha256")["record_sha256"]
        unused = int((~shas.is_in(referenced)).sum())
        if unused:
            rewrite.append(name)
            garbage, total = garbage + unused, total + shas.len()
    if not rewrite or (not force and garbage <= GARBAGE_SHARE * total):
        return None
    writer = SegmentWriter(store, folder)
    moved: dict[str, str] = {}
    for name in rewrite:
        table = store.read_table(f"{folder}/{name}").filter(pl.col("record_sha256").is_in(referenced))
        for sha, payload, sidecar in table.iter_rows():
            moved[sha] = writer.add_bytes(sha, payload, sidecar)
    writer.close()
    return index.with_columns(
        pl.when(pl.col("segment").is_in(rewrite))
        .then(pl.col("record_sha256").replace_strict(moved, default=None))
        .otherwise(pl.col("segment"))
        .alias("segment")
    )


def remove_unused(store: WorkStore, folder: str, index: pl.DataFrame) -> None:
    """Delete the segments of ``folder`` that ``index`` does not name."""
    in_use = set(index["segment"].drop_nulls().to_list())
    for path in store.list(folder, ".parquet"):
        if path.rsplit("/", 1)[1] not in in_use:
            store.remove(path)
