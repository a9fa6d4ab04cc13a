"""Clean stage: main text, boilerplate audit, title, date, language and sentences per document.

Runs per ingest batch (partition). Incremental within the batch: a raw record (source path and
record hash) that an earlier run already cleaned keeps its earlier result; only new or changed
records are cleaned, and a changed record replaces the rows of its previous version.
"""

import dagster as dg
import polars as pl

from pipeline.defs.resources import PipelineResource, counts_by, ingest_batches
from pipeline.lib.schema import DOCUMENTS, QUARANTINE
from pipeline.lib.text.documents import OUTLET_LINES_SCHEMA, clean_rows

CLEAN_SCHEMA = {
    **DOCUMENTS.polars_schema,
    "text_sha256": pl.String,
    "minhash": pl.Binary,
    "record_sha256": pl.String,
}
REJECT_SCHEMA = {**QUARANTINE.polars_schema, "record_sha256": pl.String}
SENTENCE_SCHEMA = {
    "doc_id": pl.String,
    "sentence_index": pl.Int64,
    "char_start": pl.Int64,
    "char_end": pl.Int64,
    "language": pl.String,
}
RECORD_KEY = ["source_path", "record_sha256"]


def _still_current(previous: pl.DataFrame | None, raw_documents: pl.DataFrame, schema: dict) -> pl.DataFrame:
    """Rows of an earlier run whose raw record is still the current one."""
    if previous is None:
        return pl.DataFrame(schema=schema)
    return previous.join(raw_documents.select(RECORD_KEY), on=RECORD_KEY, how="semi").select(schema.keys())


@dg.multi_asset(
    outs={
        "_clean_documents": dg.AssetOut(description="Cleaned documents (before duplicate marking)."),
        "_sentences": dg.AssetOut(
            description="Sentence spans of each cleaned document, with their language."
        ),
        "_clean_rejects": dg.AssetOut(description="Raw documents without article text after cleaning."),
        "_outlet_lines": dg.AssetOut(
            description="Per outlet (or input folder) and line hash: in how many documents the line occurs."
        ),
    },
    group_name="clean",
    partitions_def=ingest_batches,
)
def clean(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    raw_documents: pl.DataFrame,
):
    """Clean new or changed raw documents; documents without article text are rejected."""
    settings, batch = pipeline.settings(), context.partition_key
    kept_documents = _still_current(pipeline.previous("_clean_documents", batch), raw_documents, CLEAN_SCHEMA)
    kept_rejects = _still_current(pipeline.previous("_clean_rejects", batch), raw_documents, REJECT_SCHEMA)
    previous_sentences = pipeline.previous("_sentences", batch)
    kept_sentences = (
        previous_sentences.join(kept_documents.select("doc_id"), on="doc_id", how="semi")
        if previous_sentences is not None and kept_documents.height
        else pl.DataFrame(schema=SENTENCE_SCHEMA)
    )
    done = pl.concat([kept_documents.select(RECORD_KEY), kept_rejects.select(RECORD_KEY)])
    todo = raw_documents.join(done, on=RECORD_KEY, how="anti")
    cleaned = clean_rows(
        todo.iter_rows(named=True),
        tuple(settings.languages),
        settings.min_article_chars,
        pipeline.previous("_outlet_lines", batch),
        settings.outlet_repeat_min_docs,
    )
    documents = pl.concat([kept_documents, pl.DataFrame(cleaned.documents, schema=CLEAN_SCHEMA)]).sort(
        "doc_id"
    )
    sentences = pl.concat([kept_sentences, pl.DataFrame(cleaned.sentences, schema=SENTENCE_SCHEMA)]).sort(
        "doc_id", "sentence_index"
    )
    rejects = pl.concat([kept_rejects, pl.DataFrame(cleaned.rejects, schema=REJECT_SCHEMA)]).sort(
        "source_path"
    )
    context.log.info(
        f"cleaned {todo.height} new or changed documents ({len(cleaned.rejects)} without article text); "
        f"{kept_documents.height} kept from earlier runs"
    )
    cleaned_now = pl.DataFrame(cleaned.documents, schema=CLEAN_SCHEMA)
    yield dg.Output(
        documents,
        "_clean_documents",
        metadata={
            "documents": documents.height,
            "cleaned_this_run": todo.height,
            "kept_from_earlier_runs": kept_documents.height,
            "languages": counts_by(documents, "language"),
            "boilerplate_lines_removed_this_run": int(cleaned_now["removed_line_count"].sum() or 0),
        },
    )
    yield dg.Output(sentences, "_sentences", metadata={"sentences": sentences.height})
    yield dg.Output(rejects, "_clean_rejects", metadata={"rejects": rejects.height})
    yield dg.Output(
        cleaned.outlet_lines.select(OUTLET_LINES_SCHEMA.keys()),
        "_outlet_lines",
        metadata={"lines": cleaned.outlet_lines.height},
    )


@dg.asset(
    group_name="clean",
    deps=["raw_quarantine", "_clean_rejects"],
    description="Published quarantine table: unreadable inputs and pages without article text.",
)
def core_quarantine(pipeline: PipelineResource) -> dg.MaterializeResult:
    """The quarantine rows of every batch: inputs that could not be read, and rejected pages."""
    unreadable = pipeline.combined("raw_quarantine", QUARANTINE.polars_schema)
    rejected = pipeline.combined("_clean_rejects", REJECT_SCHEMA)
    quarantine = (
        QUARANTINE.conform(
            pl.concat([unreadable.select(QUARANTINE.polars_schema.keys()), rejected.drop("record_sha256")])
        )
        .sort("source_path")
        .collect()
    )
    return dg.MaterializeResult(
        value=quarantine,
        metadata={
            "quarantined": quarantine.height,
            "by_reason": counts_by(quarantine, "reason"),
        },
    )
