"""Clean stage: main text, boilerplate audit, title, date, language and sentences per document."""

import dagster as dg
import polars as pl

from pipeline.defs.resources import PipelineResource
from pipeline.lib.schema import DOCUMENTS, QUARANTINE
from pipeline.lib.text.documents import clean_rows

CLEAN_SCHEMA = {**DOCUMENTS.polars_schema, "text_sha256": pl.String}
SENTENCE_SCHEMA = {
    "doc_id": pl.String,
    "sentence_index": pl.Int64,
    "char_start": pl.Int64,
    "char_end": pl.Int64,
    "language": pl.String,
}


@dg.multi_asset(
    outs={
        "_clean_documents": dg.AssetOut(description="Cleaned documents (before duplicate marking)."),
        "_sentences": dg.AssetOut(
            description="Sentence spans of each cleaned document, with their language."
        ),
        "core_quarantine": dg.AssetOut(
            description="Published quarantine table: unreadable inputs and pages without article text."
        ),
    },
    group_name="clean",
)
def clean(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    raw_documents: pl.DataFrame,
    raw_quarantine: pl.DataFrame,
):
    """Clean every raw document; documents without article text go to quarantine."""
    settings = pipeline.settings()
    documents, sentences, rejects = clean_rows(
        raw_documents.iter_rows(named=True),
        tuple(settings.languages),
        settings.min_article_chars,
    )
    clean_frame = pl.DataFrame(documents, schema=CLEAN_SCHEMA)
    sentence_frame = pl.DataFrame(sentences, schema=SENTENCE_SCHEMA)
    quarantine = pl.concat([raw_quarantine, pl.DataFrame(rejects, schema=QUARANTINE.polars_schema)])
    context.log.info(
        f"{clean_frame.height} documents, {sentence_frame.height} sentences, {len(rejects)} without article text"
    )
    yield dg.Output(
        clean_frame,
        "_clean_documents",
        metadata={
            "documents": clean_frame.height,
            "languages": dg.MetadataValue.json(dict(clean_frame.group_by("language").len().iter_rows())),
            "boilerplate_lines_removed": int(clean_frame["removed_line_count"].sum() or 0),
        },
    )
    yield dg.Output(sentence_frame, "_sentences", metadata={"sentences": sentence_frame.height})
    yield dg.Output(
        QUARANTINE.conform(quarantine), "core_quarantine", metadata={"quarantined": quarantine.height}
    )
