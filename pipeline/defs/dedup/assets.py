"""Dedup stage: exact copies (same normalised text) point to one canonical document."""

import dagster as dg
import polars as pl

from pipeline.lib.dedup import mark_duplicates


@dg.asset(group_name="dedup", description="Published documents table, duplicates marked with duplicate_of.")
def core_documents(_clean_documents: pl.DataFrame) -> dg.MaterializeResult:
    """Mark exact duplicates; the canonical one is the earliest published, then the longest."""
    documents = mark_duplicates(_clean_documents)
    duplicates = int(documents["duplicate_of"].is_not_null().sum())
    return dg.MaterializeResult(
        value=documents,
        metadata={
            "documents": documents.height,
            "duplicates": duplicates,
            "preview": dg.MetadataValue.md(
                documents.select("doc_id", "source_path", "language", "published_date", "duplicate_of")
                .head(10)
                .to_pandas()
                .to_markdown()
            ),
        },
    )
