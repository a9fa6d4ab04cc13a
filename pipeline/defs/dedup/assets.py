"""Dedup stage: exact and near copies (MinHash LSH) point to one canonical document."""

import dagster as dg
import polars as pl

from pipeline.defs.clean.assets import CLEAN_SCHEMA
from pipeline.defs.resources import PipelineResource
from pipeline.lib.dedup import DEDUP_COLUMNS, mark_duplicates
from pipeline.lib.storage import SortedCombination


@dg.asset(
    group_name="dedup",
    deps=["_clean_documents"],
    description="Published documents table: every batch's documents, duplicates marked with duplicate_of.",
)
def core_documents(pipeline: PipelineResource) -> dg.MaterializeResult:
    """Group copies of the whole corpus; the canonical one is the earliest published, then the longest.

    Combines the cleaned documents of every batch and runs over all of them each time (from stored
    signatures, so it stays cheap): a new document may be an earlier-published copy of one seen
    before and take over as canonical. Only the signature columns are held in memory; the
    combined table, texts included, is written a key range at a time.
    """
    threshold = pipeline.settings().near_duplicate_threshold
    combined = pipeline.combined("_clean_documents", CLEAN_SCHEMA)
    marked = mark_duplicates(combined.select(DEDUP_COLUMNS).collect(), threshold).select(
        "doc_id", "source_path", "duplicate_of", "duplicate_similarity"
    )
    documents = SortedCombination(
        pipeline.partition_tables("_clean_documents"),
        "doc_id",
        CLEAN_SCHEMA,
        replace=marked.drop("source_path"),
    )
    copies = marked.filter(pl.col("duplicate_of").is_not_null()).sort("doc_id")
    exact = int((copies["duplicate_similarity"] == 1.0).sum())
    return dg.MaterializeResult(
        value=documents,
        metadata={
            "documents": marked.height,
            "duplicates": copies.height,
            "exact_duplicates": exact,
            "near_duplicates": copies.height - exact,
            "threshold": threshold,
            "preview": dg.MetadataValue.md(copies.head(10).to_pandas().to_markdown()),
        },
    )
