"""Code the events of all analysed sentences and group them into stories."""

from __future__ import annotations

from collections.abc import Iterable
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
) -> list[dict]:
    """Event rows of every sentence in the DocBin shards, given as (language, path).

    Events of non-political documents (sports, weather, culture) are dropped.
    """
    rows: list[dict] = []
    offtopic = OfftopicCounter()
    for language, path in shards:
        for doc in read_shard(path, language, models.get(language)):
            offtopic.add(doc.user_data["ctx"]["doc_id"], language, (token.norm_ for token in doc))
            rows.extend(events_for_sentence(doc, language, lexicon, dictionary))
    dropped = offtopic.non_political()
    return [row for row in rows if row["doc_id"] not in dropped]


def events_frame(rows: list[dict], documents: pl.DataFrame) -> pl.DataFrame:
    """Event rows with stories, conformed to the published schema and sorted by id."""
    if not rows:
        return EVENTS.empty()
    schema = {
        name: dtype for name, dtype in EVENTS.polars_schema.items() if name not in ("story_id", "num_sources")
    }
    frame = pl.DataFrame(rows, schema=schema, strict=False)
    return EVENTS.conform(assign_stories(frame, documents)).sort("event_id")
