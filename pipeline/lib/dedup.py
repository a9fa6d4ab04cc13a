"""Duplicate documents: group copies and pick one canonical document per group.

Canonical rule (stated in the README): the earliest published document of a group, then the
longest, then the smallest source path, so the choice never depends on input order. Every other
member gets ``duplicate_of`` = the canonical ``doc_id``. Duplicates stay in the documents table;
later stages code events only from canonical documents and count duplicates as extra sources.
"""

from __future__ import annotations

import polars as pl


def mark_duplicates(documents: pl.DataFrame, group_column: str = "text_sha256") -> pl.DataFrame:
    """Add ``duplicate_of`` to ``documents`` for members of groups sharing ``group_column``.

    Needs columns doc_id, source_path, published_date, char_count and ``group_column``.
    """
    ranked = documents.with_columns(
        pl.col("doc_id")
        .sort_by(
            [pl.col("published_date").is_null(), "published_date", pl.col("char_count") * -1, "source_path"]
        )
        .first()
        .over(group_column)
        .alias("_canonical")
    )
    return ranked.with_columns(
        pl.when(pl.col("_canonical") != pl.col("doc_id"))
        .then(pl.col("_canonical"))
        .otherwise(None)
        .alias("duplicate_of")
    ).drop("_canonical")
