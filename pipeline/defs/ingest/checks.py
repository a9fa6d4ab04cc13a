"""Conservation: every input file and JSONL line is a document or a quarantine row."""

import dagster as dg
import polars as pl

from pipeline.defs.resources import PipelineResource
from pipeline.lib.ingest.conservation import unaccounted_inputs


@dg.asset_check(
    asset="raw_documents",
    additional_ins={"raw_quarantine": dg.AssetIn("raw_quarantine")},
    blocking=True,
    description="No input is lost: each file / JSONL line is a document or quarantined.",
)
def inputs_conserved(
    pipeline: PipelineResource, raw_documents: pl.DataFrame, raw_quarantine: pl.DataFrame
) -> dg.AssetCheckResult:
    """Compare the input folder with the documents and quarantine rows."""
    settings = pipeline.settings()
    accounted = set(raw_documents["source_path"].to_list()) | set(raw_quarantine["source_path"].to_list())
    missing = unaccounted_inputs(settings.input_dir, tuple(settings.ignore_patterns), accounted)
    return dg.AssetCheckResult(
        passed=not missing,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"unaccounted": dg.MetadataValue.json(missing[:50]), "unaccounted_count": len(missing)},
    )
