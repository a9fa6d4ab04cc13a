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
from typing import Any

import polars as pl
import pyarrow.parquet as pq
from upath import UPath


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

    def write_table(self, frame: pl.DataFrame, relative: str, metadata: dict[bytes, bytes]) -> None:
        """Store ``frame`` as zstd Parquet with ``metadata`` in its footer.

        Written to a temporary name first and then moved, so a reader never sees half a table.
        """
        table = frame.to_arrow()
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
        buffer = io.BytesIO()
        pq.write_table(table, buffer, compression="zstd")
        self._write_bytes_atomically(relative, buffer.getvalue())

    def table_metadata(self, relative: str) -> dict[bytes, bytes] | None:
        """The footer metadata of a stored table, None when it is not stored."""
        target = self.path(relative)
        if not target.exists():
            return None
        with target.open("rb") as handle:
            return pq.read_schema(handle).metadata or {}

    def read_table(self, relative: str) -> pl.DataFrame:
        """A stored table (raises FileNotFoundError when it is not stored)."""
        with self.path(relative).open("rb") as handle:
            return pl.read_parquet(handle)

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
