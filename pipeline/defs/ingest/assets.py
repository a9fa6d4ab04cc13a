"""Ingest stage: every file of the input folder becomes a raw document or a quarantine row."""

from dataclasses import asdict

import dagster as dg
import polars as pl

from pipeline.defs.resources import PipelineResource
from pipeline.lib.ingest.inputs import QuarantineRecord, RawDocument, list_input_files, read_inputs
from pipeline.lib.schema import QUARANTINE

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
}


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
)
def ingest(context: dg.AssetExecutionContext, pipeline: PipelineResource):
    """Read the input folder (txt, md, html, jsonl, .meta.json sidecars) recursively."""
    settings = pipeline.settings()
    files, ignored = list_input_files(settings.input_dir, tuple(settings.ignore_patterns))
    documents, quarantined = [], []
    for record in read_inputs(files, settings.input_dir, int(settings.max_file_mb * 1024 * 1024)):
        if isinstance(record, RawDocument):
            row = asdict(record)
            row["metadata"] = {
                key: record.metadata.get(key) for key in RAW_DOCUMENT_SCHEMA["metadata"].to_schema()
            }
            documents.append(row)
        elif isinstance(record, QuarantineRecord):
            quarantined.append(asdict(record))
    raw = pl.DataFrame(documents, schema=RAW_DOCUMENT_SCHEMA)
    quarantine = pl.DataFrame(quarantined, schema=QUARANTINE.polars_schema)
    context.log.info(
        f"{len(files)} input files ({len(ignored)} ignored as documentation): "
        f"{raw.height} documents, {quarantine.height} quarantined"
    )
    yield dg.Output(
        raw,
        "raw_documents",
        metadata={
            "documents": raw.height,
            "input_files": len(files),
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
            "by_reason": dg.MetadataValue.json(dict(quarantine.group_by("reason").len().iter_rows())),
        },
    )
