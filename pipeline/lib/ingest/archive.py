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
                                                content is stored once per batch (segments.py)
    archive/forgotten.parquet                   the inputs forgotten on purpose, and when

Inputs refused before decoding (too large, unsupported type, unreadable, a sidecar without its
article) are indexed with their reason and without bytes, so their quarantine rows stay too.
"""

from __future__ import annotations

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
from pipeline.lib.ingest.segments import (
    SegmentWriter,
    compacted,
    read_payloads,
    remove_unused,
    stored_segments,
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
FORGOTTEN_SCHEMA = {
    "batch": pl.String,
    "source_path": pl.String,
    "input_file": pl.String,
    "content_sha256": pl.String,
    "first_seen": TIMESTAMP,
    "forgotten_at": TIMESTAMP,
    "note": pl.String,
}


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
        writer = SegmentWriter(self.store, _payload_folder(batch), stored_segments(old))
        for record in read_input_records(files, input_dir, max_bytes, known):
            if isinstance(record, Unchanged):
                outcome.unchanged_files.append(record.input_file)
                continue
            rows.append(_index_row(record, writer.holding(record), str(input_dir.resolve()), now))
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
        if files:  # new rows, or at least new last_seen times
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
        writer = SegmentWriter(self.store, _payload_folder(batch))
        rows = [
            _index_row(record, writer.holding(record), None, accepted_at) for record, accepted_at in records
        ]
        writer.close()
        index = pl.DataFrame(rows, schema=INDEX_SCHEMA).unique("source_path", keep="last").sort("source_path")
        self._write_index(batch, index)
        return len(rows)

    def records(
        self, batch: str, index: pl.DataFrame | None = None
    ) -> Iterator[tuple[InputRecord, datetime]]:
        """Every archived input of ``batch`` with its bytes, and when this version was accepted."""
        index = self.index(batch) if index is None else index
        payloads = read_payloads(self.store, _payload_folder(batch), index)
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
        """Drop the bytes no input of ``batch`` refers to any more (see pipeline.lib.ingest.segments;
        ``force``: all of them, as forgotten bytes must go)."""
        index = self.index(batch)
        updated = compacted(self.store, _payload_folder(batch), index, force)
        if updated is not None:
            self._write_index(batch, updated)
        remove_unused(self.store, _payload_folder(batch), index if updated is None else updated)

    def _write_index(self, batch: str, index: pl.DataFrame) -> None:
        self.store.write_table(index.select(INDEX_SCHEMA.keys()), index_path(batch), {})


def _index_row(record: InputRecord, segment: str | None, input_dir: str | None, now: datetime) -> dict:
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
