"""Ingest stage: the batch's new or changed inputs go into the raw archive, and every archived
input of the batch becomes a raw document or a quarantine row.

Runs per partition (a top-level folder or file of the input folder, see pipeline.lib.partitions).
Only files whose hash (with their sidecar) is not archived yet are read from the folder; files
that have left the folder stay in the archive (a landing folder may be emptied after each run).
The raw tables are then decoded from the archive, never from the folder, so a rebuild of any
stage covers the whole archive.
"""

from dataclasses import asdict
from datetime import UTC, datetime

import dagster as dg
import polars as pl

from pipeline.defs.resources import PipelineResource, counts_by, ingest_batches
from pipeline.lib.batches import RUNNING, file_signature, write_state
from pipeline.lib.ingest.conservation import unaccounted_inputs
from pipeline.lib.ingest.inputs import RawDocument, decode_record, list_input_files
from pipeline.lib.partitions import in_batch
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
    "input_file": pl.String,
    "input_sha256": pl.String,
    "record_sha256": pl.String,
}
RAW_QUARANTINE_SCHEMA = {**QUARANTINE.polars_schema, "input_file": pl.String, "input_sha256": pl.String}


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
            description="No input is lost: each file / JSONL line of the batch is archived, and each "
            "archived input is a document or quarantined.",
        )
    ],
)
def ingest(context: dg.AssetExecutionContext, pipeline: PipelineResource):
    """Archive the batch's new or changed files (txt, md, html, jsonl, .meta.json sidecars), then
    decode every archived input of the batch."""
    settings, batch = pipeline.settings(), context.partition_key
    store, archive = pipeline.store(), pipeline.archive()
    files, ignored = list_input_files(settings.input_dir, tuple(settings.ignore_patterns), in_batch(batch))
    state = write_state(store, batch, status=RUNNING, run_id=context.run_id)
    accepted = archive.accept(
        batch, files, settings.input_dir, int(settings.max_file_mb * 1024 * 1024), datetime.now(UTC)
    )
    if files:  # what the folder holds now; a batch that left it keeps the files it had
        present = {path.relative_to(settings.input_dir).as_posix(): file_signature(path) for path in files}
        write_state(store, batch, files={**state.get("files", {}), **present})
    index = archive.index(batch)
    documents, quarantined = [], []
    for record, accepted_at in archive.records(batch, index):
        for row in decode_record(record, accepted_at):
            if isinstance(row, RawDocument):
                item = asdict(row)
                item["metadata"] = {
                    key: row.metadata.get(key) for key in RAW_DOCUMENT_SCHEMA["metadata"].to_schema()
                }
                documents.append(item)
            else:
                quarantined.append(asdict(row))
    raw = pl.DataFrame(documents, schema=RAW_DOCUMENT_SCHEMA).sort("source_path")
    quarantine = pl.DataFrame(quarantined, schema=RAW_QUARANTINE_SCHEMA).sort("source_path")
    context.log.info(
        f"batch {batch}: {len(files)} input files in the folder ({len(ignored)} ignored as documentation): "
        f"{len(accepted.new_files)} new, {len(accepted.changed_files)} changed, "
        f"{len(accepted.unchanged_files)} unchanged; {index.height} archived inputs give {raw.height} "
        f"documents and {quarantine.height} quarantine rows"
    )
    yield dg.Output(
        raw,
        "raw_documents",
        metadata={
            "documents": raw.height,
            "documents_read_this_run": accepted.read_articles,
            "archived_inputs": index.height,
            "input_files": len(files),
            "new_files": len(accepted.new_files),
            "changed_files": len(accepted.changed_files),
            "unchanged_files": len(accepted.unchanged_files),
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
    archived = set(index["source_path"].to_list())
    missing = unaccounted_inputs(
        settings.input_dir, tuple(settings.ignore_patterns), archived, in_batch(batch)
    )
    undecoded = sorted(
        archived - set(raw["source_path"].to_list()) - set(quarantine["source_path"].to_list())
    )
    yield dg.AssetCheckResult(
        check_name="inputs_conserved",
        asset_key="raw_documents",
        passed=not missing and not undecoded,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "not_archived": dg.MetadataValue.json(missing[:50]),
            "not_archived_count": len(missing),
            "archived_not_decoded": dg.MetadataValue.json(undecoded[:50]),
            "archived_not_decoded_count": len(undecoded),
        },
    )
