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


def candidates_frame(rows: list[dict]) -> pl.DataFrame:
    """Coded event rows (before stories) as a table."""
    return pl.DataFrame(rows, schema=CANDIDATE_SCHEMA, strict=False)


def events_frame(candidates: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    """Event candidates with stories, conformed to the published schema and sorted by id."""
    if candidates.is_empty():
        return EVENTS.empty()
    return EVENTS.conform(assign_stories(candidates.select(CANDIDATE_SCHEMA.keys()), documents)).sort(
        "event_id"
    )
