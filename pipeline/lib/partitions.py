"""Ingest batches: how the input folder is cut into partitions.

Each top-level entry of the input folder is one batch, and one Dagster partition: a folder (for
example one per crawl day, ``2026-11-23/``) or a file together with its sidecar (``dump.jsonl``,
``article.txt`` + ``article.meta.json``) is archived, processed, stored and re-run on its own. The
stages up to event coding run per partition; the release combines every archived partition.
Which batches need a run is decided in pipeline.lib.batches.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

PARTITIONS_NAME = "ingest_batches"
# Dagster refuses these in partition keys.
_INVALID_IN_KEYS = ("...", "\a", "\b", "\f", "\n", "\r", "\t", "\v", "\0", ",", "[", "]")


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
