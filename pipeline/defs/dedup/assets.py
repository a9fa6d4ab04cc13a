"""Dedup stage: exact and near copies (MinHash LSH) point to one canonical document."""

import dagster as dg
import polars as pl

from pipeline.defs.clean.assets import CLEAN_SCHEMA
from pipeline.defs.resources import PipelineResource
from pipeline.lib.dedup import mark_duplicates


@dg.asset(
    group_name="dedup",
    deps=["_clean_documents"],
    description="Published documents table: every batch's documents, duplicates marked with duplicate_of.",
)
def core_documents(pipeline: PipelineResource) -> dg.MaterializeResult:
    """Group copies of the whole corpus; the canonical one is the earliest published, then the longest.

    Combines the cleaned documents of every batch and runs over all of them each time (from stored
    signatures, so it stays cheap): a new document may be an earlier-published copy of one seen
    before and take over as canonical.
    """
    threshold = pipeline.settings().near_duplicate_threshold
    documents = mark_duplicates(pipeline.combined("_clean_documents", CLEAN_SCHEMA), threshold).sort("doc_id")
    copies = documents.filter(pl.col("duplicate_of").is_not_null())
    exact = int((copies["duplicate_similarity"] == 1.0).sum())
    return dg.MaterializeResult(
        value=documents,
        metadata={
            "documents": documents.height,
            "duplicates": copies.height,
            "exact_duplicates": exact,
            "near_duplicates": copies.height - exact,
            "threshold": threshold,
            "preview": dg.MetadataValue.md(
                copies.select("doc_id", "source_path", "duplicate_of", "duplicate_similarity")
                .head(10)
                .to_pandas()
                .to_markdown()
            ),
        },
    )
