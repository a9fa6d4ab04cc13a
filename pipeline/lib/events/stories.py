"""Group events of different documents that report the same happening into stories.

Two events belong to one story when they have the same type, the same dyad (in either order for
the undirected types) and a compatible time: the same month when dated; for undated events the
month of publication stands in; an event with neither forms a story of its own. ``num_sources``
counts the distinct documents behind a story: each canonical document plus its duplicates
(republished copies add sources, never events).
"""

from __future__ import annotations

import hashlib

import polars as pl

UNDIRECTED_TYPES = ("AGREE", "CONSULT", "COOPERATE")


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def dyad_columns() -> tuple[pl.Expr, pl.Expr]:
    """The two sides of an event's dyad: sorted for the undirected types, source first otherwise."""
    undirected = pl.col("event_type").is_in(UNDIRECTED_TYPES)
    first = (
        pl.when(undirected)
        .then(pl.min_horizontal("source_country", "target_country"))
        .otherwise(pl.col("source_country"))
    )
    second = (
        pl.when(undirected)
        .then(pl.max_horizontal("source_country", "target_country"))
        .otherwise(pl.col("target_country"))
    )
    return first, second


def count_sources(events: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    """Add ``num_sources``: the documents behind each story, each canonical one with its copies."""
    copies = (
        documents.filter(pl.col("duplicate_of").is_not_null())
        .group_by("duplicate_of")
        .len("copies")
        .rename({"duplicate_of": "doc_id"})
    )
    sources = (
        events.select("story_id", "doc_id")
        .unique()
        .join(copies, on="doc_id", how="left")
        .group_by("story_id")
        .agg((pl.col("copies").fill_null(0) + 1).sum().cast(pl.Int64).alias("num_sources"))
    )
    return events.join(sources, on="story_id", how="left")


def assign_stories(events: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    """Add ``story_id`` and ``num_sources`` to ``events`` (documents: doc_id, duplicate_of, published_date)."""
    if events.is_empty():
        return events.with_columns(
            pl.lit(None, pl.String).alias("story_id"), pl.lit(None, pl.Int64).alias("num_sources")
        )
    published = documents.select("doc_id", "published_date")
    first, second = dyad_columns()
    bucket = (
        pl.when(pl.col("event_date").is_not_null())
        .then(pl.col("event_date").dt.strftime("%Y-%m"))
        .when(pl.col("published_date").is_not_null())
        .then(pl.lit("pub:") + pl.col("published_date").dt.strftime("%Y-%m"))
        .otherwise(pl.lit("doc:") + pl.col("doc_id"))
    )
    keyed = events.join(published, on="doc_id", how="left").with_columns(
        pl.concat_str([pl.col("event_type"), first, second, bucket], separator="|")
        .map_elements(_hash, return_dtype=pl.String)
        .alias("story_id")
    )
    return count_sources(keyed.drop("published_date"), documents)
