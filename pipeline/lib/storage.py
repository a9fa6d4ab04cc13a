"""The intermediate storage of a pipeline: tables and small records under one fsspec URL.

Every stage hands its tables to the next through this store, never through the local disk of one
process, so that steps may run on different machines (a Dask cluster, Kubernetes pods). The URL
is a local folder by default; ``s3://bucket/prefix``, ``gs://...`` or ``memory://`` work the same
way once the matching fsspec package is installed.
"""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass
from typing import Any

import polars as pl
import pyarrow.parquet as pq
from upath import UPath

# Rows per Parquet row group of tables written a part at a time (a writer holds a whole row group
# in memory; one of the whole table would defeat the point).
SINK_ROW_GROUP_ROWS = 10_000


# Bytes of rows (as Polars holds them) sorted in memory at once when stored tables are combined.
COMBINE_RANGE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class SortedCombination:
    """A table to be stored as the rows of several stored tables, sorted by one column.

    ``keep`` (a frame with a doc_id column) keeps only the rows of those documents; ``replace``
    (doc_id plus columns) gives those columns new values, null for documents it lacks. On a local
    store it is written a key range at a time, so it need not fit in memory.
    """

    sources: tuple[str, ...]
    order_by: str
    schema: dict[str, pl.DataType]  # of the result when there are no sources
    keep: pl.DataFrame | None = None
    replace: pl.DataFrame | None = None


def _combined(combination: SortedCombination, frames: list[pl.LazyFrame]) -> pl.LazyFrame:
    """The rows of ``combination`` (unsorted) over the lazily read ``frames`` of its sources."""
    rows = pl.concat(frames, how="vertical_relaxed")
    if combination.replace is not None:
        columns = rows.collect_schema().names()
        replaced = [c for c in combination.replace.columns if c != "doc_id"]
        rows = rows.drop(replaced).join(combination.replace.lazy(), on="doc_id", how="left").select(columns)
    if combination.keep is not None:
        rows = rows.filter(pl.col("doc_id").is_in(combination.keep["doc_id"].implode()))
    return rows


class WorkStore:
    """Parquet tables and JSON records below ``url``, addressed by relative paths."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.root = UPath(url)

    def path(self, relative: str) -> UPath:
        """The location of ``relative`` (a '/'-separated path) in the store."""
        return self.root.joinpath(*relative.split("/"))

    def exists(self, relative: str) -> bool:
        """Whether ``relative`` is stored."""
        return self.path(relative).exists()

    @property
    def is_local(self) -> bool:
        """Whether the store is a folder of this machine (Polars then reads and writes it directly)."""
        return self.root.protocol in ("", "file", "local")

    def write_table(self, frame: pl.DataFrame, relative: str, metadata: dict[bytes, bytes]) -> int:
        """Store ``frame`` as zstd Parquet with ``metadata`` in its footer; returns its row count.

        Written to a temporary name first and then moved, so a reader never sees half a table.
        """
        table = frame.to_arrow()
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
        buffer = io.BytesIO()
        pq.write_table(table, buffer, compression="zstd")
        self._write_bytes_atomically(relative, buffer.getvalue())
        return table.num_rows

    def write_combination(
        self, combination: SortedCombination, relative: str, metadata: dict[bytes, bytes]
    ) -> int:
        """Store ``combination`` (see SortedCombination) with ``metadata``; returns its row count.

        On a local store the rows are sorted and written one key range at a time, each range
        about COMBINE_RANGE_BYTES of rows, so the whole table is never in memory.
        """
        if not combination.sources:
            return self.write_table(pl.DataFrame(schema=combination.schema), relative, metadata)
        if not self.is_local:
            frames = [self.read_table(source).lazy() for source in combination.sources]
            rows = _combined(combination, frames).collect().sort(combination.order_by)
            return self.write_table(rows, relative, metadata)
        files = [self.path(source).path for source in combination.sources]
        rows = _combined(combination, [pl.scan_parquet(f) for f in files])
        key = combination.order_by
        keys = rows.select(key).collect()[key].sort()
        sample = rows.head(1000).collect()
        size = keys.len() * sample.estimated_size() / max(sample.height, 1)  # bytes in memory
        ranges = max(1, int(-(-size // COMBINE_RANGE_BYTES)))
        present = keys.drop_nulls()
        bounds = (
            sorted({present[i * present.len() // ranges] for i in range(1, ranges)}) if present.len() else []
        )
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
        writer = None
        try:
            for low, high in zip([None, *bounds], [*bounds, None], strict=True):
                inside = pl.lit(True)
                if low is not None:
                    inside &= pl.col(key) >= pl.lit(low)
                if high is not None:
                    inside &= pl.col(key) < pl.lit(high)
                if low is None:
                    inside |= pl.col(key).is_null()  # the first range takes the rows without a key
                table = rows.filter(inside).collect(engine="streaming").sort(key).to_arrow()
                if writer is None:
                    schema = table.schema.with_metadata({**(table.schema.metadata or {}), **metadata})
                    writer = pq.ParquetWriter(temporary.path, schema, compression="zstd")
                writer.write_table(table.replace_schema_metadata(writer.schema.metadata), SINK_ROW_GROUP_ROWS)
        finally:
            if writer is not None:
                writer.close()
        target.fs.mv(temporary.path, target.path)
        return keys.len()

    def table_metadata(self, relative: str) -> dict[bytes, bytes] | None:
        """The footer metadata of a stored table, None when it is not stored."""
        target = self.path(relative)
        if not target.exists():
            return None
        with target.open("rb") as handle:
            return pq.read_metadata(handle).metadata or {}

    def read_table(self, relative: str) -> pl.DataFrame:
        """A stored table (raises FileNotFoundError when it is not stored)."""
        with self.path(relative).open("rb") as handle:
            return pl.read_parquet(handle)

    def scan_table(self, relative: str) -> pl.LazyFrame:
        """A stored table to query lazily: only the columns and rows a query needs are read (from
        a local store; a remote table is read whole first)."""
        if not self.exists(relative):
            raise FileNotFoundError(f"{self.url}: {relative} is not stored")
        if self.is_local:
            return pl.scan_parquet(self.path(relative).path)
        return self.read_table(relative).lazy()

    def write_json(self, relative: str, record: Any) -> None:
        """Store a JSON record."""
        text = json.dumps(record, indent=2, sort_keys=True, default=str)
        self._write_bytes_atomically(relative, text.encode("utf-8"))

    def read_json(self, relative: str) -> Any | None:
        """A stored JSON record, None when it is not stored."""
        target = self.path(relative)
        if not target.exists():
            return None
        return json.loads(target.read_text(encoding="utf-8"))

    def list(self, folder: str, suffix: str = "") -> list[str]:
        """Relative paths of the files directly in ``folder`` whose names end with ``suffix``, sorted."""
        target = self.path(folder)
        if not target.is_dir():
            return []
        return sorted(
            f"{folder}/{child.name}"
            for child in target.iterdir()
            if child.name.endswith(suffix) and not child.name.startswith(".")
        )

    def remove(self, relative: str) -> None:
        """Delete ``relative`` (a file or a folder) when it is stored."""
        target = self.path(relative)
        if target.is_dir():
            target.fs.rm(target.path, recursive=True)
        elif target.exists():
            target.unlink()

    def _write_bytes_atomically(self, relative: str, data: bytes) -> None:
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
        temporary.write_bytes(data)
        target.fs.mv(temporary.path, target.path)
