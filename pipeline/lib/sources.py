"""Retention: list the archived inputs, and forget chosen ones on purpose.

The raw archive keeps every accepted input until it is forgotten here (``alliance-events sources
list`` / ``forget``). Forgetting removes the inputs and their bytes from the archive, logs them
(``archive/forgotten.parquet``), and marks their batches for a run; the next release drops their
rows and says so in CHANGES.md. A batch left without inputs leaves the work store altogether.

Inputs of the latest release that are no longer archived (a lost work store) can be forgotten too:
only the log records them, which tells the next release that their rows may leave.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from pipeline.lib.batches import PENDING, remove_state, write_state
from pipeline.lib.ingest.archive import INDEX_SCHEMA, RawArchive
from pipeline.lib.partitions import partition_of
from pipeline.lib.storage import WorkStore

LISTED_COLUMNS = (
    "batch",
    "source_path",
    "kind",
    "reason",
    "stored_bytes",
    "first_seen",
    "accepted_at",
    "last_seen",
    "input_dir",
)


@dataclass(frozen=True)
class Selection:
    """Which inputs a retention command acts on; every given criterion must hold."""

    batches: Sequence[str] = ()
    sources: Sequence[str] = ()  # globs over the source path or the input file
    input_dirs: Sequence[str] = ()
    last_seen_before: datetime | None = None

    @property
    def empty(self) -> bool:
        """Whether no criterion was given (a forget needs one)."""
        return not (self.batches or self.sources or self.input_dirs or self.last_seen_before)

    def matches(self, frame: pl.DataFrame) -> pl.Series:
        """Per row of ``frame`` (batch, source_path, input_file, input_dir, last_seen)."""
        keep = pl.Series([True] * frame.height, dtype=pl.Boolean)
        if self.batches:
            keep &= frame["batch"].is_in(list(self.batches))
        if self.sources:
            keep &= pl.Series(
                [
                    any(
                        fnmatch.fnmatchcase(path, glob) or fnmatch.fnmatchcase(file or "", glob)
                        for glob in self.sources
                    )
                    for path, file in frame.select("source_path", "input_file").iter_rows()
                ],
                dtype=pl.Boolean,
            )
        if self.input_dirs:
            wanted = [str(Path(folder).resolve()) for folder in self.input_dirs]
            keep &= frame["input_dir"].is_in(wanted).fill_null(False)
        if self.last_seen_before is not None:
            keep &= (frame["last_seen"] < self.last_seen_before).fill_null(False)
        return keep


def list_sources(store: WorkStore, selection: Selection = Selection()) -> pl.DataFrame:
    """The archived inputs chosen by ``selection``, one row each."""
    index = RawArchive(store).full_index()
    return index.filter(selection.matches(index)).select(LISTED_COLUMNS).sort("batch", "source_path")


@dataclass
class Forgetting:
    """What a forget did (or, dry, would do)."""

    archived: pl.DataFrame  # archived inputs forgotten
    unarchived: list[str] = field(default_factory=list)  # release rows' sources only logged
    emptied_batches: list[str] = field(default_factory=list)  # batches that left the work store
    still_in_folder: list[str] = field(default_factory=list)  # forgotten, but their file is there


def _located(sources: pl.DataFrame) -> pl.DataFrame:
    """``sources`` (a source_path column) with the batch and the input file of each."""
    return sources.with_columns(
        pl.col("source_path").map_elements(partition_of, return_dtype=pl.String).alias("batch"),
        pl.col("source_path").str.replace(r"#\d+$", "").alias("input_file"),
    )


def _release_only(release: Path | None, archived: set[str], selection: Selection) -> list[str]:
    """Sources of the release chosen by batch or glob that the archive does not hold."""
    if release is None or not (selection.batches or selection.sources) or selection.input_dirs:
        return []
    if selection.last_seen_before is not None:
        return []
    paths: set[str] = set()
    for table in ("documents", "quarantine"):
        file = release / "parquet" / f"{table}.parquet"
        if file.is_file():
            paths |= set(pl.read_parquet(file, columns=["source_path"])["source_path"].to_list())
    frame = _located(
        pl.DataFrame({"source_path": sorted(paths - archived)}, schema={"source_path": pl.String})
    )
    frame = frame.with_columns(
        pl.lit(None, pl.String).alias("input_dir"),
        pl.lit(None, INDEX_SCHEMA["last_seen"]).alias("last_seen"),
    )
    return frame.filter(selection.matches(frame))["source_path"].to_list()


def forget_sources(
    store: WorkStore,
    selection: Selection,
    note: str,
    now: datetime,
    release: Path | None = None,
    dry_run: bool = False,
) -> Forgetting:
    """Forget the inputs ``selection`` chooses (see the module docstring); ``release`` is the
    latest release, whose no longer archived inputs may be forgotten too."""
    if selection.empty:
        raise ValueError("say which inputs to forget: a batch, a source glob, an input folder or a date")
    archive = RawArchive(store)
    index = archive.full_index()
    chosen = index.filter(selection.matches(index))
    outcome = Forgetting(chosen.select(LISTED_COLUMNS))
    outcome.unarchived = _release_only(release, set(index["source_path"].to_list()), selection)
    outcome.still_in_folder = sorted(
        path
        for path, folder in chosen.select("input_file", "input_dir").unique().iter_rows()
        if folder and (Path(folder) / path).exists()
    )
    if dry_run:
        return outcome
    for (batch,), group in chosen.group_by("batch", maintain_order=True):
        archive.forget(batch, group["source_path"].to_list(), note, now)
        if archive.index(batch).is_empty():
            outcome.emptied_batches.append(batch)
            _remove_batch(store, batch)
        else:
            write_state(
                store, batch, status=PENDING, note=f"{group.height} inputs forgotten on {now:%Y-%m-%d}"
            )
    if outcome.unarchived:
        archive.log_forgotten(_located(pl.DataFrame({"source_path": outcome.unarchived})), note, now)
    return outcome


def _remove_batch(store: WorkStore, batch: str) -> None:
    """A batch without inputs: its state and stored tables go, so no release combines it."""
    remove_state(store, batch)
    for folder in store.list("tables"):
        if store.path(folder).is_dir():  # per-batch tables; the combined ones are files
            store.remove(f"{folder}/{batch}.parquet")
