"""The raw archive: every input the pipeline has accepted, kept in the work store for good.

Ingest copies each new or changed input of a batch into the archive, and every later stage is
derived from the archive, never from the input folder. So a landing folder may be emptied after
each run, and any rebuild (an upgrade, a changed lexicon, ``--full-refresh``) reprocesses the
whole archive, batches whose files left the folder included. Inputs leave the archive only when
their file changes (the new version replaces the old) or when they are forgotten on purpose
(:meth:`RawArchive.forget`, the ``alliance-events sources forget`` command), which is logged.

Layout below the work store (``<output>/_work`` or ``ALLIANCE_WORK_URL``)::

    archive/index/<batch>.parquet               one row per input (a file, or a JSONL line): its
                                                source path, content hashes, first and last seen
    archive/payloads/<batch>/<segment>.parquet  the bytes, addressed by record_sha256 (an article
                                                file with its sidecar, or a JSONL line); equal
                                                content is stored once per batch
    archive/forgotten.parquet                   the inputs forgotten on purpose, and when

Inputs refused before decoding (too large, unsupported type, unreadable, a sidecar without its
article) are indexed with their reason and without bytes, so their quarantine rows stay too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from pipeline.lib.ingest.inputs import (
    REFUSED,
    SIDECAR_SUFFIX,
    TEXT_SUFFIXES,
    InputRecord,
    Unchanged,
    read_input_records,
)
from pipeline.lib.storage import WorkStore

ROOT = "archive"
TIMESTAMP = pl.Datetime("us", "UTC")
INDEX_SCHEMA = {
    "source_path": pl.String,
    "input_file": pl.String,
    "input_sha256": pl.String,
    "kind": pl.String,
    "content_sha256": pl.String,
    "record_sha256": pl.String,
    "reason": pl.String,
    "detail": pl.String,
    "stored_bytes": pl.Int64,
    "input_dir": pl.String,
    "first_seen": TIMESTAMP,
    "accepted_at": TIMESTAMP,
    "last_seen": TIMESTAMP,
    "segment": pl.String,
}
PAYLOAD_SCHEMA = {"record_sha256": pl.String, "payload": pl.Binary, "sidecar": pl.Binary}
FORGOTTEN_SCHEMA = {
    "batch": pl.String,
    "source_path": pl.String,
    "input_file": pl.String,
    "content_sha256": pl.String,
    "first_seen": TIMESTAMP,
    "forgotten_at": TIMESTAMP,
    "note": pl.String,
}
SEGMENT_BYTES = 64 * 1024 * 1024  # payload bytes per segment file written at once
GARBAGE_SHARE = 0.5  # segments are rewritten when more than this share of their rows is unreferenced


@dataclass
class Acceptance:
    """What accepting the present files of one batch did."""

    new_files: list[str] = field(default_factory=list)
    changed_files: list[str] = field(default_factory=list)
    unchanged_files: list[str] = field(default_factory=list)
    read_records: int = 0  # inputs read from the folder (new or changed)
    read_articles: int = 0  # of which articles with bytes (not refused)
    records: int = 0  # rows of the batch's index afterwards

    @property
    def changed(self) -> bool:
        """Whether the batch's archived inputs changed."""
        return bool(self.new_files or self.changed_files)


def index_path(batch: str) -> str:
    """Where the index of ``batch`` is kept."""
    return f"{ROOT}/index/{batch}.parquet"


def _payload_folder(batch: str) -> str:
    return f"{ROOT}/payloads/{batch}"


def _stem(path: str) -> str:
    """'dir/x.txt' and 'dir/x.meta.json' -> 'dir/x': how a sidecar finds its article."""
    head, _, name = path.rpartition("/")
    return f"{head}/{name.split('.', 1)[0]}" if head else name.split(".", 1)[0]


class RawArchive:
    """The archive in one work store (see the module docstring)."""

    def __init__(self, store: WorkStore) -> None:
        self.store = store

    def batches(self) -> list[str]:
        """Batches with archived inputs, sorted."""
        return [Path(path).stem for path in self.store.list(f"{ROOT}/index", ".parquet")]

    def index(self, batch: str) -> pl.DataFrame:
        """The index of ``batch`` (empty when nothing is archived for it)."""
        if not self.store.exists(index_path(batch)):
            return pl.DataFrame(schema=INDEX_SCHEMA)
        return self.store.read_table(index_path(batch)).select(INDEX_SCHEMA.keys())

    def full_index(self, columns: Iterable[str] | None = None) -> pl.DataFrame:
        """The index of every batch, with a ``batch`` column."""
        chosen = list(columns or INDEX_SCHEMA)
        frames = [
            self.index(batch).select(chosen).with_columns(pl.lit(batch).alias("batch"))
            for batch in self.batches()
        ]
        empty = pl.DataFrame(schema={**{c: INDEX_SCHEMA[c] for c in chosen}, "batch": pl.String})
        return pl.concat([empty, *frames]) if frames else empty

    def accept(
        self, batch: str, files: list[Path], input_dir: Path, max_bytes: int, now: datetime
    ) -> Acceptance:
        """Archive the new or changed inputs among ``files`` (the batch's files now in the folder).

        A file whose hash (with its sidecar) is archived already is not read again; its rows get
        ``last_seen = now``. A changed file replaces every row it gave before. Rows of files no
        longer in the folder stay as they are.
        """
        old = self.index(batch)
        known = dict(old.select("input_file", "input_sha256").unique().iter_rows())
        outcome = Acceptance()
        rows: list[dict] = []
        writer = _SegmentWriter(self.store, _payload_folder(batch))
        stored = dict(
            old.filter(pl.col("segment").is_not_null()).select("record_sha256", "segment").iter_rows()
        )
        for record in read_input_records(files, input_dir, max_bytes, known):
            if isinstance(record, Unchanged):
                outcome.unchanged_files.append(record.input_file)
                continue
            segment = stored.get(record.record_sha256) if record.record_sha256 else None
            if record.payload is not None and segment is None:
                segment = stored[record.record_sha256] = writer.add(record)
            rows.append(_index_row(record, segment, str(input_dir.resolve()), now))
        writer.close()
        read = {row["input_file"] for row in rows}
        outcome.read_records = len(rows)
        outcome.read_articles = sum(1 for row in rows if row["kind"] != REFUSED)
        outcome.changed_files = sorted(read & set(known))
        outcome.new_files = sorted(read - set(known))
        present = {path.relative_to(input_dir).as_posix() for path in files}
        articles = {_stem(f) for f in present if Path(f).suffix.lower() in TEXT_SUFFIXES}
        # A sidecar indexed as an orphan whose article has arrived belongs to that article now.
        paired = {f for f in known if f.lower().endswith(SIDECAR_SUFFIX) and _stem(f) in articles}
        kept = old.filter(~pl.col("input_file").is_in(sorted(read | paired))).with_columns(
            pl.when(pl.col("input_file").is_in(outcome.unchanged_files))
            .then(pl.lit(now, TIMESTAMP))
            .otherwise(pl.col("last_seen"))
            .alias("last_seen")
        )
        archived_articles = {_stem(f) for f in kept.filter(pl.col("kind") != REFUSED)["input_file"].to_list()}
        # A sidecar whose article is archived (the article left the folder first) is no orphan.
        rows = [
            row
            for row in rows
            if not (row["reason"] == "orphan_metadata" and _stem(row["input_file"]) in archived_articles)
        ]
        new = pl.DataFrame(rows, schema=INDEX_SCHEMA)
        first_seen = old.select("source_path", pl.col("first_seen").alias("_first"))
        new = (
            new.join(first_seen, on="source_path", how="left")
            .with_columns(pl.coalesce("_first", "first_seen").alias("first_seen"))
            .drop("_first")
        )
        index = pl.concat([kept, new]).sort("source_path")
        outcome.records = index.height
        if outcome.changed or paired or outcome.unchanged_files or old.height != index.height:
            self._write_index(batch, index)
        if outcome.changed or paired:
            self.compact(batch)
        return outcome

    def adopt(self, batch: str, records: Iterable[tuple[InputRecord, datetime]]) -> int:
        """Archive ``records`` (each with when it was first accepted) as the inputs of ``batch``,
        which the archive does not hold yet; returns how many. For work stores of earlier versions
        (pipeline.lib.ingest.legacy)."""
        if self.store.exists(index_path(batch)):
            raise ValueError(f"the archive holds batch {batch} already")
        writer = _SegmentWriter(self.store, _payload_folder(batch))
        rows, stored = [], {}
        for record, accepted_at in records:
            segment = None
            if record.payload is not None:
                segment = stored.get(record.record_sha256)
                if segment is None:
                    segment = stored[record.record_sha256] = writer.add(record)
            rows.append({**_index_row(record, segment, "", accepted_at), "input_dir": None})
        writer.close()
        index = pl.DataFrame(rows, schema=INDEX_SCHEMA).unique("source_path", keep="last").sort("source_path")
        self._write_index(batch, index)
        return len(rows)

    def records(
        self, batch: str, index: pl.DataFrame | None = None
    ) -> Iterator[tuple[InputRecord, datetime]]:
        """Every archived input of ``batch`` with its bytes, and when this version was accepted."""
        index = self.index(batch) if index is None else index
        payloads: dict[str, tuple[bytes, bytes | None]] = {}
        wanted = index.filter(pl.col("segment").is_not_null())
        for (segment,), group in wanted.group_by("segment", maintain_order=True):
            shas = group["record_sha256"].unique()
            table = self.store.read_table(f"{_payload_folder(batch)}/{segment}")
            table = table.filter(pl.col("record_sha256").is_in(shas.implode()))
            payloads.update({sha: (payload, side) for sha, payload, side in table.iter_rows()})
        for row in index.iter_rows(named=True):
            payload, sidecar = (
                payloads.get(row["record_sha256"], (None, None)) if row["segment"] else (None, None)
            )
            if row["kind"] != REFUSED and payload is None:
                raise FileNotFoundError(
                    f"archive of batch {batch}: the bytes of {row['source_path']} are missing "
                    f"(segment {row['segment']})"
                )
            record = InputRecord(
                row["source_path"],
                row["input_file"],
                row["input_sha256"],
                row["kind"],
                row["content_sha256"],
                row["record_sha256"],
                payload,
                sidecar,
                row["reason"],
                row["detail"],
            )
            yield record, row["accepted_at"]

    def forget(self, batch: str, source_paths: Iterable[str], note: str, now: datetime) -> pl.DataFrame:
        """Remove ``source_paths`` of ``batch`` from the archive, bytes included, and log it.

        Returns the forgotten index rows. A batch left without inputs disappears from the archive.
        """
        index = self.index(batch)
        chosen = index.filter(pl.col("source_path").is_in(sorted(set(source_paths))))
        if chosen.is_empty():
            return chosen
        self.log_forgotten(chosen.with_columns(pl.lit(batch).alias("batch")), note, now)
        remaining = index.join(chosen.select("source_path"), on="source_path", how="anti")
        if remaining.is_empty():
            self.store.remove(index_path(batch))
            self.store.remove(_payload_folder(batch))
        else:
            self._write_index(batch, remaining)
            self.compact(batch, force=True)
        return chosen

    def log_forgotten(self, inputs: pl.DataFrame, note: str, now: datetime) -> None:
        """Add ``inputs`` (batch, source_path, input_file; content_sha256 and first_seen when
        known) to the log of inputs forgotten on purpose."""
        missing = [name for name in ("content_sha256", "first_seen") if name not in inputs.columns]
        log = inputs.with_columns(
            pl.lit(None, FORGOTTEN_SCHEMA[name]).alias(name) for name in missing
        ).select(
            "batch",
            "source_path",
            "input_file",
            "content_sha256",
            "first_seen",
            pl.lit(now, TIMESTAMP).alias("forgotten_at"),
            pl.lit(note).alias("note"),
        )
        self.store.write_table(pl.concat([self.forgotten(), log]), f"{ROOT}/forgotten.parquet", {})

    def forgotten(self) -> pl.DataFrame:
        """Every input forgotten on purpose, with the time and the note given."""
        relative = f"{ROOT}/forgotten.parquet"
        if not self.store.exists(relative):
            return pl.DataFrame(schema=FORGOTTEN_SCHEMA)
        return self.store.read_table(relative).select(FORGOTTEN_SCHEMA.keys())

    def compact(self, batch: str, force: bool = False) -> None:
        """Delete payload segments nothing refers to, and rewrite those mostly unreferenced (all
        with unreferenced bytes when ``force``: forgotten bytes must go)."""
        folder = _payload_folder(batch)
        index = self.index(batch)
        referenced = set(index["record_sha256"].drop_nulls().to_list())
        in_use = set(index["segment"].drop_nulls().to_list())
        rewrite, garbage, total = [], 0, 0
        for path in self.store.list(folder, ".parquet"):
            name = path.rsplit("/", 1)[1]
            if name not in in_use:
                self.store.remove(path)
                continue
            shas = self.store.read_table(path).select("record_sha256")["record_sha256"]
            unused = int((~shas.is_in(sorted(referenced))).sum())
            if unused:
                rewrite.append(name)
                garbage, total = garbage + unused, total + shas.len()
        if not rewrite or (not force and garbage <= GARBAGE_SHARE * total):
            return
        writer = _SegmentWriter(self.store, folder)
        moved: dict[str, str] = {}
        for name in rewrite:
            table = self.store.read_table(f"{folder}/{name}")
            for sha, payload, sidecar in table.filter(
                pl.col("record_sha256").is_in(sorted(referenced))
            ).iter_rows():
                if sha not in moved:
                    moved[sha] = writer.add_bytes(sha, payload, sidecar)
        writer.close()
        updated = index.with_columns(
            pl.when(pl.col("segment").is_in(rewrite))
            .then(pl.col("record_sha256").replace_strict(moved, default=None))
            .otherwise(pl.col("segment"))
            .alias("segment")
        )
        self._write_index(batch, updated)
        for name in rewrite:
            self.store.remove(f"{folder}/{name}")

    def _write_index(self, batch: str, index: pl.DataFrame) -> None:
        self.store.write_table(index.select(INDEX_SCHEMA.keys()), index_path(batch), {})


def _index_row(record: InputRecord, segment: str | None, input_dir: str, now: datetime) -> dict:
    size = len(record.payload or b"") + len(record.sidecar or b"")
    return {
        "source_path": record.source_path,
        "input_file": record.input_file,
        "input_sha256": record.input_sha256,
        "kind": record.kind,
        "content_sha256": record.content_sha256,
        "record_sha256": record.record_sha256,
        "reason": record.reason,
        "detail": record.detail,
        "stored_bytes": size if segment else 0,
        "input_dir": input_dir,
        "first_seen": now,
        "accepted_at": now,
        "last_seen": now,
        "segment": segment,
    }


class _SegmentWriter:
    """Writes payload rows into segment files of about SEGMENT_BYTES each."""

    def __init__(self, store: WorkStore, folder: str) -> None:
        self.store, self.folder = store, folder
        self.rows: list[tuple[str, bytes, bytes | None]] = []
        self.size = 0
        self.name = self._new_name()

    @staticmethod
    def _new_name() -> str:
        return f"{uuid.uuid4().hex}.parquet"

    def add(self, record: InputRecord) -> str:
        """Queue the bytes of ``record``; returns the segment they will be in."""
        return self.add_bytes(record.record_sha256 or "", record.payload or b"", record.sidecar)

    def add_bytes(self, sha: str, payload: bytes, sidecar: bytes | None) -> str:
        """Queue bytes under their content address; returns the segment they will be in."""
        if self.size >= SEGMENT_BYTES:
            self._flush()
        self.rows.append((sha, payload, sidecar))
        self.size += len(payload) + len(sidecar or b"")
        return self.name

    def _flush(self) -> None:
        if self.rows:
            frame = pl.DataFrame(self.rows, schema=PAYLOAD_SCHEMA, orient="row")
            self.store.write_table(frame, f"{self.folder}/{self.name}", {})
        self.rows, self.size, self.name = [], 0, self._new_name()

    def close(self) -> None:
        """Write what is queued."""
        self._flush()
