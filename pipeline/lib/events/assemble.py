"""Code the events of all analysed sentences and group them into stories."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

import polars as pl

from pipeline.lib.actors.dictionary import ActorDictionary
from pipeline.lib.entities import read_shard
from pipeline.lib.events.coder import events_for_sentence
from pipeline.lib.events.lexicon import EventLexicon
from pipeline.lib.events.offtopic import OfftopicCounter
from pipeline.lib.events.stories import assign_stories
from pipeline.lib.schema import EVENTS


def code_shards(
    shards: Iterable[tuple[str, Path]],
    lexicon: EventLexicon,
    dictionary: ActorDictionary,
    models: dict[str, str],
    documents: Collection[str] | None = None,
) -> list[dict]:
    """Event rows of the sentences in the DocBin shards, given as (language, path).

    Only sentences of ``documents`` are coded when it is given (every sentence otherwise). Events
    of non-political documents (sports, weather, culture) are dropped.
    """
    rows: list[dict] = []
    offtopic = OfftopicCounter()
    for language, path in shards:
        for doc in read_shard(path, language, models.get(language)):
            doc_id = doc.user_data["ctx"]["doc_id"]
            if documents is not None and doc_id not in documents:
                continue
            offtopic.add(doc_id, language, (token.norm_ for token in doc))
            rows.extend(events_for_sentence(doc, language, lexicon, dictionary))
    dropped = offtopic.non_political()
    return [row for row in rows if row["doc_id"] not in dropped]


STORY_COLUMNS = ("story_id", "num_sources")
CANDIDATE_SCHEMA = {name: dtype for name, dtype in EVENTS.polars_schema.items() if name not in STORY_COLUMNS}
# One event per happening per document: rows of one document with the same story, status and
# polarity are mentions of the same happening.
_HAPPENING = ["doc_id", "story_id", "status", "negated"]


def candidates_frame(rows: list[dict]) -> pl.DataFrame:
    """Coded event rows (before stories) as a table; each row is one sentence's report."""
    schema = {name: dtype for name, dtype in CANDIDATE_SCHEMA.items() if name != "doc_mentions"}
    frame = pl.DataFrame(rows, schema=schema, strict=False)
    return frame.with_columns(pl.lit(1, pl.Int64).alias("doc_mentions")).select(CANDIDATE_SCHEMA.keys())


def merge_within_documents(events: pl.DataFrame) -> pl.DataFrame:
    """Keep one row per happening per document: the most confident report, then the earliest.

    ``doc_mentions`` adds up the sentences that reported it (rows kept from an earlier run
    bring their count along, so merging again gives the same table).
    """
    counts = events.group_by(_HAPPENING).agg(pl.col("doc_mentions").sum().alias("_mentions"))
    best = events.sort(["confidence", "sentence_index", "event_id"], descending=[True, False, False]).unique(
        subset=_HAPPENING, keep="first", maintain_order=True
    )
    merged = best.join(counts, on=_HAPPENING, how="left", nulls_equal=True)
    return merged.with_columns(pl.col("_mentions").alias("doc_mentions")).drop("_mentions")


def events_frame(candidates: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    """Event candidates with stories, one per happening per document, in the published schema."""
    if candidates.is_empty():
        return EVENTS.empty()
    storied = assign_stories(candidates.select(CANDIDATE_SCHEMA.keys()), documents)
    return EVENTS.conform(merge_within_documents(storied)).sort("event_id")
