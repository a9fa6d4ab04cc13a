"""Cross-table facts as boolean columns, so single-table GX suites can check them.

GX validates one batch at a time; offsets, evidence and copies span rows or tables. Each function
adds ``check_*`` columns, and the suites expect them to be true. They take eager or lazy frames
and return what they were given; document texts are read a slice of rows at a time for the
offset checks and never held with the table. References to actors and their codes are not here:
the contract names them as run-time domains and ``contract.py`` checks them as value sets.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from pipeline.lib.columns import FrameT

EARLIEST_DATE = date(1900, 1, 1)
FUTURE_YEARS = 5


def latest_plausible_date(today: date | None = None) -> date:
    """Events and publications more than five years ahead are errors, not news."""
    today = today or date.today()
    return today.replace(year=today.year + FUTURE_YEARS, day=min(today.day, 28))


def _date_ok(column: str, today: date | None) -> pl.Expr:
    return pl.col(column).is_null() | pl.col(column).is_between(EARLIEST_DATE, latest_plausible_date(today))


TEXT_CHECK_ROWS = 100_000  # rows compared with their documents' texts at once


def _text_at_offsets(rows: pl.DataFrame, documents: pl.LazyFrame, quoted: str) -> list[bool]:
    """Per row of ``rows`` (sorted by doc_id): whether its document's text at [char_start,
    char_end) equals its column ``quoted``. The texts are read for one slice of rows at a time (a
    doc_id range, which a table sorted by doc_id serves from a few row groups)."""
    flags: list[bool] = []
    for offset in range(0, rows.height, TEXT_CHECK_ROWS):
        part = rows.slice(offset, TEXT_CHECK_ROWS)
        ids = part["doc_id"].drop_nulls()
        text_of = {}
        if ids.len():
            wanted = pl.col("doc_id").is_between(pl.lit(ids[0]), pl.lit(ids[-1])) & pl.col("doc_id").is_in(
                ids.unique().implode()
            )
            text_of = dict(documents.select("doc_id", "text").filter(wanted).collect().iter_rows())
        for doc_id, start, end, value in part.select("doc_id", "char_start", "char_end", quoted).iter_rows():
            text = text_of.get(doc_id)
            flags.append(
                text is not None
                and None not in (start, end, value)
                and 0 <= start <= end <= len(text)
                and text[start:end] == value
            )
    return flags


def _with_text_check(frame, documents, quoted: str, name: str) -> pl.LazyFrame:
    """``frame`` plus column ``name``: whether its document's text at [char_start, char_end) equals
    column ``quoted``.

    The rows are compared in doc_id order, TEXT_CHECK_ROWS at a time, each document's text held
    once: joined to every row, a document's text would be copied for each of its mentions.
    """
    needed = (
        frame.lazy()
        .with_row_index("_row")
        .select("_row", "doc_id", "char_start", "char_end", quoted)
        .sort("doc_id", "_row")
        .collect()
    )
    flags = np.zeros(needed.height, dtype=bool)
    flags[needed["_row"].to_numpy()] = _text_at_offsets(needed, documents.lazy(), quoted)
    return frame.lazy().with_columns(pl.lit(pl.Series(name, flags)))


def _like(result: pl.LazyFrame, original: FrameT) -> FrameT:
    return result if isinstance(original, pl.LazyFrame) else result.collect()


def _collected(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def with_document_checks(documents: FrameT, today: date | None = None) -> FrameT:
    """documents + check_duplicate_known, check_similarity_only_on_copies, check_published_in_range, is_duplicate (0/1)."""
    return documents.with_columns(
        pl.col("duplicate_of").is_not_null().cast(pl.Float64).alias("is_duplicate"),
        (pl.col("duplicate_of").is_null() | pl.col("duplicate_of").is_in(pl.col("doc_id").implode())).alias(
            "check_duplicate_known"
        ),
        (pl.col("duplicate_of").is_null() == pl.col("duplicate_similarity").is_null()).alias(
            "check_similarity_only_on_copies"
        ),
        _date_ok("published_date", today).alias("check_published_in_range"),
    )


def with_mention_checks(mentions: FrameT, documents) -> FrameT:
    """mentions + check_text_at_offsets."""
    return _like(_with_text_check(mentions, documents, "text", "check_text_at_offsets"), mentions)


def events_per_document(events, documents) -> float | None:
    """Events per canonical document (None without canonical documents)."""
    canonical = _collected(documents.lazy().filter(pl.col("duplicate_of").is_null()).select(pl.len())).item()
    return _collected(events.lazy().select(pl.len())).item() / canonical if canonical else None


def with_event_checks(
    events: FrameT,
    documents,
    today: date | None = None,
    previous_events_per_document: float | None = None,
) -> FrameT:
    """events + check_evidence_at_offsets, check_distinct_dyad, check_date_in_range,
    and two release-wide metrics as constant columns for the warning expectations:
    metric_documents_with_events (share of canonical documents with an event) and
    metric_events_per_document_change (events per canonical document over the previous release's,
    null without a previous release)."""
    canonical = _collected(documents.lazy().filter(pl.col("duplicate_of").is_null()).select("doc_id"))[
        "doc_id"
    ]
    event_documents = _collected(events.lazy().select("doc_id"))["doc_id"]
    with_events = event_documents.unique().is_in(canonical.implode()).sum() if event_documents.len() else 0
    share = with_events / canonical.len() if canonical.len() else None
    current = events_per_document(events, documents)
    change = (
        current / previous_events_per_document
        if current is not None and previous_events_per_document
        else None
    )
    checked = _with_text_check(events, documents, "evidence", "check_evidence_at_offsets").with_columns(
        (pl.col("source_country") != pl.col("target_country")).fill_null(False).alias("check_distinct_dyad"),
        _date_ok("event_date", today).alias("check_date_in_range"),
        pl.lit(share, pl.Float64).alias("metric_documents_with_events"),
        pl.lit(change, pl.Float64).alias("metric_events_per_document_change"),
    )
    return _like(checked, events)
