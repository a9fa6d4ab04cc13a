"""Cross-table facts as boolean columns, so single-table GX suites can check them.

GX validates one batch at a time; offsets, evidence and foreign keys span tables. Each function
adds ``check_*`` columns computed with Polars joins, and the suites expect them to be true.
"""

from __future__ import annotations

from datetime import date

import polars as pl

EARLIEST_DATE = date(1900, 1, 1)
FUTURE_YEARS = 5


def latest_plausible_date(today: date | None = None) -> date:
    """Events and publications more than five years ahead are errors, not news."""
    today = today or date.today()
    return today.replace(year=today.year + FUTURE_YEARS, day=min(today.day, 28))


def _date_ok(column: str, today: date | None) -> pl.Expr:
    return pl.col(column).is_null() | pl.col(column).is_between(EARLIEST_DATE, latest_plausible_date(today))


def _text_at_offsets(quoted: str) -> pl.Expr:
    """True where the joined document text at [char_start, char_end) equals column ``quoted``."""
    length = pl.col("char_end") - pl.col("char_start")
    return (
        pl.col("_doc_text").is_not_null()
        & (pl.col("char_start") >= 0)
        & (pl.col("char_end") <= pl.col("_doc_text").str.len_chars())
        & (pl.col("_doc_text").str.slice(pl.col("char_start"), length) == pl.col(quoted))
    ).fill_null(False)


def _with_document_text(frame: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    """``frame`` plus its document's text as ``_doc_text`` (dropped again after the checks)."""
    return frame.join(documents.select("doc_id", pl.col("text").alias("_doc_text")), on="doc_id", how="left")


def with_document_checks(documents: pl.DataFrame, today: date | None = None) -> pl.DataFrame:
    """documents + check_duplicate_known, check_similarity_only_on_copies, check_published_in_range, is_duplicate (0/1)."""
    known = set(documents["doc_id"].to_list())
    return documents.with_columns(
        pl.col("duplicate_of").is_not_null().cast(pl.Float64).alias("is_duplicate"),
        (pl.col("duplicate_of").is_null() | pl.col("duplicate_of").is_in(list(known))).alias(
            "check_duplicate_known"
        ),
        (pl.col("duplicate_of").is_null() == pl.col("duplicate_similarity").is_null()).alias(
            "check_similarity_only_on_copies"
        ),
        _date_ok("published_date", today).alias("check_published_in_range"),
    )


def with_mention_checks(
    mentions: pl.DataFrame, documents: pl.DataFrame, actors: pl.DataFrame
) -> pl.DataFrame:
    """mentions + check_text_at_offsets, check_actor_known."""
    actor_ids = actors["actor_id"].to_list()
    return (
        _with_document_text(mentions, documents)
        .with_columns(
            _text_at_offsets("text").alias("check_text_at_offsets"),
            (pl.col("actor_id").is_null() | pl.col("actor_id").is_in(actor_ids)).alias("check_actor_known"),
        )
        .drop("_doc_text")
    )


def events_per_document(events: pl.DataFrame, documents: pl.DataFrame) -> float | None:
    """Events per canonical document (None without canonical documents)."""
    canonical = documents.filter(pl.col("duplicate_of").is_null()).height
    return events.height / canonical if canonical else None


def with_event_checks(
    events: pl.DataFrame,
    documents: pl.DataFrame,
    actors: pl.DataFrame,
    today: date | None = None,
    previous_events_per_document: float | None = None,
) -> pl.DataFrame:
    """events + check_evidence_at_offsets, check_actors_known, check_countries_known, check_distinct_dyad,
    check_date_in_range,
    and two release-wide metrics as constant columns for the warning expectations:
    metric_documents_with_events (share of canonical documents with an event) and
    metric_events_per_document_change (events per canonical document over the previous release's,
    null without a previous release)."""
    actor_ids = actors["actor_id"].to_list()
    # ISO alpha-3 codes of states and the codes of organisations, as the actors table knows them.
    codes = sorted(
        {
            value
            for column in ("code", "country")
            if column in actors.columns
            for value in actors[column].drop_nulls()
        }
    )
    canonical = documents.filter(pl.col("duplicate_of").is_null())["doc_id"]
    with_events = events["doc_id"].unique().is_in(canonical.implode()).sum() if events.height else 0
    share = with_events / canonical.len() if canonical.len() else None
    current = events_per_document(events, documents)
    change = (
        current / previous_events_per_document
        if current is not None and previous_events_per_document
        else None
    )
    return (
        _with_document_text(events, documents)
        .with_columns(
            _text_at_offsets("evidence").alias("check_evidence_at_offsets"),
            (
                (pl.col("source_actor_id").is_null() | pl.col("source_actor_id").is_in(actor_ids))
                & (pl.col("target_actor_id").is_null() | pl.col("target_actor_id").is_in(actor_ids))
            ).alias("check_actors_known"),
            (pl.col("source_country").is_in(codes) & pl.col("target_country").is_in(codes))
            .fill_null(False)
            .alias("check_countries_known"),
            (pl.col("source_country") != pl.col("target_country"))
            .fill_null(False)
            .alias("check_distinct_dyad"),
            _date_ok("event_date", today).alias("check_date_in_range"),
            pl.lit(share, pl.Float64).alias("metric_documents_with_events"),
            pl.lit(change, pl.Float64).alias("metric_events_per_document_change"),
        )
        .drop("_doc_text")
    )
