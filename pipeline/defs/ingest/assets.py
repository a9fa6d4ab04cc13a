"""Ingest stage: every file of one ingest batch becomes a raw document or a quarantine row.

Runs per partition (a top-level folder or file of the input folder, see pipeline.lib.partitions).
Incremental within the batch: a file whose hash (with its sidecar) equals the one of an earlier run is not read
again and keeps its earlier rows; a changed file replaces them. Rows of files that have left the
folder are kept (a landing folder may be emptied after each run); a full refresh forgets them.
"""

from dataclasses import asdict

import dagster as dg
import polars as pl

from pipeline.defs.resources import PipelineResource, counts_by, ingest_batches
from pipeline.lib.ingest.conservation import unaccounted_inputs
from pipeline.lib.ingest.inputs import QuarantineRecord, RawDocument, Unchanged, list_input_files, read_inputs
from pipeline.lib.partitions import INGESTED, files_signature, in_batch, write_record
from pipeline.lib.schema import QUARANTINE
from pipeline.lib.state import pipeline_fingerprint

RAW_DOCUMENT_SCHEMA = {
    "source_path": pl.String,
    "content_sha256": pl.String,
    "body": pl.String,
    "body_format": pl.String,
    "encoding": pl.String,
    "ingested_at": pl.Datetime("us", "UTC"),
    "metadata": pl.Struct(
        {key: pl.String for key in ("id", "url", "outlet", "title", "published", "language")}
    ),
    "input_file": pl.String,
    "input_sha256": pl.String,
    "record_sha256": pl.String,
}
RAW_QUARANTINE_SCHEMA = {**QUARANTINE.polars_schema, "input_file": pl.String, "input_sha256": pl.String}


def _known_files(*tables: pl.DataFrame | None) -> dict[str, str]:
    """Input file -> hash, as recorded in earlier runs' tables."""
    known: dict[str, str] = {}
    for table in tables:
        if table is not None:
            known.update(table.select("input_file", "input_sha256").unique().iter_rows())
    return known


def _carried(previous: pl.DataFrame | None, keep_files: set[str], schema: dict) -> pl.DataFrame:
    if previous is None:
        return pl.DataFrame(schema=schema)
    return previous.filter(pl.col("input_file").is_in(sorted(keep_files))).select(schema.keys())


@dg.multi_asset(
    outs={
        "raw_documents": dg.AssetOut(
            description="Decoded input documents with crawler metadata, before cleaning."
        ),
        "raw_quarantine": dg.AssetOut(
            description="Inputs that could not be read as documents, with reasons."
        ),
    },
    group_name="ingest",
    partitions_def=ingest_batches,
    check_specs=[
        dg.AssetCheckSpec(
            "inputs_conserved",
            asset="raw_documents",
            blocking=True,
            description="No input is lost: each file / JSONL line of the batch is a document or quarantined.",
        )
    ],
)
def ingest(context: dg.AssetExecutionContext, pipeline: PipelineResource):
    """Read the batch's files (txt, md, html, jsonl, .meta.json sidecars), recursively in a folder."""
    settings, batch = pipeline.settings(), context.partition_key
    files, ignored = list_input_files(settings.input_dir, tuple(settings.ignore_patterns), in_batch(batch))
    write_record(
        pipeline.store(),
        batch,
        INGESTED,
        settings.input_dir,
        pipeline_fingerprint(settings),
        files_signature(files, settings.input_dir),
    )
    previous_raw, previous_quarantine = (
        pipeline.previous("raw_documents", batch),
        pipeline.previous("raw_quarantine", batch),
    )
    known = _known_files(previous_raw, previous_quarantine)
    documents, quarantined, unchanged = [], [], set()
    max_bytes = int(settings.max_file_mb * 1024 * 1024)
    for record in read_inputs(files, settings.input_dir, max_bytes, known=known):
        if isinstance(record, Unchanged):
            unchanged.add(record.input_file)
        elif isinstance(record, RawDocument):
            row = asdict(record)
            row["metadata"] = {
                key: record.metadata.get(key) for key in RAW_DOCUMENT_SCHEMA["metadata"].to_schema()
            }
            documents.append(row)
        elif isinstance(record, QuarantineRecord):
            quarantined.append(asdict(record))
    present = {path.relative_to(settings.input_dir).as_posix() for path in files}
    keep_files = unchanged | (set(known) - present)
    raw = pl.concat(
        [
            _carried(previous_raw, keep_files, RAW_DOCUMENT_SCHEMA),
            pl.DataFrame(documents, schema=RAW_DOCUMENT_SCHEMA),
        ]
    ).sort("source_path")
    quarantine = pl.concat(
        [
            _carried(previous_quarantine, keep_files, RAW_QUARANTINE_SCHEMA),
            pl.DataFrame(quarantined, schema=RAW_QUARANTINE_SCHEMA),
        ]
    ).sort("source_path")
    read_files = {row["input_file"] for row in documents + quarantined}
    changed = len(read_files & set(known))
    context.log.info(
        f"batch {batch}: {len(files)} input files ({len(ignored)} ignored as documentation): {len(read_files) - changed} new, "
        f"{changed} changed, {len(unchanged)} unchanged; {raw.height} documents, {quarantine.height} quarantined"
    )
    yield dg.Output(
        raw,
        "raw_documents",
        metadata={
            "documents": raw.height,
            "documents_read_this_run": len(documents),
            "input_files": len(files),
            "new_files": len(read_files) - changed,
            "changed_files": changed,
            "unchanged_files": len(unchanged),
            "ignored_files": dg.MetadataValue.json(
                [p.relative_to(settings.input_dir).as_posix() for p in ignored]
            ),
            "input_dir": str(settings.input_dir),
        },
    )
    yield dg.Output(
        quarantine,
        "raw_quarantine",
        metadata={
            "quarantined": quarantine.height,
            "by_reason": counts_by(quarantine, "reason"),
        },
    )
    accounted = set(raw["source_path"].to_list()) | set(quarantine["source_path"].to_list())
    missing = unaccounted_inputs(
        settings.input_dir, tuple(settings.ignore_patterns), accounted, in_batch(batch)
    )
    yield dg.AssetCheckResult(
        check_name="inputs_conserved",
        asset_key="raw_documents",
        passed=not missing,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"unaccounted": dg.MetadataValue.json(missing[:50]), "unaccounted_count": len(missing)},
    )
