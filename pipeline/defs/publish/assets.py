"""Publish stage: a versioned release folder, switched to ``latest`` only when complete."""

import dagster as dg
import polars as pl

from pipeline.defs.resources import PipelineResource
from pipeline.lib.publish.release import release_row_counts, release_version, write_release


@dg.asset(
    group_name="publish",
    pool="duckdb_writer",
    description="The release: alliance.duckdb, parquet/, datapackage.json, README.md, quality/, SHA256SUMS.",
)
def out_release(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    core_documents: pl.LazyFrame,
    core_quarantine: pl.LazyFrame,
    core_actors: pl.LazyFrame,
    core_mentions: pl.LazyFrame,
    core_events: pl.LazyFrame,
) -> dg.MaterializeResult:
    """Write the release (runs only after every blocking quality check has passed); the tables
    stream from the work store into the release's Parquet files and DuckDB reads those."""
    settings = pipeline.settings()
    tables = {
        "documents": core_documents,
        "quarantine": core_quarantine,
        "actors": core_actors,
        "mentions": core_mentions,
        "events": core_events,
    }
    store = pipeline.store()
    quality = {
        name: outcome for name in tables if (outcome := store.read_json(f"quality/{name}.json")) is not None
    }
    version = release_version(tables)
    path = write_release(tables, quality, settings.output_dir, version, keep=settings.release_keep)
    context.log.info(f"published release {version} to {path}")
    return dg.MaterializeResult(
        value=pl.DataFrame({"version": [version], "path": [str(path)]}),
        metadata={
            "version": version,
            "path": dg.MetadataValue.path(str(path)),
            **{f"{name}_rows": rows for name, rows in release_row_counts(path).items()},
        },
    )
